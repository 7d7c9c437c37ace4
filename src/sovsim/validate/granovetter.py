"""Granovetter's (1978) threshold model of collective behaviour, as a docking case.

Each person acts once at least `threshold` others already act. Starting from nobody, the number
acting grows by rounds, n_{t+1} = #{thresholds <= n_t}, until it stops at the smallest fixed
point of the threshold distribution. It is the skeleton of the mobilisation rule of
`sovsim.politics.mobilisation`: there an agent also goes active when enough others are active
(more actives in vision lower its arrest probability), only the threshold is set by grievance,
risk aversion and the enforcers around it.

Source: M. Granovetter, "Threshold Models of Collective Behavior", American Journal of Sociology
83(6) (1978) 1420-1443. Figures: the project's VALIDATION notes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sovsim.validate.checks import Check

CASE = "granovetter-1978"


def cascade(thresholds: np.ndarray, start: int = 0) -> np.ndarray | int:
    """How many people end up acting, in one population (1-D) or in each row of a 2-D array.

    A person acts once the number already acting is at least its threshold; `start` people act
    from the outset whatever their thresholds (0 in Granovetter's examples).
    """
    t = np.sort(np.atleast_2d(np.asarray(thresholds, np.float64)), axis=1)
    acting = np.full(t.shape[0], start, np.int64)
    while True:
        # Sorted rows: the count of thresholds <= n is a vectorised comparison and a sum.
        new = np.maximum((t <= acting[:, None]).sum(axis=1), start)
        if np.array_equal(new, acting):
            break
        acting = new
    return int(acting[0]) if np.ndim(thresholds) == 1 else acting


def cascade_continuous(
    cdf: Callable[[float], float], size: float, start: float = 0.0, tol: float = 1e-12,
    max_rounds: int = 10_000_000,
) -> float:
    """The equilibrium x = size * F(x) reached from `start`, F the thresholds' distribution.

    The continuous (expected-value) form of `cascade`: rounds of x <- size * F(x), which rise
    monotonically to the smallest fixed point above `start`.
    """
    x = start
    for _ in range(max_rounds):
        nxt = size * cdf(x)
        if abs(nxt - x) <= tol:
            return nxt
        x = nxt
    raise RuntimeError("the cascade did not settle; the distribution is at its critical point")


def normal_cdf(mean: float, sd: float) -> Callable[[float], float]:
    """The distribution function of Normal(mean, sd)."""
    return lambda x: 0.5 * (1.0 + math.erf((x - mean) / (sd * math.sqrt(2.0))))


def critical_sd(mean: float = 25.0, size: float = 100.0, lo: float = 12.0,
                hi: float = 12.5, tol: float = 1e-6) -> float:
    """The spread of Normal(mean, sd) thresholds above which the cascade takes everyone."""
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if cascade_continuous(normal_cdf(mean, mid), size) > size / 2:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def cases(quick: bool = False) -> list[Check]:
    """Granovetter's riot examples and the normal-threshold equilibria, against the source.

    All exact and fast; `quick` is accepted for the registry and changes nothing.
    """
    uniform = np.arange(100)
    shifted = uniform.copy()
    shifted[1] = 2
    return [
        Check.near(CASE, "acting, thresholds 0..99", 100, cascade(uniform), 0,
                   note="each newcomer tips the next: all 100 act"),
        Check.near(CASE, "acting, threshold 1 replaced by 2", 1, cascade(shifted), 0,
                   note="the chain breaks after the first: 1 acts"),
        Check.near(CASE, "equilibrium, Normal(25, 12.2), N=100", 5.48,
                   cascade_continuous(normal_cdf(25, 12.2), 100), 0.005,
                   note="continuous CDF; source figure given to 2 decimals"),
        Check.near(CASE, "equilibrium, Normal(25, 12.3), N=100", 100,
                   cascade_continuous(normal_cdf(25, 12.3), 100), 0.005,
                   note="continuous CDF; a small widening tips the crowd into everyone"),
        Check.near(CASE, "critical sd, Normal(25, sd), N=100", 12.22, critical_sd(), 0.005,
                   note="bisection on the jump; computed figure: about 12.22"),
    ]
