"""Tendencies: each agent's leaning between restoration (-1) and proletarian action (+1)
(MODEL.md §4.4; seed ¶1, ¶11).

A tendency relaxes toward the interest of the agent's class under the current property order,
toward the mean of its neighbours (well mixed: its region), and under imperialist anti-Soviet
agitation, whose effect grows as world prestige D falls ("a convenient pretext", seed ¶1);
prestige also pulls workers of capitalist and colonial regions leftward. Class interests move
with property: peasants with a private stake and bureaucrats with large privileges drift toward
restoration. The pro-capitalist tendency P and the proletarian tendency W of a region are the
mean leanings to each side plus the share of the living in action on that side.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sovsim.economy.incomes import CHUNKS
from sovsim.world.names import N_CLASSES, Klass, Status

DEAD = int(Status.DEAD)
SQRT12 = float(np.sqrt(12.0))


def class_interest(pars: dict[str, float], small_share: np.ndarray,
                   privilege_share: np.ndarray, landlord_share: np.ndarray) -> np.ndarray:
    """Tendency each class is pulled toward (R, K), given the property order: peasants with land
    of their own drift right, land-hungry peasants under landlords drift left (land seizures are
    proletarian action, MODEL.md §4.5)."""
    R = small_share.shape[0]
    out = np.zeros((R, N_CLASSES))
    for k in Klass:
        out[:, k] = pars[f"interest_{k.name.lower()}"]
    out[:, Klass.PEASANT] -= pars["interest_smallholding"] * (small_share - landlord_share)
    out[:, Klass.BUREAUCRAT] -= pars["interest_privilege"] * privilege_share
    return np.clip(out, -1.0, 1.0)


def targets(pars: dict[str, float], interest: np.ndarray, region_mean: np.ndarray,
            agitation: np.ndarray, prestige: float, left_pull_regions: np.ndarray) -> np.ndarray:
    """Where each group's tendency heads (R, K): a weighted mean of class interest, the
    neighbours' mean, agitation's push to the right and prestige's pull to the left."""
    wn = pars["tendency_neighbours"]
    push = -pars["agitation_effect"] * agitation * (1.0 - prestige)
    pull = pars["prestige_pull"] * prestige * left_pull_regions
    t = (interest + wn * region_mean[:, None]) / (1.0 + wn)
    t += push[:, None]
    t[:, Klass.WORKER] += pull
    return np.clip(t, -1.0, 1.0)


@nb.njit(cache=True)
def _tendency_range(lo, hi, uniform, region, klass, status, tendency, target, rate, noise,
                    sum_tau, sum_neg, sum_pos, count):
    for i in range(lo, hi):
        if status[i] == DEAD:
            continue
        r = region[i]
        k = klass[i]
        # uniform noise of the same variance as a normal one: cheaper, and bounded
        tau = (tendency[i] + rate * (target[r, k] - tendency[i])
               + noise * SQRT12 * (uniform[i] - 0.5))
        if tau > 1.0:
            tau = 1.0
        elif tau < -1.0:
            tau = -1.0
        tendency[i] = tau
        sum_tau[r, k] += tau
        count[r, k] += 1.0
        if tau < 0.0:
            sum_neg[r, k] += -tau
        else:
            sum_pos[r, k] += tau


@nb.njit(cache=True, parallel=True)
def _tendency_kernel(uniform, n, region, klass, status, tendency, target, rate, noise,
                     sum_tau, sum_neg, sum_pos, count):
    # fixed chunks with their own sums (see incomes.CHUNKS): thread-count independent
    chunks = sum_tau.shape[0]
    size = (n + chunks - 1) // chunks
    for c in nb.prange(chunks):
        _tendency_range(c * size, min(n, (c + 1) * size), uniform, region, klass, status,
                        tendency, target, rate, noise, sum_tau[c], sum_neg[c], sum_pos[c],
                        count[c])


def update(people, target: np.ndarray, pars: dict[str, float], dt: float,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move every living agent's tendency toward its group's target, with a little noise.
    Returns the mean tendency and the mean leanings to the right and to the left, each (R, K)."""
    R = target.shape[0]
    shape = (CHUNKS, R, N_CLASSES)
    sum_tau, count, sum_neg, sum_pos = (np.zeros(shape) for _ in range(4))
    rate = min(1.0, dt * 12.0 / pars["tendency_time"])
    noise = pars["tendency_noise"] * np.sqrt(dt)
    uniform = rng.random(people.n, dtype=np.float32)
    _tendency_kernel(uniform, people.n, people.region, people.klass,
                     people.status, people.tendency, target.astype(np.float64), rate, noise,
                     sum_tau, sum_neg, sum_pos, count)
    sum_tau, count, sum_neg, sum_pos = (a.sum(axis=0) for a in (sum_tau, count, sum_neg,
                                                                   sum_pos))
    mean = np.divide(sum_tau, count, out=np.zeros_like(sum_tau), where=count > 0)
    right = np.divide(sum_neg, count, out=np.zeros_like(sum_neg), where=count > 0)
    left = np.divide(sum_pos, count, out=np.zeros_like(sum_pos), where=count > 0)
    return mean, right, left


def strengths(persons: np.ndarray, right: np.ndarray, left: np.ndarray, L: np.ndarray,
              active_right: np.ndarray, active_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pro-capitalist tendency P and the proletarian tendency W of each region, in [0, 1].

    P: the mean leaning to restoration plus the share in right action; it threatens collective
    property whatever people think of the authority. W: the mean proletarian leaning of those who
    do not trust the authority (weighted by 1 - L of their class) plus the share in left action:
    only a proletarian tendency that distrusts the rulers threatens their political monopoly."""
    living = np.maximum(persons.sum(axis=1), 1e-12)
    share = persons / living[:, None]
    P = (share * right).sum(axis=1) + active_right
    W = (share * left * (1.0 - L)).sum(axis=1) + active_left
    return np.clip(P, 0.0, 1.0), np.clip(W, 0.0, 1.0)
