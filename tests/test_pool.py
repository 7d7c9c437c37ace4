"""The process pool (sovsim.engine.pool): results as they finish, a dead worker's task retried
once on a fresh worker, failures counted, and no worker outliving its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sovsim.engine.pool import Task, run_tasks

SRC = str(Path(__file__).resolve().parents[1] / "src")


# Top-level task functions: workers are spawned, so they import them by name.
def square(x: int) -> int:
    return x * x


def die_once(marker: str, x: int) -> int:
    """Kill its own worker the first time (as the out-of-memory killer would), then work."""
    if not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return -x


def die_always() -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


def raise_value(x: int) -> int:
    raise ValueError(f"bad draw {x}")


def unpicklable() -> object:
    return lambda: None


def collect(tasks: list[Task], workers: int) -> tuple[dict, list]:
    got: dict = {}
    failed = run_tasks(tasks, workers=workers, on_result=got.__setitem__, initializer=None)
    return got, failed


@pytest.mark.parametrize("workers", [1, 3])
def test_every_result_arrives_once(workers: int) -> None:
    got, failed = collect([Task(i, square, (i,)) for i in range(7)], workers)
    assert got == {i: i * i for i in range(7)} and failed == []


def test_a_dead_workers_task_is_retried_once_on_a_fresh_worker(tmp_path: Path) -> None:
    marker = tmp_path / "died"
    tasks = [Task("dies", die_once, (str(marker), 5)), *(Task(i, square, (i,)) for i in range(4))]
    got, failed = collect(tasks, 2)
    assert marker.exists()                    # the first worker did die
    assert got == {"dies": -5, 0: 0, 1: 1, 2: 4, 3: 9} and failed == []


def test_failures_are_counted_and_the_others_finish() -> None:
    tasks = [Task("always", die_always), Task("raises", raise_value, (3,)),
             Task("pickle", unpicklable), *(Task(i, square, (i,)) for i in range(4))]
    got, failed = collect(tasks, 2)
    assert got == {0: 0, 1: 1, 2: 4, 3: 9}
    why = {f.key: f.why for f in failed}
    assert set(why) == {"always", "raises", "pickle"}
    assert "died 2 times" in why["always"]
    assert why["raises"] == "ValueError: bad draw 3"
    assert "could not be sent back" in why["pickle"]


def test_inline_failures_are_counted() -> None:
    got, failed = collect([Task("raises", raise_value, (1,)), Task(2, square, (2,))], 1)
    assert got == {2: 4} and [f.key for f in failed] == ["raises"]


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


SCRIPT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from sovsim.engine.pool import Task, run_tasks
    from test_pool import sleep_then

    if __name__ == "__main__":
        print("started", flush=True)
        run_tasks([Task(i, sleep_then, (i,)) for i in range(4)], workers=2,
                  on_result=lambda k, v: None, initializer=None)
""")


def sleep_then(x: int) -> int:
    time.sleep(60)
    return x


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_no_worker_outlives_its_parent(tmp_path: Path, how: signal.Signals) -> None:
    script = tmp_path / "parent.py"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent)))
    env = {**os.environ, "PYTHONPATH": SRC}
    parent = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline:   # both workers started (and the resource tracker)
            workers = children(parent.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        assert len(workers) >= 2
        time.sleep(1.0)                         # the workers are inside their tasks
        parent.send_signal(how)
        parent.wait(30)
        if how != signal.SIGKILL:
            assert parent.returncode != 0       # stopped, not finished
        deadline = time.monotonic() + 5         # "no worker alive for more than a few seconds"
        while time.monotonic() < deadline and any(alive(p) for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if alive(p)]
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
