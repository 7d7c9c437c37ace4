"""Priors of the behavioural parameters: part of a scenario's data, read with its `[pars]`.

A parameter in a scenario's `[pars]` table may carry a prior beside its value:

    dws_kappa = { value = 2.0, assumed = true, reason = "...",
                  prior = { dist = "lognormal", median = 2.0, sigma = 0.5, low = 0.5, high = 8.0 } }

Distributions and their keys (numbers, besides `dist` and an optional `reason`):

| dist      | parameters                        | `low` / `high`                                 |
|-----------|-----------------------------------|------------------------------------------------|
| uniform   | `low`, `high` (both required)     | the support                                    |
| normal    | `mean`, `sd`                      | optional truncation                            |
| lognormal | `median`, `sigma` (s.d. of log x) | optional truncation (support starts above 0)   |
| beta      | `a`, `b`                          | optional scaling of [0, 1] to [low, high]      |

A prior may say why its range in `reason`.

The lognormal is written by its median (in the parameter's own unit, so it can be centred on the
value) and `sigma`, the standard deviation of log x: x = median * exp(sigma * Z).

A prior's support must lie inside the parameter's domain in `sovsim.world.pars.PARS`;
`sovsim.world.loading.validate` refuses one that leaves it. Distribution functions are
scipy.stats': a truncated prior's inverse CDF maps u in [0, 1] onto [F(low), F(high)] of the
untruncated CDF F and inverts it there. scipy.stats is imported on first use (it takes about a
second, more on a busy machine), not when a scenario is read: the check that a truncation keeps
some probability uses the standard library's normal CDF.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

if TYPE_CHECKING:
    from sovsim.world.loading import LoadedScenario

DISTS = ("uniform", "normal", "lognormal", "beta")
# The shape parameters each distribution needs; `low`/`high` are allowed for every one.
SHAPE: dict[str, tuple[str, ...]] = {
    "uniform": (),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
    "beta": ("a", "b"),
}
SHAPE_KEYS = ("mean", "sd", "median", "sigma", "a", "b")
MIN_MASS = 1e-9  # a truncation keeping less probability than this is a mistake, not a prior
P_EDGE = 1e-15   # probabilities are kept this far from 0 and 1 so that inverse CDFs stay finite


class Prior(BaseModel):
    """A prior distribution of one behavioural parameter, optionally truncated to [low, high]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dist: Literal["uniform", "normal", "lognormal", "beta"]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None
    a: float | None = None
    b: float | None = None
    reason: str | None = None  # why this range: the plausible values around the parameter's own

    @model_validator(mode="after")
    def _shape(self) -> Prior:
        need = SHAPE[self.dist]
        takes = ", ".join((*need, "low", "high")) if need else "low, high"
        for key in SHAPE_KEYS:
            given = getattr(self, key) is not None
            if key in need and not given:
                raise ValueError(f"a {self.dist} prior needs `{key}` (it takes {takes})")
            if key not in need and given:
                raise ValueError(f"a {self.dist} prior takes {takes}, not `{key}`")
        for key in ("low", "high", *need):
            value = getattr(self, key)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"prior `{key}` must be a finite number, got {value}")
        if self.dist == "uniform" and (self.low is None or self.high is None):
            raise ValueError("a uniform prior needs `low` and `high`")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"prior `low` = {self.low} must be below `high` = {self.high}")
        if self.reason is not None and not self.reason.strip():
            raise ValueError("the prior's `reason` is empty")
        for key in ("sd", "sigma", "median", "a", "b"):
            value = getattr(self, key)
            if value is not None and value <= 0:
                raise ValueError(f"prior `{key}` must be positive, got {value}")
        lo, hi = self.support()
        if not lo < hi:
            raise ValueError(f"the prior's support [{lo}, {hi}] is empty")
        mass = self.kept_mass()
        if mass < MIN_MASS:
            raise ValueError(f"truncation to [{lo}, {hi}] keeps no probability mass "
                             f"({mass:.3g}) of the {self.dist} prior")
        return self

    # --- support and distribution functions -------------------------------------------------
    def support(self) -> tuple[float, float]:
        """The smallest and largest values the prior can give (infinite where unbounded)."""
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if self.dist == "lognormal":
            lo = max(lo, 0.0)
        if self.dist == "beta":
            lo = 0.0 if self.low is None else self.low
            hi = 1.0 if self.high is None else self.high
        return lo, hi

    def kept_mass(self) -> float:
        """The probability the truncation to [low, high] keeps. Computed when a scenario is
        read, so without scipy (whose import costs seconds on a busy machine): the uniform and
        the beta are scaled to their support and keep everything; the normal's and the
        lognormal's are differences of the standard library's normal CDF."""
        lo, hi = self.support()
        if self.dist in ("uniform", "beta"):
            return 1.0
        if self.dist == "normal":
            z = NormalDist(self.mean, self.sd)
            return z.cdf(hi) - z.cdf(lo)
        z = NormalDist(math.log(self.median), self.sigma)
        return z.cdf(math.log(hi)) - (z.cdf(math.log(lo)) if lo > 0 else 0.0)

    def untruncated(self) -> Any:
        """The untruncated distribution, a frozen scipy.stats distribution."""
        return _frozen(self.dist, self.low, self.high, self.mean, self.sd, self.median,
                       self.sigma, self.a, self.b)

    def _cdf0(self, x: float) -> float:
        """CDF of the untruncated distribution at x."""
        return float(self.untruncated().cdf(x))

    def cdf(self, x: float | np.ndarray) -> np.ndarray:
        """CDF of the (truncated) prior."""
        lo, hi = self.support()
        f_lo, f_hi = self._cdf0(lo), self._cdf0(hi)
        xs = np.atleast_1d(np.asarray(x, dtype=float))
        out = (self.untruncated().cdf(xs) - f_lo) / (f_hi - f_lo)
        return np.clip(out, 0.0, 1.0).reshape(xs.shape)

    def quantile(self, u: float | np.ndarray) -> np.ndarray:
        """Inverse CDF of the (truncated) prior at probabilities u in [0, 1]."""
        lo, hi = self.support()
        f_lo, f_hi = self._cdf0(lo), self._cdf0(hi)
        us = np.atleast_1d(np.asarray(u, dtype=float))
        if ((us < 0) | (us > 1)).any():
            raise ValueError("probabilities must lie in [0, 1]")
        # truncation: map u onto the kept part [F(lo), F(hi)] of the untruncated CDF
        p = np.clip(f_lo + us * (f_hi - f_lo), P_EDGE, 1.0 - P_EDGE)
        out = self.untruncated().ppf(p)
        return np.clip(out, lo, hi).reshape(us.shape)

    def describe(self) -> str:
        """The prior in one line, e.g. `normal(mean=0.3, sd=0.05) on [0.2, 0.4]`."""
        shape = ", ".join(f"{k}={getattr(self, k):g}" for k in SHAPE[self.dist])
        lo, hi = self.support()
        return f"{self.dist}{f'({shape})' if shape else ''} on [{lo:g}, {hi:g}]"


@functools.lru_cache(maxsize=256)
def _frozen(dist: str, low: float | None, high: float | None, mean: float | None,
            sd: float | None, median: float | None, sigma: float | None, a: float | None,
            b: float | None) -> Any:
    """A prior's untruncated distribution (cached: the frozen objects are immutable)."""
    from scipy import stats  # imported on first use: about a second, not needed to load a file

    if dist == "uniform":
        return stats.uniform(loc=low, scale=high - low)
    if dist == "normal":
        return stats.norm(loc=mean, scale=sd)
    if dist == "lognormal":
        # log x ~ N(log median, sigma): scipy's lognorm with shape sigma and scale median
        return stats.lognorm(s=sigma, scale=median)
    lo = 0.0 if low is None else low
    hi = 1.0 if high is None else high
    return stats.beta(a, b, loc=lo, scale=hi - lo)


def priors_of(scenario: LoadedScenario) -> dict[str, Prior]:
    """The priors a loaded scenario gives its behavioural parameters, by parameter name."""
    return {name: number.prior for name, number in scenario.model.pars.items()
            if number.prior is not None}
