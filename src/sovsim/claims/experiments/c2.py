"""Claim C2 (seed ¶6, 9): the reforms in the buffer zone develop its productive forces.
world1946 as it was against restored pre-war capitalism in the buffer zone after 10 and 20
years, and a sweep of pillage rates: the rate at which the reforms fall behind."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from sovsim.claims.experiments.counterfactuals import (
    groups,
    pillage_overrides,
    restored_overrides,
)
from sovsim.claims.experiments.framework import (
    WORLD,
    Experiment,
    Judgement,
    Result,
    actual,
    setting,
)
from sovsim.claims.experiments.reading import index, series_rows, undecided, weighted, year_mean

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


C2_YEARS = (1955, 1965)                 # 10 and 20 years on
# pillage rates (1/year) of the sweep, each held for ten years: none, Hungary's and Romania's
# removals of 1946-47 (0.02), half the Soviet zone's of 1946 (0.05; world1946.toml)
C2_SWEEP = (0.0, 0.02, 0.05)
C2_SWEEP_END = "1955-12"


def sweep_role(rate: float) -> str:
    """The role name of a sweep run."""
    return f"pillage={rate:g}"


def measure(role: str, sim: Sim, last: int) -> Result:
    """Population-weighted output per head of the buffer regions: its yearly series (and each
    region's) and its value in 1955 and 1965."""
    buf = groups().buffer
    y = weighted(sim, "output_per_capita", buf, last)
    metrics = {f"y{year}": year_mean(y, sim, year) for year in C2_YEARS}
    series = series_rows(sim, last, "buffer", "output_per_capita", y)
    if not role.startswith("pillage="):
        reg = sim.results.regions["output_per_capita"]
        for name, r in zip(buf, index(sim, buf), strict=True):
            series += series_rows(sim, last, name, "output_per_capita", reg[: last + 1, r])
    return {"metrics": metrics, "series": series}


def flip_rate(gaps: list[tuple[float, float]]) -> float:
    """The pillage rate at which reforms fall behind restored capitalism: linear interpolation
    between the sweep's rates where the gap changes sign; 0 if behind even without pillage,
    inf if ahead at every rate of the sweep, nan if the sweep has no measure."""
    pts = [(p, g) for p, g in sorted(gaps) if not math.isnan(g)]
    if not pts:
        return math.nan
    if pts[0][1] <= 0:
        return 0.0
    for (p0, g0), (p1, g1) in itertools.pairwise(pts):
        if g0 > 0 >= g1:
            return p0 + (p1 - p0) * g0 / (g0 - g1)
    return math.inf


def judge(res: dict[str, Result]) -> Judgement:
    """Reforms ahead of restored capitalism after 10 and 20 years; the sweep's flip rate."""
    ref, rest = res["reforms"]["metrics"], res["restored"]["metrics"]
    gap = {year: ref[f"y{year}"] / rest[f"y{year}"] - 1.0 for year in C2_YEARS}
    ten = C2_YEARS[0]
    sweep = [(p, res[sweep_role(p)]["metrics"][f"y{ten}"] / rest[f"y{ten}"] - 1.0)
             for p in C2_SWEEP if sweep_role(p) in res]
    details = {f"gap_{year}_pct": 100 * g for year, g in gap.items()}
    details.update({f"gap_{ten}_pct_at_pillage_{p:g}": 100 * g for p, g in sweep})
    details["pillage_flip_rate"] = flip_rate(sweep)
    if undecided(*gap.values()):
        return None, math.nan, details
    return all(g > 0 for g in gap.values()), 100 * gap[C2_YEARS[-1]], details


def experiment() -> Experiment:
    """C2: reforms, restored capitalism and the pillage sweep."""
    end = f"{C2_YEARS[-1]}-12"
    roles = (("reforms", actual(end=end)),
             ("restored", setting("world1946-restored", WORLD, restored_overrides(), end=end)))
    roles += tuple((sweep_role(p), setting(f"world1946-pillage-{p:g}", WORLD,
                                           pillage_overrides(p), end=C2_SWEEP_END))
                   for p in C2_SWEEP)
    return Experiment("C2", WORLD, roles, measure, judge)
