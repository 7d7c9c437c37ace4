"""Runs in worker processes: a bounded queue, live partial results, stop, and cancellation of
runs whose page has closed.

Each worker is a process started afresh ("spawn": safe whatever threads the web server has
started) that warms the Numba kernels once, then takes one run at a time. A run steps month by
month and sends the months computed so far about four times a second; the server keeps them and
the page draws them. A finished run is written, by the same writer as `sovsim run`, to a staging
folder under `--runs`; "save" renames it to a run folder of the user's choice beside it.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import shutil
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SEND_EVERY_S = 0.25
STAGING = ".workbench"        # unsaved finished runs, under --runs
# what the live charts draw (region series) and the world series
LIVE_REGION_VARS = ("output_per_capita", "collective_share", "wage_share", "active_left",
                    "active_right", "jailed", "population", "course")
LIVE_WORLD_VARS = ("prestige",)
WARM_UP_AGENTS = 300


def _warm_up() -> None:
    """Load (or compile, the first time) every kernel: a few months in both modes."""
    from sovsim.engine.sim import Sim
    from sovsim.politics.mobilisation.regions import MODES

    for mode in MODES:
        sim = Sim("world1946", agents=WARM_UP_AGENTS, seed=0, end=1946, mode=mode)
        for _ in range(3):
            sim.step()


def _worker(slot: int, tasks: Any, out: Any, cancel: Any, threads: int) -> None:
    """A worker process: warm up, then run each task it is given until told to stop (None)."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        _warm_up()
    except Exception as exc:  # a broken install shows on the page, not as a dead server
        out.put(("warm-failed", slot, f"{type(exc).__name__}: {exc}"))
    out.put(("ready", slot))
    parent = os.getppid()
    while True:
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:     # the server is gone: so is its worker
                return
            continue
        if task is None:
            return
        job_id, spec = task
        try:
            _run(slot, job_id, spec, out, cancel)
        except Exception as exc:
            out.put(("failed", job_id, slot, f"{type(exc).__name__}: {exc}"))


def _run(slot: int, job_id: int, spec: dict[str, Any], out: Any, cancel: Any) -> None:
    from sovsim.engine.sim import Sim
    from sovsim.io.run_folder import save
    from sovsim.world.loading import load

    parent = os.getppid()
    t0 = time.perf_counter()
    sim = Sim(load(spec["scenario_path"]), agents=spec["agents"], seed=spec["seed"],
              end=spec["end"], theory=spec["theory"], mode=spec["mode"])
    out.put(("started", job_id, slot, {"regions": list(sim.geo.names), "dates": sim.dates(),
                                       "n_steps": sim.n_steps}))
    sent, last = 0, time.perf_counter()
    while sim.t < sim.n_steps:
        if cancel[slot] == job_id or os.getppid() != parent:
            out.put(("stopped", job_id, slot, sim.t))
            return
        sim.step()
        now = time.perf_counter()
        if now - last >= SEND_EVERY_S or sim.t == sim.n_steps or sent == 0:
            reg, world = sim.results.regions, sim.results.world
            out.put(("months", job_id, slot, sent, sim.t,
                     {v: reg[v][sent:sim.t].copy() for v in LIVE_REGION_VARS},
                     {v: world[v][sent:sim.t].copy() for v in LIVE_WORLD_VARS}))
            sent, last = sim.t, now
    wall = time.perf_counter() - t0
    folder = save(sim, Path(spec["staging"]), "parquet", wall)  # labels included
    out.put(("done", job_id, slot, str(folder), wall))


@dataclass
class Job:
    """A run asked for by a page: its state and the months received so far."""

    id: int
    session: str
    spec: dict[str, Any]
    state: str = "queued"         # queued, running, done, stopped, failed
    slot: int | None = None
    t: int = 0
    n_steps: int = 0
    regions: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    region_vars: dict[str, np.ndarray] = field(default_factory=dict)
    world_vars: dict[str, np.ndarray] = field(default_factory=dict)
    folder: str | None = None
    saved: str | None = None
    message: str = ""
    submitted: float = field(default_factory=time.perf_counter)
    first_months_at: float | None = None    # when the first months arrived (perf_counter)
    wall: float | None = None
    drawn_at: float | None = None           # when a page last asked to draw it (monotonic)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")


