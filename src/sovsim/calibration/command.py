"""`sovsim calibrate`: fit, write the overlay scenario, report the errors."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sovsim.calibration.data import (
    DATASET,
    FIT_YEARS,
    TEST_YEARS,
    WORLD1946_BLOCS,
    maddison2010,
    targets_for,
)
from sovsim.calibration.fit import DEFAULT_EVALUATIONS, Calibration, calibrate
from sovsim.calibration.report import Errors, compare, values_table
from sovsim.calibration.runs import DEFAULT_AGENTS, FIT_SEEDS, REPORT_SEEDS
from sovsim.calibration.write import overlay_text
from sovsim.world.loading import load


@dataclass
class CalibrationReport:
    """Everything `sovsim calibrate` found and wrote."""

    calibration: Calibration
    overlay: Path
    before: Errors
    after: Errors
    markdown: str
    wall_s: float


def calibration_command(scenario: str = "world1946", out: Path | None = None, *,
                        agents: int = DEFAULT_AGENTS, seeds: Sequence[int] = FIT_SEEDS,
                        report_seeds: Sequence[int] = REPORT_SEEDS,
                        evaluations: int = DEFAULT_EVALUATIONS,
                        fit: tuple[int, int] = FIT_YEARS, test: tuple[int, int] = TEST_YEARS,
                        workers: int | None = None,
                        say: Callable[[str], None] = print) -> CalibrationReport:
    """`sovsim calibrate`: fit the growth parameters per bloc on `fit`, write the overlay
    scenario to `out` (default ./<scenario>_calibrated.toml), then report the RMSLE of the
    uncalibrated and the calibrated scenario in and out of sample, on `report_seeds`."""
    t0 = time.perf_counter()
    loaded = load(scenario)
    blocs = WORLD1946_BLOCS
    targets = targets_for(blocs, maddison2010())
    name = f"{loaded.name}_calibrated"
    out = Path(out) if out is not None else Path(f"{name}.toml")
    builtin = Path(scenario).suffix != ".toml"
    inherits = scenario if builtin else os.path.relpath(Path(scenario).resolve(),
                                                        out.resolve().parent)

    def progress(i: int, loss: float, best: float) -> None:
        say(f"candidate {i:3d}/{evaluations}: loss {loss:.4f}, best {best:.4f} "
            f"({time.perf_counter() - t0:.0f} s)")

    say(f"calibrating {loaded.name} on {DATASET} {fit[0]}-{fit[1]}: {agents} agents, seeds "
        f"{list(seeds)}, at most {evaluations} candidate worlds")
    cal = calibrate(loaded, blocs=blocs, targets=targets, years=fit, agents=agents,
                    seeds=seeds, evaluations=evaluations, workers=workers, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(overlay_text(cal, loaded, inherits, name), encoding="utf-8")
    say(f"wrote {out}")
    say("calibrated values:\n" + values_table(cal))
    before, after, markdown = compare(loaded, out, agents=agents, seeds=report_seeds,
                                      fit_seeds=seeds, fit=fit, test=test, workers=workers)
    wall = time.perf_counter() - t0
    say(markdown)
    say(f"calibration {cal.wall_s:.0f} s; with the report runs {wall:.0f} s")
    return CalibrationReport(cal, out, before, after, markdown, wall)
