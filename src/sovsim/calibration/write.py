"""Writing the calibrated scenario: an overlay file that inherits the calibrated scenario and
sets each bloc's values in its regions, every number with its provenance. The tables are written
by tomli-w; the comments (what was fitted, the losses) are written around them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import tomli_w

from sovsim.calibration.data import DATASET
from sovsim.world.loading import LoadedScenario

if TYPE_CHECKING:
    from sovsim.calibration.fit import Calibration

OVERLAY_NAME = "world1946_calibrated"


def provenance(cal: Calibration, bloc: str, date: str) -> str:
    """The source string of a calibrated number: fitted, when, how well and against what."""
    return (f"calibrated by sovsim calibrate on {date}: loss {cal.loss['all']:.4f} "
            f"(bloc {bloc} {cal.loss[bloc]:.4f}; mean squared log error of yearly output per "
            f"head, {cal.agents} agents, mean of seeds {', '.join(map(str, cal.seeds))}), "
            f"{DATASET} {cal.years[0]}-{cal.years[1]}")


def overlay_text(cal: Calibration, loaded: LoadedScenario, inherits: str, name: str,
                 date: str | None = None, notes: Sequence[str] = ()) -> str:
    """The overlay scenario file: it inherits the calibrated scenario and sets, in every region
    of every bloc, the bloc's calibrated values, each with its provenance."""
    date = date or dt.date.today().isoformat()
    horizon = loaded.model.scenario
    description = (f"{horizon.description} Growth parameters calibrated per bloc against "
                   f"{DATASET} output per head {cal.years[0]}-{cal.years[1]}.")
    head = [
        f"# {name}.toml -- {loaded.name} with its growth parameters calibrated per bloc "
        f"against {DATASET} output per head {cal.years[0]}-{cal.years[1]}.",
        "#",
        "# Written by `sovsim calibrate` (sovsim.calibration); do not edit by hand, rerun it.",
        f"# Loss (mean squared log error, blocs weighted equally): {cal.loss_start['all']:.4f} "
        f"before, {cal.loss['all']:.4f} after; {cal.evaluations} candidate worlds, "
        f"{cal.runs} runs of {cal.agents} agents, {cal.wall_s:.0f} s.",
        "# Tied knobs: g0_industry sets g0_heavy and g0_light to one value. Every region of a bloc",
        "# gets its bloc's values; everything else is inherited unchanged.",
        *[f"# {note}" for note in notes],
        "",
    ]
    parts = ["\n".join(head), tomli_w.dumps({"scenario": {
        "name": name, "description": description, "start": horizon.start, "end": horizon.end,
        "inherits": inherits}})]
    for bloc in cal.blocs:
        source = provenance(cal, bloc.name, date)
        knobs = cal.knobs[bloc.name]
        start = ", ".join(f"{k.label} {v:.4g}" for k, v in
                          zip(knobs, cal.start[bloc.name], strict=True))
        parts.append("\n".join([
            "# " + "=" * 93,
            f"# Bloc {bloc.name}: {bloc.label or ', '.join(bloc.regions)}; compared with "
            f"{DATASET} {', '.join(bloc.codes)}.",
            f"# Before: {start}. Loss {cal.loss_start[bloc.name]:.4f} -> "
            f"{cal.loss[bloc.name]:.4f}.",
            "# " + "=" * 93, ""]))
        regions: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        for region in bloc.regions:
            for knob, value in zip(knobs, cal.values[bloc.name], strict=True):
                number: dict[str, Any] = {"value": _round(value)}
                if knob.unit != "1":
                    number["unit"] = knob.unit
                number["source"] = source
                table = regions.setdefault(region, {}).setdefault(knob.table, {})
                for par in knob.names:
                    table[par] = dict(number)
        parts.append(tomli_w.dumps({"regions": regions}))
    return "\n".join(parts)


def _round(value: float) -> float:
    # five significant digits: far below what the fit can tell apart, and a readable file
    return float(f"{value:.5g}")
