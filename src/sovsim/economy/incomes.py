"""Incomes reach the agents; hardship follows (MODEL.md §4.4; seed ¶12).

Each class's total income in a region is shared by its agents. Workers who hold a job (their fixed
`rank` in the queue below the employment rate) get the wage; the unemployed and the dispossessed
of the propertied classes live on the workers' households at `relief_ratio` of a wage. Hardship
is deprivation against subsistence and against the agent's own recent income (an exponential
moving average), plus any shock the politics lays on a class (pillage, famine, war).
"""

from __future__ import annotations

from typing import ClassVar

import numba as nb
import numpy as np

from sovsim.world.module import Module, Variable
from sovsim.world.names import N_CLASSES, Klass, Status
from sovsim.world.pars import Pars
from sovsim.world.people import CHUNKS
from sovsim.world.state import World

DEAD = int(Status.DEAD)
WORKER = int(Klass.WORKER)


def per_person_income(class_income: np.ndarray, persons: np.ndarray, dispossessed: np.ndarray,
                      employment: np.ndarray, relief_ratio: float) -> np.ndarray:
    """Income per person (GK$/year) by region and class; column N_CLASSES is the relief income
    of an unemployed worker or a dispossessed owner; WORKER is the wage of an employed worker."""
    R = class_income.shape[0]
    out = np.zeros((R, N_CLASSES + 1))
    out[:, :N_CLASSES] = np.divide(class_income, persons, out=np.zeros_like(class_income),
                                   where=persons > 0)
    workers = persons[:, WORKER]
    shares = employment * workers + relief_ratio * ((1 - employment) * workers + dispossessed)
    wage = np.divide(class_income[:, WORKER], shares, out=np.zeros(R), where=shares > 0)
    out[:, WORKER] = wage
    out[:, N_CLASSES] = relief_ratio * wage
    return out


@nb.njit(cache=True)
def _incomes_range(lo, hi, region, klass, status, dispossessed, rank, income, income_avg,
                   hardship, table, employment, shock, subsistence, w_abs, w_rel, memory,
                   sum_income, sum_hardship, count):
    relief_col = table.shape[1] - 1
    keep = 1.0 - 1.0 / memory
    for i in range(lo, hi):
        if status[i] == DEAD:
            continue
        r = region[i]
        k = klass[i]
        if dispossessed[i] or (k == WORKER and rank[i] >= employment[r]):
            y = table[r, relief_col]
        else:
            y = table[r, k]
        avg = income_avg[i]
        if avg <= 0.0:
            avg = y
        h = 0.0
        if y < subsistence:
            h += w_abs * (1.0 - y / subsistence)
        if y < avg and avg > 0.0:
            h += w_rel * (1.0 - y / avg)
        h += shock[r, k]
        if h > 1.0:
            h = 1.0
        elif h < 0.0:
            h = 0.0
        income[i] = y
        hardship[i] = h
        income_avg[i] = keep * avg + (1.0 - keep) * y
        sum_income[r, k] += y
        sum_hardship[r, k] += h
        count[r, k] += 1.0


@nb.njit(cache=True, parallel=True)
def _incomes_kernel(n, region, klass, status, dispossessed, rank, income, income_avg, hardship,
                    table, employment, shock, subsistence, w_abs, w_rel, memory,
                    sum_income, sum_hardship, count):
    # fixed chunks, each with its own sums, added in chunk order afterwards: the result does
    # not depend on how many threads ran the chunks
    chunks = sum_income.shape[0]
    size = (n + chunks - 1) // chunks
    for c in nb.prange(chunks):
        _incomes_range(c * size, min(n, (c + 1) * size), region, klass, status, dispossessed,
                       rank, income, income_avg, hardship, table, employment, shock,
                       subsistence, w_abs, w_rel, memory, sum_income[c], sum_hardship[c],
                       count[c])


