"""Claim C5 (seed ¶11): the bureaucracy defends collective ownership in the end. ussr1921
under each theory of the bureaucracy (the runs of C4): collective property must dominate at
the end under dws; the other theories are reported beside it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sovsim.claims.experiments import c4
from sovsim.claims.experiments.framework import (
    SOVIET,
    USSR1921,
    Experiment,
    Judgement,
    Result,
    ussr1921,
)
from sovsim.claims.experiments.reading import series_rows, undecided, year_mean, years_of

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


DOMINANT = 0.5   # the classifier's COLLECTIVE_PROPERTY_MIN: collective property dominates


def measure(role: str, sim: Sim, last: int) -> Result:
    """The USSR's collective share at the start and in the run's last year; yearly series of
    the collective share and the pro-capitalist tendency P."""
    r = sim.geo.names.index(SOVIET)
    reg = sim.results.regions
    coll = reg["collective_share"][: last + 1, r]
    final_year = int(years_of(sim, last)[-1])
    metrics = {"start": float(coll[0]), "end": year_mean(coll, sim, final_year),
               "lowest": float(np.nanmin(coll)),
               "peak_pressure": float(np.nanmax(reg["pro_capitalist"][: last + 1, r]))}
    series = (series_rows(sim, last, SOVIET, "collective_share", coll)
              + series_rows(sim, last, SOVIET, "pro_capitalist",
                            reg["pro_capitalist"][: last + 1, r]))
    return {"metrics": metrics, "series": series}


def judge(res: dict[str, Result]) -> Judgement:
    """Collective property dominant in the end under dws; the other theories reported."""
    details: dict[str, float] = {}
    for theory in c4.THEORY_ORDER:
        m = res[theory]["metrics"]
        details[f"end_{theory}"] = m["end"]
        details[f"recovered_{theory}"] = float(m["end"] >= DOMINANT)
    m = res[c4.CLAIMED]["metrics"]
    if undecided(m["end"], m["start"]):
        return None, math.nan, details
    return m["end"] >= DOMINANT, m["end"] - m["start"], details


def experiment() -> Experiment:
    """C5: ussr1921 under every theory (the same runs as C4's)."""
    return Experiment("C5", USSR1921, tuple((th, ussr1921(th)) for th in c4.THEORY_ORDER),
                      measure, judge)
