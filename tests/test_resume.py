"""Experiments that survive a kill: `sovsim ensemble` and `sovsim claims` killed by SIGKILL
part-way leave no worker behind, and `--resume` completes them without running their finished
runs again, with the results of an uninterrupted command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sovsim.cli import app
from test_pool import alive, children

SRC = str(Path(__file__).resolve().parents[1] / "src")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen([sys.executable, "-m", "sovsim.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def kill_after_first_run(proc: subprocess.Popen, parts: Path) -> list[int]:
    """SIGKILL the command as soon as one run is kept; return its workers' pids."""
    deadline = time.monotonic() + 240
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = sorted(set(workers) | set(children(proc.pid)))
        if parts.is_dir() and any(parts.glob("*.pkl")):
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()}"
    workers = sorted(set(workers) | set(children(proc.pid)))
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    return workers


def no_survivors(workers: list[int]) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in workers):
        time.sleep(0.1)
    assert not [p for p in workers if alive(p)]


def kept(parts: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in parts.glob("*.pkl")}


def without_wall(path: Path) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "wall_seconds"}
            for row in pq.read_table(path).to_pylist()]


def test_a_killed_ensemble_resumes_to_the_uninterrupted_result(tmp_path: Path,
                                                               tiny_path: Path) -> None:
    args = ["ensemble", str(tiny_path), "--runs", "6", "--agents", "300", "--seed", "3"]
    out = tmp_path / "ens"
    proc = start([*args, "--workers", "2", "--out", str(out)])
    workers = kill_after_first_run(proc, out / "parts")
    no_survivors(workers)
    assert json.loads((out / "meta.json").read_text())["complete"] is False
    done = kept(out / "parts")
    finished = {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.glob("run-*/meta.json")
                if p.parent.name in {f"run-{int(n.split('-')[-2]):04d}" for n in done}}
    # an unfinished folder is refused by readers and by a plain rerun
    assert runner.invoke(app, ["report", str(out)]).exit_code == 2
    plain = runner.invoke(app, [*args, "--out", str(out)])
    assert plain.exit_code == 2 and "--resume" in plain.output

    resumed = runner.invoke(app, [*args, "--workers", "2", "--resume", "--out", str(out)])
    assert resumed.exit_code == 0, resumed.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["complete"] is True and meta["resumed"] is True and meta["runs_ok"] == 6
    # the finished runs were not run again: their folders are the ones written before the kill
    for name, mtime in finished.items():
        assert (out / name).stat().st_mtime_ns == mtime
    assert not [p for p in out.iterdir() if p.name.startswith(".")]   # no leftovers

    whole = tmp_path / "whole"
    assert runner.invoke(app, [*args, "--out", str(whole)]).exit_code == 0
    assert without_wall(out / "runs.parquet") == without_wall(whole / "runs.parquet")
    assert (pq.read_table(out / "summary.parquet").to_pylist()
            == pq.read_table(whole / "summary.parquet").to_pylist())
    for i in range(6):
        name = f"run-{i:04d}/regions.parquet"
        assert (out / name).read_bytes() == (whole / name).read_bytes()


def test_a_killed_claims_run_resumes_to_identical_verdicts(tmp_path: Path) -> None:
    args = ["claims", "--only", "C9", "--runs", "1", "--agents", "1500", "--seed", "5"]
    out = tmp_path / "claims"
    proc = start([*args, "--workers", "2", "--out", str(out)])
    workers = kill_after_first_run(proc, out / "parts")
    no_survivors(workers)
    before = kept(out / "parts")
    assert before

    resumed = runner.invoke(app, [*args, "--resume", "--out", str(out)])
    assert resumed.exit_code == 0, resumed.output
    assert not (out / "parts").exists()
    whole = tmp_path / "whole"
    assert runner.invoke(app, [*args, "--out", str(whole)]).exit_code == 0
    for name in ("verdicts", "runs", "series", "labels"):
        assert (pq.read_table(out / f"{name}.parquet").to_pylist()
                == pq.read_table(whole / f"{name}.parquet").to_pylist()), name


def test_resume_refuses_other_options(tmp_path: Path, tiny_path: Path) -> None:
    out = tmp_path / "ens"
    out.mkdir()
    (out / "meta.json").write_text(json.dumps({
        "sovsim_version": "0.1.0", "kind": "ensemble", "complete": False,
        "settings": {"scenario": "tiny", "runs": 4, "seed": 0, "agents": 300,
                     "theory": "dws"}}))
    result = runner.invoke(app, ["ensemble", str(tiny_path), "--runs", "5", "--agents", "300",
                                 "--resume", "--out", str(out)])
    assert result.exit_code == 2 and "resume with the same options" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["meta.json"]


runner = CliRunner()


def test_sigterm_stops_the_workers_and_keeps_what_finished(tmp_path: Path,
                                                           tiny_path: Path) -> None:
    out = tmp_path / "ens"
    proc = start(["ensemble", str(tiny_path), "--runs", "6", "--agents", "300", "--workers",
                  "2", "--out", str(out)])
    deadline = time.monotonic() + 240
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = sorted(set(workers) | set(children(proc.pid)))
        if (out / "parts").is_dir() and any((out / "parts").glob("*.pkl")):
            break
        time.sleep(0.02)
    workers = sorted(set(workers) | set(children(proc.pid)))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume --out" in err and "Traceback" not in err
    no_survivors(workers)
    # the workers removed their half-written run folders; finished runs are kept
    assert not [p for p in out.rglob(".*") if "sovsim-tmp" in p.name]
    assert any((out / "parts").glob("*.pkl"))
    assert json.loads((out / "meta.json").read_text())["complete"] is False
