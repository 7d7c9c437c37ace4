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

from typing import ClassVar

import numba as nb
import numpy as np

from sovsim.world.module import Module, Variable
from sovsim.world.names import AUTHORITIES, N_CLASSES, Klass, Owner, Sector, Status
from sovsim.world.pars import Pars
from sovsim.world.people import CHUNKS
from sovsim.world.state import World

DEAD = int(Status.DEAD)
SQRT12 = float(np.sqrt(12.0))


def class_interest(pars: Pars, small_share: np.ndarray,
                   privilege_share: np.ndarray, landlord_share: np.ndarray) -> np.ndarray:
    """Tendency each class is pulled toward (R, K), given the property order: peasants with land
    of their own drift right, land-hungry peasants under landlords drift left (land seizures are
    proletarian action, MODEL.md §4.5)."""
    R = small_share.shape[0]
    out = np.zeros((R, N_CLASSES))
    for k in Klass:
        out[:, k] = pars[f"interest_{k.name.lower()}"]
    out[:, Klass.PEASANT] -= pars.interest_smallholding * (small_share - landlord_share)
    out[:, Klass.BUREAUCRAT] -= pars.interest_privilege * privilege_share
    return np.clip(out, -1.0, 1.0)


def targets(pars: Pars, interest: np.ndarray, region_mean: np.ndarray,
            agitation: np.ndarray, prestige: float, left_pull_regions: np.ndarray) -> np.ndarray:
    """Where each group's tendency heads (R, K): a weighted mean of class interest, the
    neighbours' mean, agitation's push to the right and prestige's pull to the left."""
    wn = pars.tendency_neighbours
    push = -pars.agitation_effect * agitation * (1.0 - prestige)
    pull = pars.prestige_pull * prestige * left_pull_regions
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
    # fixed chunks with their own sums (see sovsim.world.people.CHUNKS): thread-count independent
    chunks = sum_tau.shape[0]
    size = (n + chunks - 1) // chunks
    for c in nb.prange(chunks):
        _tendency_range(c * size, min(n, (c + 1) * size), uniform, region, klass, status,
                        tendency, target, rate, noise, sum_tau[c], sum_neg[c], sum_pos[c],
                        count[c])


def update(people, target: np.ndarray, pars: Pars, dt: float,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move every living agent's tendency toward its group's target, with a little noise.
    Returns the mean tendency and the mean leanings to the right and to the left, each (R, K)."""
    R = target.shape[0]
    shape = (CHUNKS, R, N_CLASSES)
    sum_tau, count, sum_neg, sum_pos = (np.zeros(shape) for _ in range(4))
    rate = min(1.0, dt * 12.0 / pars.tendency_time)
    noise = pars.tendency_noise * np.sqrt(dt)
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


# --- the tendencies module of the step plan -------------------------------------------------

FINANCE = AUTHORITIES.index("finance_capital")
COLONIAL = AUTHORITIES.index("colonial")


def agricultural_shares(world: World) -> tuple[np.ndarray, np.ndarray]:
    """SMALL and LANDLORD shares of each region's AGRI capital."""
    K = world.econ.K
    agri = np.maximum(K[:, Sector.AGRI].sum(axis=1), 1e-12)
    return K[:, Sector.AGRI, Owner.SMALL] / agri, K[:, Sector.AGRI, Owner.LANDLORD] / agri


class Tendencies(Module):
    """Each agent's tendency; the mean tendency of each class and the strengths P and W."""

    agent_fields: ClassVar[dict[str, np.dtype]] = {"tendency": np.dtype(np.float32)}
    shared: ClassVar[dict[str, str]] = {
        "tendency": "(R, K) mean tendency of each class",
        "pro_capitalist": "strength P of the pro-capitalist tendency",
        "proletarian": "strength W of the proletarian tendency"}
    region_results: ClassVar[dict[str, Variable]] = {
        "pro_capitalist": Variable("[0, 1]", "strength P of the pro-capitalist tendency"),
        "proletarian": Variable("[0, 1]", "strength W of the proletarian tendency"),
    }
    class_results: ClassVar[dict[str, Variable]] = {
        "tendency": Variable("[-1, 1]", "mean tendency: -1 restorationist, +1 proletarian"),
    }

    def init(self, world: World) -> None:
        R = world.n_regions
        small, landlord = agricultural_shares(world)
        # newborns take the class interests of the property order at the start
        self.newborn_interest = class_interest(world.pars, small,
                                               world.lever["privilege_share"], landlord)
        world.regions["tendency"] = np.zeros((R, N_CLASSES))
        world.regions["pro_capitalist"] = np.zeros(R)
        world.regions["proletarian"] = np.zeros(R)

    def newborn(self, world: World, region: np.ndarray, klass: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
        """A tendency drawn around the class's interest."""
        interest = self.newborn_interest[np.asarray(region, dtype=np.int64), klass]
        tau = interest + rng.normal(0.0, world.pars.tendency_spread, len(region))
        return {"tendency": np.clip(tau, -1.0, 1.0).astype(np.float32)}

    def update_tendencies(self, world: World) -> None:
        """Tendencies relax toward class interest, the neighbours' mean, and agitation."""
        pars, shared, authority = world.pars, world.regions, world.regions["authority"]
        small, landlord = agricultural_shares(world)
        interest = class_interest(pars, small, world.lever["privilege_share"], landlord)
        counts = np.maximum(world.owners + world.dispossessed, 1e-12)
        region_mean = (shared["tendency"] * counts).sum(axis=1) / counts.sum(axis=1)
        # anti-Soviet agitation reaching each region: the strongest of any finance-capital
        # government (it is broadcast world-wide: seed ¶1)
        finance = authority == FINANCE
        level = float(world.lever["agitation"][finance].max()) if finance.any() else 0.0
        agitation = np.full(world.n_regions, level)
        left_pull = np.isin(authority, (FINANCE, COLONIAL)).astype(float)
        goal = targets(pars, interest, region_mean, agitation, float(shared["prestige"]),
                       left_pull)
        shared["tendency"], right, left = update(world.people, goal, pars, world.dt,
                                                 world.streams["tendency"])
        persons = world.owners + world.dispossessed
        living = np.maximum(persons.sum(axis=1), 1e-12)
        shared["pro_capitalist"], shared["proletarian"] = strengths(
            persons, right, left, shared["legitimacy"], shared["active_right"] / living,
            shared["active_left"] / living)

    def record(self, world: World) -> None:
        t, reg = world.t, world.results.regions
        reg["pro_capitalist"][t] = world.regions["pro_capitalist"]
        reg["proletarian"][t] = world.regions["proletarian"]
        world.results.classes["tendency"][t] = world.regions["tendency"]
