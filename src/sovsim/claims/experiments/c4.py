"""Claim C4 (seed ¶10-11): which theory of the bureaucracy explains the zigzags of Soviet policy.

`ussr1921` (1921-1953) is run under each theory of the bureaucracy (dws, state-capitalism,
bureaucratic-collectivism) and the shocks-only baseline, with the same seed, the same drawn
parameters and the same scheduled shocks, so that the runs differ only in what moves the course.
From the USSR's monthly course x(t) each run measures:

* its reversals: turning points after a swing of at least `REVERSAL_SWING` each way
  (`course.count_reversals`), and their mean spacing in months;
* their fit to the dated turns of the historical timeline (`course.soviet_turns`, the turns inside
  the horizon, one per run of same-direction decrees): the share of historical turns matched by a
  simulated reversal of the same direction within `WINDOW_MONTHS`, and the share of simulated
  reversals that match a historical turn (`course.timing_score`);
* a single timing score, the F1 (harmonic mean) of the two shares: it rewards a theory that
  finds the dated turns without producing many others (a theory that zigzags every year matches
  every turn but most of its reversals match nothing). A share over nothing counts as 0.

C4 is supported in a draw when the dws score exceeds each rival's and the shocks-only baseline's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sovsim.authorities.course import (
    REVERSAL_SWING,
    as_arrays,
    count_reversals,
    first_of_runs,
    mean_spacing,
    soviet_turns,
    timing_score,
)
from sovsim.claims.experiments.framework import USSR1921, Experiment, ussr1921

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim

# The theories compared, the claim's own first; `shocks-only` is the baseline every theory must
# beat (zigzags caused by harvests alone are not credited to a theory).
THEORY_ORDER = ("dws", "state-capitalism", "bureaucratic-collectivism", "shocks-only")
CLAIMED = "dws"
# a decree and the turn of the course that answers it may lie a harvest year and a half apart:
# procurement campaigns, plenums and their execution took that long (the brief's 18 months)
WINDOW_MONTHS = 18
REGION = "USSR"
C4_COLUMNS = ("theory", "run_id", "reversals", "mean_spacing_months", "hist_matched",
              "sim_matched", "score")


def f1(recall: float, precision: float) -> float:
    """Harmonic mean of two shares; 0 when either is 0 or not measured (nan)."""
    r = 0.0 if math.isnan(recall) else recall
    p = 0.0 if math.isnan(precision) else precision
    return 2.0 * r * p / (r + p) if r + p > 0 else 0.0


def historical_turns(first_month: int, last_month: int) -> tuple[np.ndarray, np.ndarray]:
    """(months, directions) of the dated turns inside [first_month, last_month], the first of
    each run of same-direction turns (a cluster of decrees is one turn of the line)."""
    turns = [t for t in soviet_turns() if first_month <= t.month <= last_month]
    months, dirs = as_arrays(turns)
    return first_of_runs(months, dirs)


def zigzag_measures(course: np.ndarray, first_month: int) -> dict[str, float]:
    """Reversals, their mean spacing and their timing against the dated turns, for a monthly
    course series starting at month index `first_month`."""
    idx, dirs = count_reversals(course, REVERSAL_SWING)
    hist = historical_turns(first_month, first_month + len(course) - 1)
    recall, precision = timing_score((first_month + idx, dirs), hist, WINDOW_MONTHS)
    return {"reversals": float(len(idx)), "mean_spacing_months": mean_spacing(idx),
            "hist_matched": recall, "sim_matched": precision, "score": f1(recall, precision)}


def measure(theory: str, sim: Sim, last: int) -> dict[str, Any]:
    """C4's measures of one theory's run up to step `last`, with the monthly course for the
    series (year as a float with the month's fraction)."""
    r = sim.geo.names.index(REGION)
    course = np.asarray(sim.results.regions["course"][: last + 1, r], dtype=float)
    months = sim.first_month + np.arange(last + 1)
    series = [(float(m / 12.0), REGION, "course", float(x)) for m, x in zip(months, course,
                                                                              strict=True)]
    return {"metrics": zigzag_measures(course, sim.first_month), "series": series}


def judge(results: dict[str, dict[str, Any]]) -> tuple[bool | None, float, dict[str, float]]:
    """(supports, effect, details) of one draw: dws's score against the best of the others."""
    scores = {th: float(results[th]["metrics"]["score"]) for th in THEORY_ORDER}
    best_other = max(v for th, v in scores.items() if th != CLAIMED)
    details = {f"score_{th}": v for th, v in scores.items()}
    details.update({f"reversals_{th}": float(results[th]["metrics"]["reversals"])
                    for th in THEORY_ORDER})
    return scores[CLAIMED] > best_other, scores[CLAIMED] - best_other, details


def rows(run_id: int, results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of c4.parquet for one draw: one per theory."""
    out = []
    for th in THEORY_ORDER:
        if th not in results:
            continue
        m = results[th]["metrics"]
        out.append({"theory": th, "run_id": int(run_id), "reversals": int(m["reversals"]),
                    "mean_spacing_months": float(m["mean_spacing_months"]),
                    "hist_matched": float(m["hist_matched"]),
                    "sim_matched": float(m["sim_matched"]), "score": float(m["score"])})
    return out


def experiment() -> Experiment:
    """C4: ussr1921 under every theory and the shocks-only baseline."""
    return Experiment("C4", USSR1921, tuple((th, ussr1921(th)) for th in THEORY_ORDER),
                      measure, judge)


__all__ = ["C4_COLUMNS", "THEORY_ORDER", "WINDOW_MONTHS", "experiment", "f1", "historical_turns",
           "judge", "measure", "rows", "zigzag_measures"]
