"""Runs side by side in worker processes: the one process pool of every parallel command.

`run_tasks` hands tasks (a picklable top-level function and its arguments) to worker processes
started afresh ("spawn": safe whatever threads the parent runs, and the same on every
platform) and gives each result to `on_result` in the parent as soon as it arrives, so that a
command can write every finished run at once. What it guarantees, and why:

* **A dead worker is replaced**, and its task retried once on the fresh worker (a worker may die
  of something outside the task, as under the out-of-memory killer); a task whose worker dies
  twice, or that raises, is a failure: `on_failure(key, why)`, and counted in the returned
  list. A death never takes the other tasks with it (concurrent.futures marks its whole pool
  broken).
* **Workers never outlive the command.** SIGTERM and SIGINT in the parent stop every worker
  (SIGTERM, then SIGKILL after a grace period) and raise KeyboardInterrupt in the parent; a
  worker stopped by SIGTERM unwinds, so that its temporary folders are removed. A parent
  killed by SIGKILL takes its workers with it: on Linux the kernel sends them SIGKILL
  (PR_SET_PDEATHSIG); elsewhere, and as a second guard, each worker checks its parent every
  second and exits when it is gone.
* With one worker, tasks run in the calling process (nothing to guard, nothing to spawn).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from sovsim.engine.streams import one_thread_per_process

GRACE_SECONDS = 5.0        # a stopped worker's time to remove its temporary folders
PARENT_POLL_SECONDS = 1.0  # how often a worker looks whether its parent still lives
RETRIES = 1                # a dead worker's task is tried once more on a fresh worker


@dataclass(frozen=True)
class Task:
    """One unit of work: `fn(*args)` in a worker; `key` names it to the callbacks."""

    key: Hashable
    fn: Callable[..., Any]
    args: tuple = ()


@dataclass(frozen=True)
class Failure:
    """A task that did not give a result, and why."""

    key: Hashable
    why: str


class FailedRunsError(RuntimeError):
    """Runs that failed (raised, or their worker died twice): the command writes its folder with
    them recorded, then exits 1 with their count."""

    def __init__(self, message: str, failed: int) -> None:
        super().__init__(message)
        self.failed = failed


class StoppedError(RuntimeError):
    """SIGINT or SIGTERM stopped the command; the message says what was kept and where."""


def error_text(exc: BaseException) -> str:
    """An exception as one line: its type and message."""
    return f"{type(exc).__name__}: {exc}"


def run_tasks(tasks: Sequence[Task], *, workers: int,
              on_result: Callable[[Hashable, Any], None],
              on_failure: Callable[[Hashable, str], None] | None = None,
              initializer: Callable[[], None] | None = one_thread_per_process,
              start_method: str = "spawn") -> list[Failure]:
    """Run every task on `workers` processes; call `on_result(key, result)` in this process as
    each finishes (in the order they finish) and `on_failure(key, why)` for a task that raised
    or whose worker died twice. Returns the failures. KeyboardInterrupt (SIGINT or SIGTERM)
    stops the workers and propagates. Workers are spawned (a fresh interpreter, safe whatever
    threads this process runs); `start_method="fork"` is for callers whose tasks must also
    work from scripts without a `__main__` guard."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    failures: list[Failure] = []

    def fail(key: Hashable, why: str) -> None:
        failures.append(Failure(key, why))
        if on_failure is not None:
            on_failure(key, why)

    with _stop_on_signals():
        if workers == 1 or len(tasks) <= 1:
            for task in tasks:
                try:
                    result = task.fn(*task.args)
                except Exception as exc:  # a failed task is a result, not the command's end
                    fail(task.key, error_text(exc))
                else:
                    on_result(task.key, result)
            return failures
        _Pool(tasks, min(workers, len(tasks)), initializer, start_method).run(on_result, fail)
    return failures


# --- the parent's side --------------------------------------------------------------------------
@dataclass(eq=False)  # hashed by identity: one worker, one entry
class _Worker:
    process: Any
    conn: Connection
    task: int | None = None


