"""Claim C9 (seed ¶4): the victims of the USSR's collectivisation against those of the buffer
zone's reforms: ussr1921 (dws) over 1929-33 against world1946 over 1946-53."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sovsim.claims.experiments.counterfactuals import groups
from sovsim.claims.experiments.framework import (
    SOVIET,
    WORLD,
    Experiment,
    Judgement,
    Result,
    actual,
    ussr1921,
)
from sovsim.claims.experiments.reading import index
from sovsim.world.build import month_index

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


C9_WINDOWS = {"ussr": ("1929-11", "1933-12"), "buffer": ("1946-01", "1953-12")}


def measure(role: str, sim: Sim, last: int) -> Result:
    """Victims (famine plus terror deaths) in the role's window and regions: absolute, and per
    1000 persons a year; yearly victims for the chart."""
    first, final = C9_WINDOWS[role]
    names = (SOVIET,) if role == "ussr" else groups().buffer
    idx = index(sim, names)
    reg = sim.results.regions
    deaths = (reg["deaths_famine"][: last + 1, idx] + reg["deaths_terror"][: last + 1, idx]
              ).sum(axis=1)
    months = sim.first_month + np.arange(last + 1)
    sel = (months >= month_index(first)) & (months <= month_index(final))
    victims = float(deaths[sel].sum())
    pop = float(reg["population"][: last + 1, idx].sum(axis=1)[sel].mean()) if sel.any() else 0.0
    per = 1000 * victims / pop / (sel.sum() / 12.0) if pop > 0 and sel.any() else math.nan
    region = SOVIET if role == "ussr" else "buffer"
    years = months // 12
    series = [(float(y), region, "victims", float(deaths[years == y].sum()))
              for y in np.unique(years[sel])]
    return {"metrics": {"victims": victims, "per_1000_year": per}, "series": series}


def judge(res: dict[str, Result]) -> Judgement:
    """More victims in the USSR's collectivisation than in the buffer zone, absolute."""
    u, b = res["ussr"]["metrics"], res["buffer"]["metrics"]
    details = {"victims_ussr": u["victims"], "victims_buffer": b["victims"],
               "per_1000_year_ussr": u["per_1000_year"],
               "per_1000_year_buffer": b["per_1000_year"]}
    return u["victims"] > b["victims"], (u["victims"] - b["victims"]) / 1e6, details


def experiment() -> Experiment:
    """C9: the USSR's collectivisation window against the buffer zone's."""
    return Experiment("C9", WORLD, (("ussr", ussr1921("dws", end=C9_WINDOWS["ussr"][1])),
                                    ("buffer", actual(end=C9_WINDOWS["buffer"][1]))),
                      measure, judge)
