"""The rules of mobilisation and repression (Epstein 2002, extended with a direction).

An agent's grievance is G = H (1 - L). It estimates its arrest probability from the enforcers C_v
and the active agents A_v (itself included) within its vision, P = 1 - exp(-k f(C_v / A_v)), where
f is floor (NetLogo's Rebellion), round (Mesa's example; Python's half-to-even) or the identity
(Epstein's paper). Its net risk is N = R P and it is ACTIVE when G - N > T, QUIET otherwise. The
sign of its tendency gives the direction of its action: left (proletarian: strikes, councils, land
seizures) for tendency >= 0, right (restorationist: resistance to reforms, revolts against
collectivisation) for tendency < 0. An enforcer arrests one random active agent in its vision,
weighting left-active agents by psi_left and right-active ones by psi_right; the jail term is
uniform on 0..J_max. Under terror a jailed agent dies with a set probability each step.

This file holds what both kernels share: status codes, parameters, closed forms, the vision, and
each agent's decision class (fixed while its grievance and risk aversion are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numba import njit

# Agent status codes: the engine imports these.
QUIET: Final = np.uint8(0)


ACTIVE: Final = np.uint8(1)


JAILED: Final = np.uint8(2)


DEAD: Final = np.uint8(3)


# Names of the per-step counts returned by the mobilise functions, in column order.
COUNTS: Final = ("quiet", "active_left", "active_right", "jailed", "dead", "arrests",
                 "terror_deaths")


Rounding = Literal["floor", "round", "continuous"]


Neighbourhood = Literal["von_neumann", "moore"]


_ROUNDING_CODE: Final = {"floor": 0, "round": 1, "continuous": 2}


# Well-mixed decision classes, fixed while grievance and risk aversion are: most agents never need
# the local counts, and most others need only an integer comparison, which keeps the well-mixed
# step within the cache at a million agents.
_NEVER: Final = 0  # G <= T: no risk makes G - R P exceed T


_ALWAYS: Final = 1  # G - R > T: active whatever P (R P <= R)


_ASK: Final = 2  # active iff the rounded C/A is below the agent's own bound (floor, round)


_ASK_FLOAT: Final = 3  # active iff G - R P > T evaluated (continuous C/A, or a bound over 255)


@dataclass(frozen=True)
class MobilisationParams:
    """The rules of mobilisation and repression in a region (Epstein 2002, with direction)."""

    k: float = 2.3                          # arrest-probability constant
    threshold: float = 0.1                  # T: G - N must exceed it to go active
    vision: int = 7                         # v: radius of vision, citizens and enforcers alike
    neighbourhood: Neighbourhood = "von_neumann"  # Mesa: von Neumann; NetLogo: a disc
    rounding: Rounding = "round"            # of C/A: Mesa rounds, NetLogo floors, the paper neither
    max_jail: int = 30                      # J_max, steps; terms are uniform on 0..J_max
    psi_left: float = 1.0                   # targeting weight of left-active agents
    psi_right: float = 1.0                  # targeting weight of right-active agents
    terror_rate: float = 0.0                # per-step probability that a jailed agent dies
    movement: bool = True                   # agents move to a random empty cell in vision
    arrest_share: float = 1.0               # chance an enforcer's turn may end in an arrest
    jail_off_grid: bool = False             # True: the arrested leave their cell (Epstein, NetLogo)

    def __post_init__(self) -> None:
        if self.rounding not in _ROUNDING_CODE:
            raise ValueError(f"rounding must be one of {tuple(_ROUNDING_CODE)}")
        if self.neighbourhood not in ("von_neumann", "moore"):
            raise ValueError("neighbourhood must be 'von_neumann' or 'moore'")
        if not 0 <= self.max_jail <= np.iinfo(np.uint16).max:
            raise ValueError("max_jail must fit the uint16 jail counter")
        if self.vision < 1:
            raise ValueError("vision must be at least 1")
        if min(self.psi_left, self.psi_right) < 0:
            raise ValueError("targeting weights must be non-negative")
        if not 0.0 <= self.terror_rate <= 1.0:
            raise ValueError("terror_rate is a probability")
        if not 0.0 <= self.arrest_share <= 1.0:
            raise ValueError("arrest_share is a probability")



DEFAULT_PARAMS: Final = MobilisationParams()  # Mesa 3.3.1's EpsteinCivilViolence defaults

@njit(cache=True)
def _ratio(cops: int, actives: int, rounding: int) -> float:
    if rounding == 2:
        return cops / actives
    q = cops // actives
    if rounding == 1:
        # Python's round() is half-to-even; decided in integers so no float edge case differs.
        twice_rest = 2 * (cops - q * actives)
        if twice_rest > actives or (twice_rest == actives and q % 2 == 1):
            q += 1
    return float(q)


@njit(cache=True)
def _arrest_probability(cops: int, actives: int, k: float, rounding: int) -> float:
    return 1.0 - np.exp(-k * _ratio(cops, actives, rounding))


@njit(cache=True)
def _arrest_probability_many(cops, actives, k, rounding, out):
    for i in range(out.size):
        out[i] = _arrest_probability(cops[i], actives[i], k, rounding)


def arrest_probability(
    cops: np.ndarray | int, actives: np.ndarray | int, k: float = 2.3,
    rounding: Rounding = "round",
) -> np.ndarray:
    """An agent's estimate of its arrest probability, P = 1 - exp(-k f(C_v / A_v)).

    `actives` is A_v, the agent itself included (so at least 1). This is the function the kernels
    use, exposed for tests and for the documentation.
    """
    c, a = np.broadcast_arrays(np.asarray(cops, np.int64), np.asarray(actives, np.int64))
    if np.any(a < 1):
        raise ValueError("A_v counts the agent itself, so it is at least 1")
    out = np.empty(c.shape, np.float64)
    _arrest_probability_many(np.ascontiguousarray(c).ravel(), np.ascontiguousarray(a).ravel(),
                             float(k), _ROUNDING_CODE[rounding], out.reshape(-1))
    return out


def grievance(hardship: np.ndarray, legitimacy: np.ndarray | float) -> np.ndarray:
    """An agent's grievance against the authority, G = H (1 - L)."""
    return np.asarray(hardship, np.float64) * (1.0 - np.asarray(legitimacy, np.float64))


