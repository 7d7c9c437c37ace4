"""The politics patterns of `sovsim history` (HISTORY.md P1-P5), measured on monthly series.

Mass action, authorities and the course move month by month; a yearly mean would smear a
one-month outburst into nothing, so these measures read each run's monthly series
(`Trajectory.monthly`, months counted from year 0 as `sovsim.world.build.month_index`). Every
function here takes one run's arrays and returns plain numbers; `validate.history` turns them into
scorecard rows (a statistic per seed, its median over seeds, the seeds' range).

Definitions (the tolerances are HISTORY.md's):

- share in action: (persons in left action + persons in right action) / population, per month;
- an OUTBURST: a maximal run of consecutive months with a region's share in action >= 1%;
- P1's "outside a war or a change of authority": a month is excused when the region is at war
  (war deaths that month) or lies within `CHANGE_MONTHS` of a month in which its authority or
  its controller changed, either side (the action that brings a change about, and its
  aftermath, are that change); a run of months above 3.5% counts only over months not excused;
- P2 "leaves colonial rule": the first month from the start in which the region's authority is
  not the colonial administration;
- P4: reversals of the USSR's course counted as claim C4 counts them
  (`authorities.course.count_reversals` with `REVERSAL_SWING`).
"""

from __future__ import annotations

import math

import numpy as np

from sovsim.authorities.course import REVERSAL_SWING, count_reversals
from sovsim.world.names import AUTHORITIES

OUTBURST = 0.01          # P1, P3: a month with >= 1% of a region in action
DECADE_CEILING = 0.03    # P1: every region-decade's mean share in action at most 3%
THREAT = 0.035           # P1: Chenoweth & Stephan's 3.5%
THREAT_MONTHS = 24       # P1: ... for at most 24 consecutive months
CHANGE_MONTHS = 24       # P1: months either side of a change of authority that are excused
OUTBURST_MONTHS = 24     # P3: each buffer outburst over within 24 months
COLONIAL = AUTHORITIES.index("colonial")
COLONIES = ("India", "Indonesia", "Indochina")
LEAVE_BY = 1965          # P2
BUFFER = ("Poland", "Czechoslovakia", "Hungary", "Romania", "Bulgaria", "Germany_East")
ZIGZAG_YEARS = (1953, 1991)  # P4
MASS_LEFT = ("France", "Italy")                 # P5: mass communist parties
MARGINAL_LEFT = ("UK", "USA", "Germany_West")   # P5: marginal ones
W_BOUNDS = (0.0, 0.5)    # P5
WINDOW = (1946, 1989)    # P1, P3, P5


def year_of(months: np.ndarray) -> np.ndarray:
    return np.asarray(months) // 12


def in_years(months: np.ndarray, first: int, last: int) -> np.ndarray:
    y = year_of(months)
    return (y >= first) & (y <= last)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of every maximal run of True in a 1-d mask."""
    m = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def action_share(left: np.ndarray, right: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Share of the people in action (left + right) per month and region."""
    return (left + right) / np.maximum(population, 1e-12)


def excused(authority: np.ndarray, controller: np.ndarray, war_deaths: np.ndarray,
            around: int = CHANGE_MONTHS) -> np.ndarray:
    """(months, regions) mask of the months P1 leaves out: at war, or within `around` months of
    a change of authority or controller."""
    out = np.asarray(war_deaths) > 0
    changed = np.zeros_like(out)
    changed[1:] = ((np.diff(authority, axis=0) != 0) | (np.diff(controller, axis=0) != 0))
    months = out.shape[0]
    for i, r in zip(*np.nonzero(changed), strict=True):
        out[max(0, i - around): min(months, i + around + 1), r] = True
    return out


