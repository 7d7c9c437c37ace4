"""Reading a finished run for the claims: calendar years, yearly means, population-weighted
aggregates over region groups, capital shares, series rows, the classifier's view."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sovsim.classify.criteria import Observed
from sovsim.world.names import CLASSES, Owner

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


def years_of(sim: Sim, last: int) -> np.ndarray:
    """The calendar year of each step 0..last."""
    return (sim.first_month + np.arange(last + 1)) // 12


def year_mean(x: np.ndarray, sim: Sim, year: int) -> float:
    """Mean of a monthly series over a calendar year (nan if the run has none of it)."""
    years = (sim.first_month + np.arange(len(x))) // 12
    sel = x[years == year]
    return float(np.nanmean(sel)) if sel.size else math.nan


def yearly(x: np.ndarray, sim: Sim, last: int) -> list[tuple[float, float]]:
    """(year, mean) of a monthly series over steps 0..last."""
    years = years_of(sim, last)
    return [(float(y), float(np.nanmean(x[: last + 1][years == y]))) for y in np.unique(years)]


def index(sim: Sim, names: tuple[str, ...] | list[str]) -> list[int]:
    """Region indices of names."""
    return [sim.geo.names.index(n) for n in names]


def weighted(sim: Sim, variable: str, names: tuple[str, ...], last: int) -> np.ndarray:
    """Population-weighted monthly mean of a region variable over some regions."""
    reg = sim.results.regions
    idx = index(sim, names)
    pop = reg["population"][: last + 1, idx]
    return (reg[variable][: last + 1, idx] * pop).sum(axis=1) / np.maximum(pop.sum(axis=1), 1.0)


def capital_share(sim: Sim, owner: str, r: int, last: int) -> np.ndarray:
    """Monthly share of region r's capital held by one owner."""
    reg = sim.results.regions
    total = sum(reg[f"capital_{o.name.lower()}"][: last + 1, r] for o in Owner)
    return reg[f"capital_{owner}"][: last + 1, r] / np.maximum(total, 1e-12)


def series_rows(sim: Sim, last: int, region: str, variable: str,
                x: np.ndarray) -> list[tuple[float, str, str, float]]:
    """Yearly-mean series rows (year, region, variable, value)."""
    return [(y, region, variable, v) for y, v in yearly(x, sim, last)]


def observed(sim: Sim, last: int) -> Observed:
    """The classifier's view of a run's first `last + 1` months, straight from its arrays."""
    res = sim.results
    return Observed(tuple(sim.geo.names), np.array(sim.dates()[: last + 1]),
                    {k: v[: last + 1] for k, v in res.regions.items()},
                    {k: v[: last + 1] for k, v in res.classes.items()},
                    tuple(CLASSES), {k: v[: last + 1] for k, v in res.links.items()})


def nanmean(values: list[float]) -> float:
    """Mean of the values that are not nan (nan if none is)."""
    ok = [v for v in values if not math.isnan(v)]
    return float(np.mean(ok)) if ok else math.nan


def undecided(*values: float) -> bool:
    """Whether a rule cannot decide: one of its measures is nan."""
    return any(math.isnan(v) for v in values)
