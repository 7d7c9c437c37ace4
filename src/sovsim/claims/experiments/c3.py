"""Claim C3 (seed ¶7): the USSR strikes at the landlords of its dependencies, the western
powers do not. One run of world1946 as it was, to the end of 1950."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sovsim.claims.experiments.counterfactuals import groups
from sovsim.claims.experiments.framework import (
    SOVIET,
    WORLD,
    Experiment,
    Judgement,
    Result,
    actual,
)
from sovsim.claims.experiments.reading import nanmean, observed, series_rows, undecided
from sovsim.classify.criteria import LANDLORDS_STRUCK, expansion_measurements
from sovsim.world.names import CLASSES

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


C3_END = "1950-12"


def measure(role: str, sim: Sim, last: int) -> Result:
    """Peasant-minus-landlord income growth since control began in each dependency, averaged
    over the USSR's and over the western powers'; yearly class incomes for the chart."""
    obs = observed(sim, last)
    year = obs.year_list()[-1]
    g = groups()
    gaps: dict[str, list[float]] = {"soviet": [], "imperialist": []}
    for c, d in obs.expansions(year):
        side = ("soviet" if obs.regions[c] == SOVIET
                else "imperialist" if obs.regions[c] in g.powers else None)
        if side is None:
            continue
        ms = {m.criterion.name: m.value for m in expansion_measurements(obs, c, d, year)}
        gaps[side].append(ms[LANDLORDS_STRUCK.name])
    series = []
    income = sim.results.classes["mean_income"]
    for name in g.buffer + g.west_deps:
        r = sim.geo.names.index(name)
        for klass in ("LANDLORD", "PEASANT"):
            series += series_rows(sim, last, name, f"mean_income_{klass}",
                                  income[: last + 1, r, CLASSES.index(klass)])
    return {"metrics": {f"{side}_gap": nanmean(v) for side, v in gaps.items()},
            "series": series}


def judge(res: dict[str, Result]) -> Judgement:
    """Peasants outgrow landlords under the USSR; not under the western powers."""
    m = res["actual"]["metrics"]
    details = {"soviet_gap_pct": 100 * m["soviet_gap"],
               "imperialist_gap_pct": 100 * m["imperialist_gap"]}
    if undecided(m["soviet_gap"], m["imperialist_gap"]):
        return None, math.nan, details
    return (m["soviet_gap"] > 0 >= m["imperialist_gap"],
            100 * (m["soviet_gap"] - m["imperialist_gap"]), details)


def experiment() -> Experiment:
    """C3: the actual world to the end of 1950."""
    return Experiment("C3", WORLD, (("actual", actual(end=C3_END)),), measure, judge)
