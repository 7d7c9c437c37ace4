"""Layers point one way: the import-linter contracts of pyproject.toml hold, and they do catch a
lower layer importing a higher one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports")
pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed "
                                                      "(pip install -e '.[test]')")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package under root/src, with root's pyproject.toml."""
    env = dict(os.environ, PYTHONPATH=str(root / "src"))
    return subprocess.run([LINT, "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, check=False)


def test_the_layer_contracts_hold():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(("module", "imported"), [
    ("world/names.py", "sovsim.claims.registry"),   # the lowest layer reaching the top
    ("economy/production.py", "sovsim.politics.war"),  # economy never imports politics
    ("authorities/base.py", "sovsim.politics.tendency"),  # authorities sit below politics
])
def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(tmp_path, module, imported):
    shutil.copytree(ROOT / "src" / "sovsim", tmp_path / "src" / "sovsim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "src" / "sovsim" / module
    path.write_text(path.read_text() + f"\nimport {imported}  # noqa\n")
    done = lint(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BROKEN" in done.stdout
    assert f"sovsim.{module.removesuffix('.py').replace('/', '.')} -> {imported}" in done.stdout


def test_the_package_linted_is_this_checkout():
    # the contracts are checked on src/ beside this file, not on another installed copy
    done = subprocess.run([sys.executable, "-c", "import sovsim; print(sovsim.__file__)"],
                          env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
                          capture_output=True, text=True, check=True)
    assert Path(done.stdout.strip()).is_relative_to(ROOT / "src")
