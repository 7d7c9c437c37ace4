"""Running candidate worlds: output per head by region and year, over several seeds, in worker
processes where there are cores.

`open_seed_pool` is the calibration's only process pool: the runner sends each seed's run to it
and keeps it open across candidate worlds (a fit runs hundreds)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np

from sovsim.engine.streams import one_thread_per_process
from sovsim.world.loading import LoadedScenario, validate

FIT_SEEDS = (0, 1)
REPORT_SEEDS = (100, 101, 102, 103)  # not the fit's seeds: the report is not tuned to them
DEFAULT_AGENTS = 10_000


def annual_output_per_head(loaded: LoadedScenario, *, agents: int, seed: int,
                           end: int) -> dict[str, dict[int, float]]:
    """Run one seed to the end of `end` and return each region's output per head by year (the
    mean of the year's monthly values, as Maddison's annual GDP over mid-year population)."""
    from sovsim.engine.sim import Sim  # the engine is heavy; the loss functions do not need it

    sim = Sim(loaded, agents=agents, seed=seed, end=end)
    res = sim.run()
    y = res.regions["output_per_capita"]
    years = (sim.first_month + np.arange(sim.n_steps)) // 12
    out: dict[str, dict[int, float]] = {}
    for year in np.unique(years):
        mean = y[years == year].mean(axis=0)
        for r, name in enumerate(sim.geo.names):
            out.setdefault(name, {})[int(year)] = float(mean[r])
    return out


def _run_one(resolved: dict[str, Any], path: str, agents: int, seed: int,
             end: int) -> dict[str, dict[int, float]]:
    # in a worker process: rebuild the scenario from its resolved data (cheap to send)
    loaded = LoadedScenario(validate(resolved, path), path, resolved)
    return annual_output_per_head(loaded, agents=agents, seed=seed, end=end)


def open_seed_pool(workers: int) -> Executor | None:
    """The process pool the seeds' runs go to (None: run them in this process). Each worker
    runs its agent kernels on one thread, so that side-by-side runs do not oversubscribe."""
    if workers <= 1:
        return None
    return ProcessPoolExecutor(workers, initializer=one_thread_per_process)


class Runner:
    """Runs a scenario for several seeds, in parallel processes where there are cores, and
    returns the geometric mean over the seeds of output per head by region and year."""

    def __init__(self, agents: int, seeds: Sequence[int], workers: int | None = None) -> None:
        self.agents = int(agents)
        self.seeds = tuple(int(s) for s in seeds)
        if workers is None:
            workers = min(len(self.seeds), os.cpu_count() or 1)
        self.pool = open_seed_pool(workers)
        self.runs = 0

    def __call__(self, loaded: LoadedScenario, end: int) -> dict[str, dict[int, float]]:
        args = [(loaded.resolved, loaded.path, self.agents, s, end) for s in self.seeds]
        if self.pool is None:
            results = [_run_one(*a) for a in args]
        else:
            results = list(self.pool.map(_run_one, *zip(*args, strict=True)))
        self.runs += len(results)
        out: dict[str, dict[int, float]] = {}
        for region in results[0]:
            for year in results[0][region]:
                logs = [math.log(max(r[region][year], 1e-9)) for r in results]
                out.setdefault(region, {})[year] = math.exp(sum(logs) / len(logs))
        return out

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
