"""Claim C7 (seed ¶14): withdrawal from the buffer zone would serve the world's workers better
than occupation. world1946 as it was against the army's withdrawal in September 1946."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sovsim.claims.experiments.counterfactuals import groups, withdrawal_overrides
from sovsim.claims.experiments.framework import (
    WORLD,
    Experiment,
    Judgement,
    Result,
    actual,
    setting,
)
from sovsim.claims.experiments.reading import (
    index,
    series_rows,
    undecided,
    weighted,
    year_mean,
    years_of,
)
from sovsim.world.names import AUTHORITIES

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


C7_END = "1955-12"
SURVIVAL_TOLERANCE = 0.05   # five points of capital: the classifier's NATIONALISATION_MIN


def measure(role: str, sim: Sim, last: int) -> Result:
    """World left mobilisation (share of the population of 1946's capitalist and colonial
    regions in left action), prestige D, and the buffer's collective share."""
    g = groups()
    reg = sim.results.regions
    uc = index(sim, g.under_capital)
    left = 100 * reg["active_left"][: last + 1, uc].sum(axis=1) / np.maximum(
        reg["population"][: last + 1, uc].sum(axis=1), 1.0)
    prestige = sim.results.world["prestige"][: last + 1]
    coll = weighted(sim, "collective_share", g.buffer, last)
    final_year = int(years_of(sim, last)[-1])
    councils = AUTHORITIES.index("councils")
    metrics = {"left_pct": float(np.nanmean(left)), "prestige": float(np.nanmean(prestige)),
               "buffer_collective": year_mean(coll, sim, final_year),
               "buffer_councils": float(np.sum(reg["authority"][last, index(sim, g.buffer)]
                                               == councils))}
    series = (series_rows(sim, last, "under_capital", "active_left_pct", left)
              + series_rows(sim, last, "world", "prestige", prestige)
              + series_rows(sim, last, "buffer", "collective_share", coll))
    return {"metrics": metrics, "series": series}


def judge(res: dict[str, Result]) -> Judgement:
    """Withdrawal raises world left mobilisation and prestige and keeps the buffer's collective
    property within five points of occupation's."""
    o, w = res["occupation"]["metrics"], res["withdrawal"]["metrics"]
    d = {k: w[k] - o[k] for k in ("left_pct", "prestige", "buffer_collective")}
    details = {f"diff_{k}": v for k, v in d.items()} | {
        "councils_after_withdrawal": w["buffer_councils"]}
    if undecided(*d.values()):
        return None, math.nan, details
    supports = (d["left_pct"] > 0 and d["prestige"] > 0
                and d["buffer_collective"] >= -SURVIVAL_TOLERANCE)
    return supports, d["left_pct"], details


def experiment() -> Experiment:
    """C7: occupation against withdrawal, to the end of 1955."""
    return Experiment("C7", WORLD, (("occupation", actual(end=C7_END)),
                                    ("withdrawal", setting("world1946-withdrawal", WORLD,
                                                           withdrawal_overrides(), end=C7_END))),
                      measure, judge)
