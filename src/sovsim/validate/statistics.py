"""The statistics of the docking checks: two samples of runs compared by a permutation test of
the difference of their means (scipy.stats.permutation_test), with Welch's t beside it
(scipy.stats.ttest_ind) for comparison. The harness that runs the models is elsewhere
(`sovsim.validate.epstein`); this module knows only samples."""

from __future__ import annotations

import numpy as np
from scipy import stats

ALPHA = 0.01  # two-sided level of each permutation test
PERMUTATIONS = 20_000


def _abs_mean_difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.abs(np.mean(x, axis=axis) - np.mean(y, axis=axis))


def permutation_test(x: np.ndarray, y: np.ndarray, alpha: float = ALPHA,
                     rounds: int = PERMUTATIONS, seed: int = 0) -> tuple[float, float]:
    """Two-sample permutation test of the difference of means.

    Returns the critical |mean(x) - mean(y)| at level alpha (the 1 - alpha quantile of the
    difference over random relabellings of the pooled runs) and the two-sided p-value of the
    observed difference: the share of relabellings at least as far from zero, counting the
    observed labelling among them.
    """
    res = stats.permutation_test((np.asarray(x, float), np.asarray(y, float)),
                                 _abs_mean_difference, permutation_type="independent",
                                 vectorized=True, n_resamples=rounds, alternative="greater",
                                 rng=seed)
    return float(np.quantile(res.null_distribution, 1 - alpha)), float(res.pvalue)


def welch(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Welch's comparison of two samples: standard error of the difference, t, two-sided p."""
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = float(np.sqrt(vx + vy))
    if se == 0.0:
        return 0.0, 0.0, 1.0 if x.mean() == y.mean() else 0.0
    res = stats.ttest_ind(x, y, equal_var=False)
    return se, float(res.statistic), float(res.pvalue)
