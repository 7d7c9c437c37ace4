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
`sovsim.world.loading.validate` refuses one that leaves it. Inverse CDFs use only the standard
library and numpy (no scipy): `statistics.NormalDist` for the normal and lognormal, a continued
fraction for the regularised incomplete beta function.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

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
        mass = self._cdf0(hi) - self._cdf0(lo)
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

    def _cdf0(self, x: float) -> float:
        """CDF of the untruncated distribution at x."""
        if self.dist == "uniform":
            lo, hi = self.support()
            return min(1.0, max(0.0, (x - lo) / (hi - lo)))
        if self.dist == "normal":
            if math.isinf(x):
                return 0.0 if x < 0 else 1.0
            return NormalDist(self.mean, self.sd).cdf(x)
        if self.dist == "lognormal":
            if x <= 0:
                return 0.0
            if math.isinf(x):
                return 1.0
            return NormalDist(math.log(self.median), self.sigma).cdf(math.log(x))
        lo, hi = self.support()
        return regularised_beta(self.a, self.b, (x - lo) / (hi - lo))

    def _ppf0(self, p: float) -> float:
        """Inverse CDF of the untruncated distribution at probability p in (0, 1)."""
        if self.dist == "uniform":
            lo, hi = self.support()
            return lo + p * (hi - lo)
        if self.dist == "normal":
            return NormalDist(self.mean, self.sd).inv_cdf(p)
        if self.dist == "lognormal":
            return math.exp(NormalDist(math.log(self.median), self.sigma).inv_cdf(p))
        lo, hi = self.support()
        return lo + (hi - lo) * inverse_regularised_beta(self.a, self.b, p)

    def cdf(self, x: float | np.ndarray) -> np.ndarray:
        """CDF of the (truncated) prior."""
        lo, hi = self.support()
        f_lo, f_hi = self._cdf0(lo), self._cdf0(hi)
        xs = np.atleast_1d(np.asarray(x, dtype=float))
        out = np.array([(self._cdf0(v) - f_lo) / (f_hi - f_lo) for v in xs.ravel()])
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
        out = np.array([self._ppf0(float(q)) for q in p.ravel()])
        return np.clip(out, lo, hi).reshape(us.shape)

    def describe(self) -> str:
        """The prior in one line, e.g. `normal(mean=0.3, sd=0.05) on [0.2, 0.4]`."""
        shape = ", ".join(f"{k}={getattr(self, k):g}" for k in SHAPE[self.dist])
        lo, hi = self.support()
        return f"{self.dist}{f'({shape})' if shape else ''} on [{lo:g}, {hi:g}]"


# --- the regularised incomplete beta function and its inverse --------------------------------
def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes
    §6.4), converging fast for x < (a + 1) / (a + b + 2)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            step = d * c
            h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def _log_beta_front(a: float, b: float, x: float) -> float:
    return (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
            + a * math.log(x) + b * math.log1p(-x))


def regularised_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b): the CDF of Beta(a, b) at x."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(_log_beta_front(a, b, x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def inverse_regularised_beta(a: float, b: float, p: float) -> float:
    """The x in [0, 1] with I_x(a, b) = p: Newton steps kept inside a shrinking bracket."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lo, hi = 0.0, 1.0
    x = a / (a + b)
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    for _ in range(200):
        f = regularised_beta(a, b, x) - p
        if f == 0.0:
            return x
        if f > 0:
            hi = x
        else:
            lo = x
        if hi - lo < 1e-15:
            break
        density = math.exp(log_norm + (a - 1) * math.log(x) + (b - 1) * math.log1p(-x))
        step = x - f / density if density > 0 else -1.0
        # Newton where it stays in the bracket, bisection where it would leave it
        x = step if lo < step < hi else 0.5 * (lo + hi)
    return x


def priors_of(scenario: LoadedScenario) -> dict[str, Prior]:
    """The priors a loaded scenario gives its behavioural parameters, by parameter name."""
    return {name: number.prior for name, number in scenario.model.pars.items()
            if number.prior is not None}