def pay(people, table: np.ndarray, employment: np.ndarray, shock: np.ndarray,
        pars: Pars) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set each living agent's income, hardship and income average. Returns the sums of income
    and hardship and the agent counts by region and class, for the observables."""
    R = table.shape[0]
    sum_income = np.zeros((CHUNKS, R, N_CLASSES))
    sum_hardship = np.zeros((CHUNKS, R, N_CLASSES))
    count = np.zeros((CHUNKS, R, N_CLASSES))
    _incomes_kernel(people.n, people.region, people.klass, people.status, people.dispossessed,
                    people.rank, people.income, people.income_avg, people.hardship,
                    table.astype(np.float64), employment.astype(np.float64),
                    shock.astype(np.float64), float(pars.subsistence),
                    float(pars.hardship_absolute), float(pars.hardship_relative),
                    float(pars.income_memory), sum_income, sum_hardship, count)
    return sum_income.sum(axis=0), sum_hardship.sum(axis=0), count.sum(axis=0)


# --- the incomes module of the step plan ----------------------------------------------------

class Incomes(Module):
    """Incomes reach the agents by class and job; hardship from deprivation and from the shocks
    of war, famine and harvest failure."""

    agent_fields: ClassVar[dict[str, np.dtype]] = {
        "income": np.dtype(np.float32),
        "income_avg": np.dtype(np.float32),
        "hardship": np.dtype(np.float32),
        "rank": np.dtype(np.float32),  # fixed place in the queue for jobs: who is laid off first
    }
    shared: ClassVar[dict[str, str]] = {
        "hardship": "(R, K) mean hardship of the class's agents this step"}
    class_results: ClassVar[dict[str, Variable]] = {
        "mean_income": Variable("1990 GK$/person/year", "mean income of the class's agents"),
        "hardship": Variable("share", "mean hardship H in [0,1] of the class's agents"),
    }

    def init(self, world: World) -> None:
        R = world.n_regions
        self.sum_income = np.zeros((R, N_CLASSES))
        self.sum_hardship = np.zeros((R, N_CLASSES))
        self.count = np.zeros((R, N_CLASSES))
        world.regions["hardship"] = np.zeros((R, N_CLASSES))

    def newborn(self, world: World, region: np.ndarray, klass: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"rank": rng.random(len(region), dtype=np.float32)}

    def pay(self, world: World) -> None:
        """Incomes reach the agents by class; hardship from deprivation and shocks."""
        ppa = world.people_per_agent
        persons = world.owners * ppa
        dispossessed = world.dispossessed.sum(axis=1) * ppa
        table = per_person_income(world.flows.class_income, persons, dispossessed,
                                  world.econ.employment, world.pars.relief_ratio)
        self.sum_income, self.sum_hardship, self.count = pay(
            world.people, table, world.econ.employment, hardship_shock(world), world.pars)
        world.regions["hardship"] = np.divide(self.sum_hardship, self.count,
                                              out=np.zeros_like(self.count),
                                              where=self.count > 0)

    def record(self, world: World) -> None:
        t, cls = world.t, world.results.classes
        cls["mean_income"][t] = np.divide(self.sum_income, self.count,
                                          out=np.zeros_like(self.count), where=self.count > 0)
        cls["hardship"][t] = world.regions["hardship"]


def hardship_shock(world: World) -> np.ndarray:
    """Hardship added to each region and class beyond lost income (MODEL.md §4.4): war
    ([war_hardship] for everyone), a famine (its size), a failed harvest (the share lost, for
    those who live off the land)."""
    shock = np.zeros((world.n_regions, N_CLASSES))
    shock += (world.pars.war_hardship * world.regions["at_war"])[:, None]
    shock += world.regions["famine"][:, None]
    rural = [Klass.PEASANT, Klass.COLLECTIVE_FARMER]
    shock[:, rural] += (1.0 - world.regions["harvest"])[:, None]
    return np.clip(shock, 0.0, 1.0)