class _Pool:
    def __init__(self, tasks: Sequence[Task], size: int,
                 initializer: Callable[[], None] | None, start_method: str) -> None:
        self.tasks = tasks
        self.size = size
        self.initializer = initializer
        self.context = multiprocessing.get_context(start_method)
        self.pending: deque[int] = deque(range(len(tasks)))
        self.deaths: dict[int, int] = {}
        self.workers: list[_Worker] = []

    def start(self) -> _Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=_work, args=(theirs, os.getpid(), self.initializer),
                                       daemon=True, name="sovsim-worker")
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self.workers.append(worker)
        return worker

    def give(self, worker: _Worker) -> None:
        if not self.pending:
            return
        i = self.pending.popleft()
        task = self.tasks[i]
        try:
            worker.conn.send((i, task.fn, task.args))
        except OSError:  # it died meanwhile: the task waits for a fresh worker
            self.pending.appendleft(i)
            return
        worker.task = i

    def run(self, on_result: Callable[[Hashable, Any], None],
            fail: Callable[[Hashable, str], None]) -> None:
        try:
            while self.pending or any(w.task is not None for w in self.workers):
                while self.pending and len(self.workers) < self.size:
                    self.give(self.start())
                by_conn = {w.conn: w for w in self.workers}
                by_sentinel = {w.process.sentinel: w for w in self.workers}
                ready = wait([*by_conn, *by_sentinel])
                dead: list[_Worker] = []
                for obj in ready:
                    if obj in by_conn:
                        worker = by_conn[obj]
                        try:
                            i, status, value = worker.conn.recv()
                        except (EOFError, OSError):
                            dead.append(worker)
                            continue
                        worker.task = None
                        key = self.tasks[i].key
                        if status == "ok":
                            on_result(key, value)
                        else:
                            fail(key, value)
                        self.give(worker)
                    else:
                        dead.append(by_sentinel[obj])
                for worker in dict.fromkeys(dead):
                    self.bury(worker, fail)
        finally:
            self.stop()

    def bury(self, worker: _Worker, fail: Callable[[Hashable, str], None]) -> None:
        """A worker died: retry its task once on a fresh worker, or count it as failed."""
        worker.process.join(GRACE_SECONDS)
        code = worker.process.exitcode
        worker.conn.close()
        self.workers.remove(worker)
        if worker.task is not None:
            i = worker.task
            self.deaths[i] = self.deaths.get(i, 0) + 1
            if self.deaths[i] <= RETRIES:
                self.pending.appendleft(i)
            else:
                fail(self.tasks[i].key, f"its worker process died {self.deaths[i]} times "
                                        f"(last exit code {code})")

    def stop(self) -> None:
        """Stop every worker: SIGTERM (they unwind and clean up), SIGKILL after the grace."""
        for w in self.workers:
            if w.process.is_alive():
                w.process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for w in self.workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self.workers.clear()


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt in the parent, as SIGINT does, so that both unwind
    through the pool's cleanup."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for s in before:
        signal.signal(s, interrupt)
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


# --- the worker's side --------------------------------------------------------------------------
def _work(conn: Connection, parent: int, initializer: Callable[[], None] | None) -> None:
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the parent decides, the workers wait to be told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if initializer is not None:
        initializer()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        i, fn, args = message
        try:
            reply = (i, "ok", fn(*args))
        except Exception as exc:
            reply = (i, "error", error_text(exc))
        try:
            conn.send(reply)
        except Exception as exc:  # the result would not pickle: say so instead
            conn.send((i, "error", f"its result could not be sent back: {error_text(exc)}"))


def _exit_on_term(signum: int, frame: Any) -> None:
    # SystemExit unwinds through `finally` and `except BaseException`: temporary folders go.
    raise SystemExit(128 + signum)


def _die_with_parent(parent: int) -> None:
    """Exit when the parent dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="sovsim-parent-watch").start()
