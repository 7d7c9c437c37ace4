"""The fit: bounded least squares on the weighted log errors, then a compass search, within a
budget of candidate worlds; the best candidate run is kept."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from sovsim.calibration.data import (
    FIT_YEARS,
    WORLD1946_BLOCS,
    Bloc,
    Series,
    maddison2010,
    targets_for,
)
from sovsim.calibration.knobs import BLOC_KNOBS, Knob, check_knob, knob_values, with_values
from sovsim.calibration.loss import losses_of, residuals, row_blocs
from sovsim.calibration.runs import DEFAULT_AGENTS, FIT_SEEDS, Runner
from sovsim.world.loading import LoadedScenario, load

DEFAULT_EVALUATIONS = 100  # model evaluations (each one run per fit seed) in a calibration
DIFF_STEP = 0.05  # finite-difference step, share of a knob's range: above the seeds' noise
XTOL = FTOL = 1e-3  # least squares stops when its steps or gains are this small: it has stalled
COMPASS_STEP = 0.1  # first compass step, share of a knob's range
COMPASS_SMALLEST = 0.0125  # last compass step (three halvings): finer is below the model's noise


class _BudgetSpentError(Exception):
    """The evaluation budget is spent: stop the optimiser, keep the best candidate seen."""


@dataclass
class Calibration:
    """What a calibration found: the values per bloc, the losses before and after, the cost."""

    blocs: tuple[Bloc, ...]
    knobs: dict[str, tuple[Knob, ...]]
    start: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    loss_start: dict[str, float]
    loss: dict[str, float]
    evaluations: int
    runs: int
    wall_s: float
    agents: int
    seeds: tuple[int, ...]
    years: tuple[int, int]
    history: list[float] = field(default_factory=list)

    def scenario(self, loaded: LoadedScenario,
                 provenance: Mapping[str, Any] | None = None) -> LoadedScenario:
        """The scenario with the calibrated values."""
        return with_values(loaded, self.blocs, self.knobs, self.values, provenance)


def calibrate(scenario: LoadedScenario | str | Path = "world1946", *,
              blocs: Sequence[Bloc] = WORLD1946_BLOCS,
              knobs: Mapping[str, Sequence[Knob]] | None = None,
              targets: Series | None = None,
              years: tuple[int, int] = FIT_YEARS,
              agents: int = DEFAULT_AGENTS,
              seeds: Sequence[int] = FIT_SEEDS,
              evaluations: int = DEFAULT_EVALUATIONS,
              workers: int | None = None,
              progress: Callable[[int, float, float], None] | None = None) -> Calibration:
    """Fit each bloc's knobs to the targets (default: Maddison 2010 for `blocs`) over `years`.

    Runs end at the end of `years[1]`. `evaluations` bounds the number of candidate worlds run
    (each once per seed); `progress(evaluation, loss, best)` is called after each.

    Two stages share the budget. (1) Least squares (trust-region reflective) with the
    block-sparse finite-difference Jacobian, stopped once its steps stall: it descends fast where
    the loss is smooth. (2) A compass search from the best point, which needs no derivatives and
    so copes with the agent model's steps and with couplings between blocs: knob k of every bloc
    is moved by +-step at once, each bloc keeps the move if its own loss fell, and the combined
    move is run again and kept only if the overall loss fell; the step halves when no move helps.
    Between the two, a bloc that least squares left worse than it started gets its starting
    values back where that does not raise the overall loss. The best candidate run is returned.
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load(scenario)
    blocs = tuple(blocs)
    knob_table = {b.name: tuple((knobs or BLOC_KNOBS)[b.name]) for b in blocs}
    if targets is None:
        targets = targets_for(blocs, maddison2010())
    missing = [r for b in blocs for r in b.regions if r not in loaded.model.regions]
    if missing:
        raise ValueError(f"regions {missing} of the blocs are not in scenario "
                         f"{loaded.name}")
    for knob in {k for ks in knob_table.values() for k in ks}:
        check_knob(knob)
    start = {b.name: knob_values(loaded, b, knob_table[b.name]) for b in blocs}
    low = np.concatenate([[k.low for k in knob_table[b.name]] for b in blocs])
    high = np.concatenate([[k.high for k in knob_table[b.name]] for b in blocs])
    sizes = [len(knob_table[b.name]) for b in blocs]
    column_bloc = np.repeat(np.arange(len(blocs)), sizes)
    column_rank = np.concatenate([np.arange(n) for n in sizes])  # knob k of its bloc
    owner = row_blocs(targets, blocs, years)

    def decode(u: np.ndarray) -> dict[str, np.ndarray]:
        x = low + np.clip(u, 0.0, 1.0) * (high - low)
        parts = np.split(x, np.cumsum(sizes)[:-1])
        return {b.name: part for b, part in zip(blocs, parts, strict=True)}

    def bloc_losses(res: np.ndarray) -> np.ndarray:
        return np.array([res[owner == b] @ res[owner == b] for b in range(len(blocs))])

    x0 = np.concatenate([start[b.name] for b in blocs])
    u0 = np.clip((x0 - low) / (high - low), 0.0, 1.0)
    cache: dict[bytes, np.ndarray] = {}
    best: dict[str, Any] = {"loss": math.inf, "u": u0}
    history: list[float] = []
    t0 = time.perf_counter()
    runner = Runner(agents, seeds, workers)

    def fun(u: np.ndarray) -> np.ndarray:
        u = np.clip(u, 0.0, 1.0)
        key = np.round(u, 9).tobytes()
        if key in cache:
            return cache[key]
        if len(history) >= evaluations:
            raise _BudgetSpentError
        world = with_values(loaded, blocs, knob_table, decode(u))
        res, _ = residuals(runner(world, years[1]), targets, blocs, years)
        loss = float(res @ res)
        history.append(loss)
        if loss < best["loss"]:
            best.update(loss=loss, u=np.array(u, dtype=float))
        if progress is not None:
            progress(len(history), loss, best["loss"])
        cache[key] = res
        return res

    def compass(step: float, smallest: float) -> None:
        while step >= smallest:
            moved = False
            for k in range(max(sizes)):
                for sign in (1.0, -1.0):
                    here = best["u"]
                    before = bloc_losses(fun(here))
                    trial = here.copy()
                    trial[column_rank == k] += sign * step
                    trial = np.clip(trial, 0.0, 1.0)
                    if np.array_equal(trial, here):
                        continue
                    gained = bloc_losses(fun(trial)) < before
                    if gained.any() and not gained.all():
                        # keep the move only in the blocs it helped, and check the whole again
                        keep = gained[column_bloc] & (column_rank == k)
                        trial = np.where(keep, trial, here)
                        fun(trial)
                    if best["u"] is not here:
                        moved = True
                        break
            if not moved:
                step /= 2.0

    def restore_worsened() -> None:
        # least squares moves every bloc at once and may buy a gain in one bloc with a loss in
        # another (through the couplings); a bloc left worse than it started gets its starting
        # values back if the world as a whole does not lose by it
        start_losses = bloc_losses(fun(u0))
        for b in np.flatnonzero(bloc_losses(fun(best["u"])) > start_losses):
            fun(np.where(column_bloc == b, u0, best["u"]))

    try:
        fun(u0)  # the starting world: its loss is the first of the history
        sparsity = (owner[:, None] == column_bloc[None, :]).astype(int)
        with contextlib.suppress(_BudgetSpentError):
            least_squares(fun, u0, bounds=(0.0, 1.0), method="trf", jac="2-point",
                          jac_sparsity=sparsity, diff_step=DIFF_STEP, x_scale=1.0,
                          xtol=XTOL, ftol=FTOL, max_nfev=10 * evaluations)
            restore_worsened()
            compass(COMPASS_STEP, COMPASS_SMALLEST)
    finally:
        runner.close()
    fitted = decode(best["u"])
    loss_start = losses_of(fun(u0), blocs, targets, years)
    loss_end = losses_of(fun(best["u"]), blocs, targets, years)
    return Calibration(blocs, knob_table, start, fitted, loss_start, loss_end, len(history),
                       runner.runs, time.perf_counter() - t0, agents, tuple(seeds), years,
                       history)