def vision_offsets(
    vision: int, neighbourhood: Neighbourhood, width: int, height: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The cells an agent sees on a width x height torus, as offsets (dx, dy) in [0, w) x [0, h).

    Von Neumann: |dx| + |dy| <= v; Moore: max(|dx|, |dy|) <= v; the agent's own cell excluded.
    On a torus smaller than the vision, offsets that land on the same cell are kept once, which is
    what Mesa's breadth-first neighbourhood gives.
    """
    d = np.arange(-vision, vision + 1)
    dx, dy = np.meshgrid(d, d, indexing="ij")
    if neighbourhood == "von_neumann":
        seen = np.abs(dx) + np.abs(dy) <= vision
    elif neighbourhood == "moore":
        seen = np.ones_like(dx, dtype=bool)
    else:
        raise ValueError("neighbourhood must be 'von_neumann' or 'moore'")
    ox = np.mod(dx[seen], width)
    oy = np.mod(dy[seen], height)
    cell = np.unique(oy * width + ox)
    cell = cell[cell != 0]
    return (cell % width).astype(np.int64), (cell // width).astype(np.int64)


def vision_size(vision: int, neighbourhood: Neighbourhood) -> int:
    """How many cells an agent sees on an unbounded grid (von Neumann 2v(v+1), Moore (2v+1)^2-1)."""
    if neighbourhood == "von_neumann":
        return 2 * vision * (vision + 1)
    if neighbourhood == "moore":
        return (2 * vision + 1) ** 2 - 1
    raise ValueError("neighbourhood must be 'von_neumann' or 'moore'")


@njit(cache=True)
def _tally(word, row):
    for i in range(word.size):
        w = word[i]
        row[_status_column(w & 3, (w >> 4) & 1)] += 1


@njit(cache=True)
def _words(status, hardship, legitimacy, risk, tendency, region, k, threshold, rounding, grv,
           word):
    # One word per agent holds all a turn needs, so that a turn is one memory read: bits 0-1
    # status, 2-3 decision class, 4 direction (1 = right), 8-15 the bound on the rounded C/A
    # below which it goes active (class _ASK), 16-31 its region (0 if `region` is empty).
    p_of = np.empty(256)  # P at each integer C/A, as the spatial kernel computes it
    for q in range(256):
        p_of[q] = _arrest_probability(q, 1, k, 0)
    for i in range(status.size):
        g = np.float64(hardship[i]) * (1.0 - np.float64(legitimacy[i]))
        rho = np.float64(risk[i])
        bound = 0
        if g <= threshold:
            klass = _NEVER
        elif g - rho > threshold:
            klass = _ALWAYS
        elif rounding == 2:
            klass = _ASK_FLOAT
        else:
            bound = _bound(g, rho, p_of, threshold)
            klass = _ASK if bound > 0 else _ASK_FLOAT
        if klass == _ASK_FLOAT:
            grv[i] = g  # read only by this class
        home = region[i] if region.size else 0
        word[i] = (status[i] | (klass << 2) | ((1 if tendency[i] < 0 else 0) << 4)
                   | (bound << 8) | (home << 16))


@njit(cache=True)
def _bound(g, rho, p_of, threshold):
    # The least integer C/A ratio q at which the agent stays quiet, 0 if above 255, from the
    # tabulated P(q), so the decision is the spatial kernel's to the last bit. Usually q = 1.
    for q in range(1, 256):
        if not g - rho * p_of[q] > threshold:
            return q
    return 0


@njit(cache=True)
def _status_column(s, right):
    if s == QUIET:
        return 0
    if s == ACTIVE:
        return 2 if right else 1
    if s == JAILED:
        return 3
    return 4


def _require(name: str, array: np.ndarray, dtype: type) -> None:
    # In-place state must be the caller's own array: a silent conversion would update a copy.
    if not isinstance(array, np.ndarray) or array.dtype != dtype:
        raise TypeError(f"{name} must be a numpy array of dtype {np.dtype(dtype).name}")


def _f32(array: np.ndarray | float, n: int) -> np.ndarray:
    # One array type per argument, so Numba compiles each kernel once.
    a = np.asarray(array, np.float32)
    if a.ndim == 0:
        return np.full(n, a, np.float32)
    if a.shape != (n,):
        raise ValueError(f"expected one value per agent ({n}), got shape {a.shape}")
    return np.ascontiguousarray(a)
