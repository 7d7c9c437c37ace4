"""Claim C6 (seed ¶12): an attack on the USSR would colonise it and throw it back. world1946
with the USA attacking the USSR in July 1946, to a year after the longest war its priors allow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sovsim.claims.experiments.counterfactuals import ATTACK_DATE, attack_end, attack_overrides
from sovsim.claims.experiments.framework import (
    SOVIET,
    WORLD,
    Experiment,
    Judgement,
    Result,
    setting,
)
from sovsim.claims.experiments.reading import capital_share, series_rows
from sovsim.classify.criteria import FOREIGN_OWNERSHIP_MIN
from sovsim.world.build import month_index
from sovsim.world.names import AUTHORITIES

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


def measure(role: str, sim: Sim, last: int) -> Result:
    """The USSR at the horizon: defeated, foreign share of its capital, years thrown back, and
    its output per head before the attack and in the horizon's last twelve months."""
    r = sim.geo.names.index(SOVIET)
    reg = sim.results.regions
    foreign = capital_share(sim, "foreign", r, last)
    y = reg["output_per_capita"][: last + 1, r]
    attack = month_index(ATTACK_DATE) - sim.first_month
    colonial = AUTHORITIES.index("colonial")
    metrics = {"defeated": float(reg["authority"][last, r] == colonial
                                 or reg["controller"][last, r] != r),
               "foreign_share": float(foreign[-1]),
               "years_thrown_back": float(reg["years_thrown_back"][last, r]),
               "output_before": float(np.mean(y[: max(attack, 1)])),
               "output_after": float(np.mean(y[-12:]))}
    series = (series_rows(sim, last, SOVIET, "output_per_capita", y)
              + series_rows(sim, last, SOVIET, "foreign_share", foreign)
              + series_rows(sim, last, SOVIET, "years_thrown_back",
                            reg["years_thrown_back"][: last + 1, r]))
    return {"metrics": metrics, "series": series}


def judge(res: dict[str, Result]) -> Judgement:
    """Defeated, colonised (foreign share at least the classifier's 0.2) and thrown back: its
    output per head in the horizon's last year below what it was before the attack."""
    m = res["attack"]["metrics"]
    details = dict(m)
    supports = (m["defeated"] > 0 and m["foreign_share"] >= FOREIGN_OWNERSHIP_MIN
                and m["output_after"] < m["output_before"])
    return supports, m["years_thrown_back"], details


def experiment() -> Experiment:
    """C6: the attack."""
    return Experiment("C6", WORLD, (("attack", setting("world1946-attack", WORLD,
                                                       attack_overrides(), end=attack_end())),),
                      measure, judge)
