"""Errors in and out of sample: the uncalibrated and the calibrated scenario scored on the
report seeds, as Markdown tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sovsim.calibration.data import (
    DATASET,
    FIT_YEARS,
    TEST_YEARS,
    WORLD1946_BLOCS,
    Bloc,
    Series,
    maddison2010,
    targets_for,
)
from sovsim.calibration.loss import losses
from sovsim.calibration.runs import DEFAULT_AGENTS, FIT_SEEDS, REPORT_SEEDS, Runner
from sovsim.world.loading import LoadedScenario, load

if TYPE_CHECKING:
    from sovsim.calibration.fit import Calibration


@dataclass
class Errors:
    """Root mean square log errors of output per head per bloc and overall ('all'), in the fit
    window and after it, of one scenario over the report seeds."""

    scenario: str
    fit: dict[str, float]
    test: dict[str, float]
    series: dict[str, dict[int, float]]


def errors(loaded: LoadedScenario, runner: Runner, *, blocs: Sequence[Bloc] = WORLD1946_BLOCS,
           targets: Series | None = None, fit: tuple[int, int] = FIT_YEARS,
           test: tuple[int, int] = TEST_YEARS) -> Errors:
    """Run the scenario to the end of the test window once per seed of `runner` and score it
    on both windows (RMSLE = the square root of the loss)."""
    if targets is None:
        targets = targets_for(blocs, maddison2010())
    simulated = runner(loaded, test[1])
    in_sample = losses(simulated, targets, blocs, fit)
    out_sample = losses(simulated, targets, blocs, test)
    return Errors(loaded.name, {k: math.sqrt(v) for k, v in in_sample.items()},
                  {k: math.sqrt(v) for k, v in out_sample.items()}, simulated)


def error_table(before: Errors, after: Errors, blocs: Sequence[Bloc],
                fit: tuple[int, int] = FIT_YEARS, test: tuple[int, int] = TEST_YEARS) -> str:
    """A Markdown table of the RMSLE per bloc and overall, uncalibrated against calibrated."""
    head = (f"| bloc | in-sample {fit[0]}-{fit[1]}, uncalibrated | in-sample, calibrated | "
            f"out-of-sample {test[0]}-{test[1]}, uncalibrated | out-of-sample, calibrated |")
    rows = [head, "|---|---:|---:|---:|---:|"]
    for key in [b.name for b in blocs] + ["all"]:
        label = "overall" if key == "all" else key
        rows.append(f"| {label} | {before.fit[key]:.3f} | {after.fit[key]:.3f} | "
                    f"{before.test[key]:.3f} | {after.test[key]:.3f} |")
    return "\n".join(rows)


def region_table(before: Errors, after: Errors, targets: Series, blocs: Sequence[Bloc],
                 years: Sequence[int] = (1950, 1960, 1970, 1980, 1989)) -> str:
    """A Markdown table of output per head, data against the uncalibrated and calibrated runs."""
    rows = ["| region | " + " | ".join(f"{y} data / uncal. / cal." for y in years) + " |",
            "|---|" + "---:|" * len(years)]
    for bloc in blocs:
        for region in bloc.regions:
            cells = []
            for y in years:
                data = targets[region].get(y)
                shown = f"{data:,.0f}" if data else "-"
                cells.append(f"{shown} / {before.series[region][y]:,.0f} / "
                             f"{after.series[region][y]:,.0f}")
            rows.append(f"| {region} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def compare(uncalibrated: LoadedScenario | str | Path, calibrated: LoadedScenario | str | Path,
            *, agents: int = DEFAULT_AGENTS, seeds: Sequence[int] = REPORT_SEEDS,
            fit_seeds: Sequence[int] = FIT_SEEDS, fit: tuple[int, int] = FIT_YEARS,
            test: tuple[int, int] = TEST_YEARS, workers: int | None = None,
            blocs: Sequence[Bloc] = WORLD1946_BLOCS) -> tuple[Errors, Errors, str]:
    """Errors in and out of sample of both scenarios on `seeds`, and the Markdown report.

    Pass the calibrated scenario as its file, so that what is scored is what was written
    (values rounded as in the file), not what the optimiser held in memory."""
    before_world = uncalibrated if isinstance(uncalibrated, LoadedScenario) \
        else load(uncalibrated)
    after_world = calibrated if isinstance(calibrated, LoadedScenario) else load(calibrated)
    targets = targets_for(blocs, maddison2010())
    with Runner(agents, seeds, workers) as runner:
        before = errors(before_world, runner, blocs=blocs, targets=targets, fit=fit, test=test)
        after = errors(after_world, runner, blocs=blocs, targets=targets, fit=fit, test=test)
    markdown = "\n\n".join([
        "Root mean square log error of yearly output per head against "
        f"{DATASET} (blocs weighted equally in 'overall'), {agents} agents, geometric mean of "
        f"seeds {', '.join(map(str, seeds))} (not the fit's seeds "
        f"{', '.join(map(str, fit_seeds))}):",
        error_table(before, after, blocs, fit, test),
        "Output per head (1990 GK$), data / uncalibrated / calibrated:",
        region_table(before, after, targets, blocs),
    ])
    return before, after, markdown


def values_table(cal: Calibration) -> str:
    """A Markdown table of each bloc's knobs: start value, calibrated value, bounds."""
    rows = ["| bloc | knob | sets | before | calibrated | bounds |",
            "|---|---|---|---:|---:|---|"]
    for bloc in cal.blocs:
        for knob, v0, v in zip(cal.knobs[bloc.name], cal.start[bloc.name],
                               cal.values[bloc.name], strict=True):
            rows.append(f"| {bloc.name} | {knob.label} | {knob.table}: {', '.join(knob.names)} "
                        f"| {v0:.4g} | {v:.4g} | [{knob.low:g}, {knob.high:g}] |")
    return "\n".join(rows)
