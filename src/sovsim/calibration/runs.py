"""Running candidate worlds: output per head by region and year, over several seeds, in worker
processes where there are cores.

The seeds' runs of each candidate world go to the project's one process pool
(`sovsim.engine.pool.run_tasks`: kill-safe workers, a dead worker's run retried once)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from sovsim.engine.pool import Task, run_tasks
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


class Runner:
    """Runs a scenario for several seeds, in parallel processes where there are cores, and
    returns the geometric mean over the seeds of output per head by region and year."""

    def __init__(self, agents: int, seeds: Sequence[int], workers: int | None = None) -> None:
        self.agents = int(agents)
        self.seeds = tuple(int(s) for s in seeds)
        if workers is None:
            workers = min(len(self.seeds), os.cpu_count() or 1)
        self.workers = max(1, int(workers))
        self.runs = 0

    def __call__(self, loaded: LoadedScenario, end: int) -> dict[str, dict[int, float]]:
        args = [(loaded.resolved, loaded.path, self.agents, s, end) for s in self.seeds]
        done: dict[int, dict[str, dict[int, float]]] = {}
        failures = run_tasks([Task(i, _run_one, a) for i, a in enumerate(args)],
                             workers=min(self.workers, len(args)),
                             on_result=lambda key, result: done.__setitem__(key, result))
        if failures:
            raise RuntimeError(f"{len(failures)} calibration run(s) failed: {failures[0].why}")
        results = [done[i] for i in range(len(args))]
        self.runs += len(results)
        out: dict[str, dict[int, float]] = {}
        for region in results[0]:
            for year in results[0][region]:
                logs = [math.log(max(r[region][year], 1e-9)) for r in results]
                out.setdefault(region, {})[year] = math.exp(sum(logs) / len(logs))
        return out

    def close(self) -> None:
        """Nothing to release: each call's workers end with it."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
