"""Verdicts on the essay's claims: how many runs support each claim, how large its effect is, and
which assumptions decide it (MODEL.md §6).

For each claim the ensemble gives one outcome per draw: whether the draw's runs support the claim
(None when the rule cannot decide) and its paired effect. The verdict reports

* the share of deciding runs that support the claim, with its 95% Wilson score interval
  (Wilson 1927: unlike the normal approximation it stays inside [0, 1] and is sound at shares
  near 0 or 1 and at a few dozen runs);
* a label: "supported" when the interval's lower bound is at least 0.9, "refuted" when its upper
  bound is at most 0.1, "undecided" otherwise: the software reports what the model does, it does
  not advocate;
* the median of the paired effect with a 95% percentile-bootstrap interval of that median;
* the parameters that decide it: Spearman's rank correlation of each drawn parameter with the
  effect across runs, the five largest in absolute value (a global, rank-based sensitivity that
  needs no model of its own and is robust to the effect's scale and outliers).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

Z95 = 1.959963984540054           # the standard normal's 97.5% quantile
SUPPORTED_LOW = 0.9               # lower bound at or above which a claim is supported
REFUTED_HIGH = 0.1                # upper bound at or below which a claim is refuted
SUPPORTED, REFUTED, UNDECIDED = "supported", "refuted", "undecided"
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240727         # fixed: a verdict is a function of the runs alone
TOP_PARAMETERS = 5
VERDICT_COLUMNS = ("claim", "title", "statement", "n_runs", "n_support", "share", "share_low",
                   "share_high", "label", "effect_name", "effect_unit", "effect_median",
                   "effect_low", "effect_high")


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share k/n (with n = 0: the whole [0, 1])."""
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def label(low: float, high: float) -> str:
    """supported / refuted / undecided from a share's 95% interval."""
    if low >= SUPPORTED_LOW:
        return SUPPORTED
    if high <= REFUTED_HIGH:
        return REFUTED
    return UNDECIDED


def min_decisive_runs(z: float = Z95) -> int:
    """The fewest runs with which a unanimous ensemble is labelled supported (or refuted): the
    Wilson bound of n of n is n / (n + z^2), at least SUPPORTED_LOW from n = 9 z^2 on (35)."""
    n = 1
    while wilson(n, n, z)[0] < SUPPORTED_LOW or wilson(0, n, z)[1] > REFUTED_HIGH:
        n += 1
    return n


def median_interval(values: np.ndarray | list[float], resamples: int = BOOTSTRAP_RESAMPLES,
                    seed: int = BOOTSTRAP_SEED) -> tuple[float, float, float]:
    """(median, low, high): the median of the finite values and a 95% percentile-bootstrap
    interval of it (scipy.stats.bootstrap; nan without values, the value itself with one)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    med = float(np.median(x))
    if x.size == 1 or np.ptp(x) == 0:
        return med, med, med   # every resample is the same sample
    res = stats.bootstrap((x,), np.median, n_resamples=resamples, confidence_level=0.95,
                          method="percentile", vectorized=True, axis=-1, rng=seed)
    return med, float(res.confidence_interval.low), float(res.confidence_interval.high)


def spearman(x: np.ndarray | list[float], y: np.ndarray | list[float]) -> float:
    """Spearman's rank correlation of paired values (finite pairs only; nan if either side is
    constant or fewer than three pairs remain)."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(stats.spearmanr(a, b).statistic)


def chance_rho(n: int) -> float:
    """|rho| that n independent pairs exceed by chance one time in twenty (two-sided), in the
    large-sample approximation 1.96 / sqrt(n - 1); nan below three pairs."""
    return Z95 / math.sqrt(n - 1) if n >= 3 else math.nan


def sensitivity(pars: dict[str, list[float]], effects: list[float],
                top: int = TOP_PARAMETERS) -> list[tuple[str, float]]:
    """The `top` parameters whose drawn values rank-correlate most (in absolute value) with the
    effect: (name, rho), strongest first; parameters with an undefined rho are left out."""
    rows = [(name, spearman(values, effects)) for name, values in pars.items()]
    rows = [(n, r) for n, r in rows if not math.isnan(r)]
    rows.sort(key=lambda row: (-abs(row[1]), row[0]))
    return rows[:top]


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict over an ensemble: support share with its interval, label, effect."""

    claim: str
    title: str
    statement: str
    n_runs: int
    n_support: int
    share: float
    share_low: float
    share_high: float
    label: str
    effect_name: str
    effect_unit: str
    effect_median: float
    effect_low: float
    effect_high: float

    def row(self) -> dict[str, object]:
        """The verdict as a row of verdicts.parquet."""
        return asdict(self)


def verdict(claim: str, title: str, statement: str, effect_name: str, effect_unit: str,
            supports: list[bool | None], effects: list[float]) -> Verdict:
    """A claim's verdict from its runs' outcomes (undecidable runs, None, are not counted)."""
    decided = [bool(s) for s in supports if s is not None]
    n, k = len(decided), sum(decided)
    low, high = wilson(k, n)
    med, e_low, e_high = median_interval(effects)
    return Verdict(claim, title, statement, n, k, k / n if n else math.nan, low, high,
                   label(low, high) if n else UNDECIDED, effect_name, effect_unit, med, e_low,
                   e_high)


__all__ = ["REFUTED", "SUPPORTED", "UNDECIDED", "VERDICT_COLUMNS", "Verdict", "chance_rho", "label",
           "median_interval", "min_decisive_runs", "sensitivity", "spearman", "verdict",
           "wilson"]