def decade_means(months: np.ndarray, x: np.ndarray, first: int, last: int
                 ) -> dict[int, np.ndarray]:
    """Decade (1940, 1950, ...) -> mean of x over that decade's months in [first, last], per
    region."""
    y = year_of(months)
    keep = (y >= first) & (y <= last)
    out = {}
    for decade in sorted({int(v) // 10 * 10 for v in y[keep]}):
        pick = keep & (y // 10 * 10 == decade)
        out[decade] = x[pick].mean(axis=0)
    return out


def waves(months: np.ndarray, share: np.ndarray, authority: np.ndarray, controller: np.ndarray,
          war_deaths: np.ndarray, regions: list[str]) -> dict[str, object]:
    """P1 on one run: the worst region-decade mean share in action, the longest run of months
    above 3.5% not excused by a war or a change of authority, the number of outbursts."""
    pick = in_years(months, *WINDOW)
    s, ok = share[pick], ~excused(authority, controller, war_deaths)[pick]
    worst, where = -math.inf, ""
    for decade, means in decade_means(months[pick], s, *WINDOW).items():
        j = int(np.argmax(means))
        if means[j] > worst:
            worst, where = float(means[j]), f"{regions[j]} {decade}s"
    longest, long_where = 0, ""
    outbursts = 0
    for j, region in enumerate(regions):
        for start, length in runs((s[:, j] > THREAT) & ok[:, j]):
            if length > longest:
                longest, long_where = length, f"{region} from {_date(months[pick][start])}"
        outbursts += len(runs(s[:, j] >= OUTBURST))
    return {"worst": worst, "worst_where": where, "longest": longest,
            "longest_where": long_where, "outbursts": outbursts}


def left_colonial_rule(months: np.ndarray, authority: np.ndarray) -> float:
    """Year of the first month in which a region's authority is not colonial (inf if never)."""
    out = np.flatnonzero(np.asarray(authority) != COLONIAL)
    return float(year_of(months[out[0]])) if out.size else math.inf


def buffer_crises(months: np.ndarray, share: np.ndarray) -> tuple[int, int]:
    """P3 on one run: (outbursts across the buffer regions' columns of `share` in 1946-1989,
    the longest of them in months). An outburst still going at the window's end counts its
    months so far."""
    pick = in_years(months, *WINDOW)
    count, longest = 0, 0
    for j in range(share.shape[1]):
        found = runs(share[pick, j] >= OUTBURST)
        count += len(found)
        longest = max([longest, *(length for _, length in found)])
    return count, longest


def zigzags(months: np.ndarray, course: np.ndarray) -> tuple[int, str]:
    """P4 on one run: reversals of the course in 1953-1991 (as far as the run goes), and the
    years counted."""
    pick = in_years(months, *ZIGZAG_YEARS)
    if not pick.any():
        return 0, "none"
    idx, _ = count_reversals(np.asarray(course)[pick], REVERSAL_SWING)
    years = year_of(months[pick])
    return int(idx.size), f"{int(years[0])}-{int(years[-1])}"


def tendency_ranks(months: np.ndarray, w: np.ndarray, regions: list[str]
                   ) -> dict[int, dict[str, float]]:
    """Decade -> region -> mean strength W of the proletarian tendency, for the P5 regions."""
    cols = [regions.index(r) for r in (*MASS_LEFT, *MARGINAL_LEFT)]
    out = {}
    for decade, means in decade_means(months, w[:, cols], *WINDOW).items():
        out[decade] = {r: float(means[k]) for k, r in enumerate((*MASS_LEFT, *MARGINAL_LEFT))}
    return out


def rank_margin(decades: dict[int, dict[str, float]]) -> tuple[float, int]:
    """Smallest margin over decades of min(W of France, Italy) - max(W of UK, USA, West
    Germany), and the decade where it is smallest: > 0 when the ranking holds everywhere."""
    worst, where = math.inf, 0
    for decade, w in decades.items():
        margin = min(w[r] for r in MASS_LEFT) - max(w[r] for r in MARGINAL_LEFT)
        if margin < worst:
            worst, where = margin, decade
    return worst, where


def _date(month: int) -> str:
    return f"{int(month) // 12}-{int(month) % 12 + 1:02d}"
