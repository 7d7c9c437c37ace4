"""What the README's install gives: every documented command's dependencies, `--version`, and
`sovsim validate` without Mesa (its docking case skipped with a hint, exit 0)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sovsim import __version__
from sovsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_scipy_is_a_runtime_dependency_and_mesa_an_extra() -> None:
    deps = " ".join(project()["dependencies"])
    assert "scipy" in deps and "mesa" not in deps
    extras = project()["optional-dependencies"]
    assert any(d.startswith("mesa") for d in extras["validate"])
    assert any(d.startswith("mesa") for d in extras["test"])


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"sovsim {__version__}\n"


def test_validate_without_mesa_skips_its_case_with_a_hint(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    import sovsim.validate.epstein as epstein
    import sovsim.validate.registry as registry

    monkeypatch.setattr(epstein, "mesa_available", lambda: False)
    # the Epstein group alone: its exact cases run, its docking with Mesa is skipped
    monkeypatch.setattr(registry, "CASES", (("sovsim.validate.epstein", "cases"),))
    result = runner.invoke(app, ["validate", "--quick"])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    assert "pip install -e '.[validate]'" in result.output     # brackets printed literally
    assert "Mesa's EpsteinCivilViolence" in result.output