class RunQueue:
    """At most `workers` runs at once, the rest waiting in order; at most `max_waiting` wait."""

    def __init__(self, runs_dir: Path, workers: int | None = None, *,
                 page_timeout: float = 90.0, max_waiting: int | None = None,
                 threads: int | None = None) -> None:
        self.runs_dir = Path(runs_dir)
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_waiting = max_waiting if max_waiting is not None else 4 * self.workers
        self.page_timeout = page_timeout
        self.threads = threads or max(1, (os.cpu_count() or 1) // self.workers)
        self.jobs: dict[int, Job] = {}
        self.waiting: deque[int] = deque()
        self.idle: list[int] = []
        self.warm: set[int] = set()
        self.warm_errors: list[str] = []
        self.seen: dict[str, float] = {}
        self._ids = itertools.count(1)
        shutil.rmtree(self.staging, ignore_errors=True)   # unsaved runs of an earlier server
        self._lock = threading.RLock()
        self._closed = threading.Event()
        ctx = mp.get_context("spawn")
        self._out = ctx.Queue()
        self._cancel = ctx.Array("q", [0] * self.workers, lock=False)
        self._tasks = [ctx.Queue() for _ in range(self.workers)]
        self._procs = [ctx.Process(target=_worker, daemon=True, name=f"sovsim-workbench-{i}",
                                   args=(i, self._tasks[i], self._out, self._cancel,
                                         self.threads))
                       for i in range(self.workers)]
        for p in self._procs:
            p.start()
        self._collector = threading.Thread(target=self._collect, daemon=True)
        self._collector.start()
        self._reaper = threading.Thread(target=self._reap, daemon=True)
        self._reaper.start()

    # --- asking --------------------------------------------------------------------------
    @property
    def staging(self) -> Path:
        return self.runs_dir / STAGING

    def ready(self) -> bool:
        """Whether every worker has warmed up."""
        with self._lock:
            return len(self.warm) >= self.workers

    def snapshot(self) -> dict[str, Any]:
        """The queue as plain data: whether the workers are warm, and each run's state."""
        with self._lock:
            jobs = [{"id": j.id, "state": j.state, "t": j.t, "n_steps": j.n_steps,
                     "message": j.message, "folder": j.folder, "saved": j.saved,
                     "first_months_s": (None if j.first_months_at is None
                                        else round(j.first_months_at - j.submitted, 3)),
                     "wall_s": j.wall} for j in self.jobs.values()]
            return {"ready": self.ready(), "workers": self.workers,
                    "waiting": len(self.waiting), "jobs": jobs,
                    "warm_errors": list(self.warm_errors)}

    def submit(self, session: str, spec: dict[str, Any]) -> Job:
        """Queue a run; ValueError when the queue is full."""
        with self._lock:
            if len(self.waiting) >= self.max_waiting:
                raise ValueError(f"the queue is full ({self.max_waiting} runs waiting); stop a "
                                 "run or wait")
            job = Job(next(self._ids), session, dict(spec))
            job.spec["staging"] = str(self.staging / f"run-{job.id}")
            self.jobs[job.id] = job
            self.waiting.append(job.id)
            self.seen[session] = time.monotonic()
            self._dispatch()
            return job

    def stop(self, job_id: int) -> None:
        """Stop a run: a waiting one leaves the queue, a running one stops at its next month."""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.finished:
                return
            if job.state == "queued":
                self.waiting.remove(job_id)
                job.state, job.message = "stopped", "stopped before it started"
            elif job.slot is not None:
                self._cancel[job.slot] = job_id
                job.message = "stopping"

    def reading(self) -> threading.RLock:
        """Hold while reading a job's series: months arrive from the collector thread."""
        return self._lock

    def heartbeat(self, session: str) -> None:
        """A page is still open."""
        with self._lock:
            self.seen[session] = time.monotonic()

    def position(self, job_id: int) -> int:
        """Place of a waiting run in the queue (1 = next)."""
        with self._lock:
            return list(self.waiting).index(job_id) + 1 if job_id in self.waiting else 0

    def save(self, job_id: int, name: str) -> Path:
        """Move a finished run's folder to `--runs/<name>`; ValueError when it cannot be."""
        from sovsim.io import folders

        name = name.strip()
        if not name or name.startswith(".") or "/" in name or "\\" in name or name != Path(
                name).name:
            raise ValueError("a folder name without / or a leading dot")
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.state != "done" or not job.folder:
                raise ValueError("only a finished run can be saved")
            if job.saved:
                raise ValueError(f"already saved as {job.saved}")
            target = self.runs_dir / name
            if target.exists():
                raise ValueError(f"{target} exists; choose another name")
            shutil.move(job.folder, target)
            if folders.kind_of(target) != "run":
                raise ValueError(f"{target}: not a run folder after the move")
            job.folder = job.saved = str(target)
            return target

    def close(self) -> None:
        """Stop the workers and remove the unsaved runs."""
        self._closed.set()
        for q in self._tasks:
            q.put(None)
        for p in self._procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
        shutil.rmtree(self.staging, ignore_errors=True)

    # --- inside ---------------------------------------------------------------------------
    def _dispatch(self) -> None:
        while self.idle and self.waiting:
            slot = self.idle.pop(0)
            job = self.jobs[self.waiting.popleft()]
            job.state, job.slot = "running", slot
            self._cancel[slot] = 0
            self._tasks[slot].put((job.id, job.spec))

    def _collect(self) -> None:
        while not self._closed.is_set():
            try:
                msg = self._out.get(timeout=0.5)
            except (queue.Empty, OSError, EOFError):
                continue
            with self._lock:
                self._handle(msg)

    def _handle(self, msg: tuple) -> None:
        kind = msg[0]
        if kind == "ready":
            self.warm.add(msg[1])
            self.idle.append(msg[1])
            self._dispatch()
            return
        if kind == "warm-failed":
            self.warm_errors.append(msg[2])
            return
        job = self.jobs.get(msg[1])
        if job is None:
            return
        if kind == "started":
            info = msg[3]
            job.regions, job.dates, job.n_steps = info["regions"], info["dates"], info["n_steps"]
        elif kind == "months":
            _, _, _, t0, t1, reg, world = msg
            if not job.region_vars:
                job.first_months_at = time.perf_counter()
                job.region_vars = {v: np.full((job.n_steps, len(job.regions)), np.nan)
                                   for v in reg}
                job.world_vars = {v: np.full(job.n_steps, np.nan) for v in world}
            for v, rows in reg.items():
                job.region_vars[v][t0:t1] = rows
            for v, rows in world.items():
                job.world_vars[v][t0:t1] = rows
            job.t = t1
        elif kind in ("done", "stopped", "failed"):
            slot = msg[2]
            if kind == "done":
                job.state, job.folder, job.wall = "done", msg[3], msg[4]
                job.message = f"finished in {msg[4]:.1f} s"
            elif kind == "stopped":
                job.state = "stopped"
                job.message = job.message if job.message.startswith("cancelled") else (
                    f"stopped at {job.dates[msg[3] - 1] if msg[3] else 'the start'}")
            else:
                job.state, job.message = "failed", msg[3]
            self._cancel[slot] = 0
            self.idle.append(slot)
            self._dispatch()

    def _reap(self) -> None:
        """Cancel the runs of pages that have not been heard from within `page_timeout`."""
        while not self._closed.wait(min(1.0, self.page_timeout / 4)):
            now = time.monotonic()
            with self._lock:
                for job in list(self.jobs.values()):
                    if job.finished or now - self.seen.get(job.session, now) <= self.page_timeout:
                        continue
                    self.stop(job.id)
                    job.message = "cancelled: its page closed"
