"""Folder kinds and the writing rules of sovsim.io.folders; provenance and `sovsim rerun`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sovsim.cli import app
from sovsim.io import folders
from sovsim.io.folders import FolderError

runner = CliRunner()


def dead_pid() -> int:
    """The pid of a process that has just ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def make(folder: Path, **meta: object) -> Path:
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps({"sovsim_version": "0.1.0", **meta}))
    return folder


def test_kinds_are_read_from_meta_json(tmp_path: Path) -> None:
    assert folders.kind_of(make(tmp_path / "r", kind="run")) == "run"
    legacy = make(tmp_path / "legacy")
    (legacy / "regions.parquet").write_bytes(b"")
    assert folders.kind_of(legacy) == "run"             # a run written before kinds
    assert folders.kind_of(make(tmp_path / "h", kind="history")) == "history"
    assert folders.kind_of(make(tmp_path / "p", kind="poem")) is None
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "meta.json").write_text('{"name": "theirs"}')
    assert folders.kind_of(tmp_path / "foreign") is None
    page = tmp_path / "page.html"
    page.write_text(f"<html><head>{folders.REPORT_MARK} 0.1.0\"></head></html>")
    assert folders.kind_of(page) == "report"
    (tmp_path / "other.html").write_text("<html></html>")
    assert folders.kind_of(tmp_path / "other.html") is None


def test_check_out_decides_before_any_work(tmp_path: Path) -> None:
    run = make(tmp_path / "run", kind="run")
    assert folders.check_out(tmp_path / "new", "run") == "new"
    (tmp_path / "empty").mkdir()
    assert folders.check_out(tmp_path / "empty", "run") == "new"
    with pytest.raises(FolderError, match="add --force"):
        folders.check_out(run, "run")
    assert folders.check_out(run, "run", force=True) == "replace"
    with pytest.raises(FolderError, match="a sovsim run folder"):
        folders.check_out(run, "history", force=True)
    unfinished = make(tmp_path / "ens", kind="ensemble", complete=False)
    assert folders.check_out(unfinished, "ensemble", resume=True) == "resume"
    with pytest.raises(FolderError, match="nothing to resume"):
        folders.check_out(tmp_path / "new", "ensemble", resume=True)


def test_run_out_dot_inside_a_run_folder_is_refused(tmp_path: Path, tiny_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    run = make(tmp_path / "run", kind="run")
    (run / "regions.parquet").write_bytes(b"mine")
    monkeypatch.chdir(run)
    result = runner.invoke(app, ["run", str(tiny_path), "--agents", "300", "--out", ".",
                                 "--force"])
    assert result.exit_code == 2 and "the current folder is inside it" in result.output
    assert (run / "regions.parquet").read_bytes() == b"mine"


def test_default_names_are_unique() -> None:
    names = {folders.default_out("run", "tiny", "s0", "dws") for _ in range(2000)}
    assert len(names) == 2000
    name = next(iter(names)).name
    assert name.startswith("tiny-s0-dws-") and "." in name      # microseconds


def test_create_is_all_or_nothing(tmp_path: Path) -> None:
    old = make(tmp_path / "h", kind="history", note="old")
    with pytest.raises(RuntimeError, match="half-way"), \
            folders.create("history", old, force=True, meta={"note": "new"}) as tmp:
        (tmp / "table.csv").write_text("a\n")
        raise RuntimeError("half-way")
    assert json.loads((old / "meta.json").read_text())["note"] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h"]   # no temporary folder left
    with folders.create("history", old, force=True, meta={"note": "new"}) as tmp:
        (tmp / "table.csv").write_text("a\n")
    meta = json.loads((old / "meta.json").read_text())
    assert meta["note"] == "new" and meta["kind"] == "history" and "sovsim_version" in meta
    assert "command" in meta and (old / "table.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h"]


def test_leftovers_of_dead_commands_are_cleaned_and_reported(tmp_path: Path) -> None:
    pid = dead_pid()
    tmp = tmp_path / f".r{folders.TMP_MARK}{pid}-abc"
    tmp.mkdir()
    set_aside = make(tmp_path / f".gone{folders.OLD_MARK}{pid}-abc", kind="run")
    mine = tmp_path / f".mine{folders.TMP_MARK}{os.getpid()}-abc"   # a live command's
    mine.mkdir()
    said: list[str] = []
    folders.clean_leftovers(tmp_path, said.append)
    assert not tmp.exists() and mine.exists()
    assert not set_aside.exists() and (tmp_path / "gone" / "meta.json").is_file()  # put back
    assert len(said) == 2 and any("restored" in s for s in said)


def test_a_command_reports_the_leftovers_beside_it(tmp_path: Path, tiny_path: Path) -> None:
    leftover = tmp_path / f".old{folders.TMP_MARK}{dead_pid()}-abc"
    leftover.mkdir()
    result = runner.invoke(app, ["run", str(tiny_path), "--agents", "300", "--out",
                                 str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert not leftover.exists() and "left in" in result.output


# --- provenance and rerun ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def one_run(tmp_path_factory: pytest.TempPathFactory, tiny_path: Path) -> Path:
    out = tmp_path_factory.mktemp("rerun") / "run"
    result = runner.invoke(app, ["run", str(tiny_path), "--agents", "300", "--seed", "4",
                                 "--theory", "state-capitalism", "--end", "1948",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_meta_json_holds_what_reproduces_the_run(one_run: Path, tiny_path: Path) -> None:
    meta = json.loads((one_run / "meta.json").read_text())
    assert meta["kind"] == "run" and meta["theory"] == "state-capitalism"
    assert meta["mode"] == "well-mixed" and meta["seed"] == 4 and meta["agents"] == 300
    assert meta["end_year"] == 1948 and meta["start_year"] is None
    assert meta["scenario_ref"] == str(tiny_path.resolve())
    assert "--theory state-capitalism" in meta["command"]
    assert {"python", "numpy", "numba", "pyarrow", "scipy"} <= set(meta["versions"])


def test_rerun_reproduces_a_run_byte_for_byte(one_run: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rerun", str(one_run)])
    assert result.exit_code == 0, result.output
    assert "byte-identical" in result.output
    changed = tmp_path / "changed"
    shutil.copytree(one_run, changed)
    meta = json.loads((changed / "meta.json").read_text())
    meta["seed"] = 5                      # a folder whose tables are not what it says
    (changed / "meta.json").write_text(json.dumps(meta))
    result = runner.invoke(app, ["rerun", str(changed)])
    assert result.exit_code == 1 and "not reproduced" in result.output
    assert "regions.parquet" in result.output
