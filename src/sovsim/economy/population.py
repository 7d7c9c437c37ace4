"""Population: births, deaths, emigration and class mobility of the agents (MODEL.md §4.10).

One pass over the agents draws, for each, whether it dies (natural death rate of its region, war,
or the extra mortality of its class: famine of forced collectivisation or a famine shock),
emigrates (the dispossessed), or moves class (proletarianisation, collectivisation,
expropriation, concessions) or loses its property (dispossession): mutually exclusive outcomes
of the month, decided by one uniform draw. Births add agents whose class is drawn from the
region's living composition. Every agent removed is counted by cause, so that people are conserved:
N(t+1) = N(t) + births - deaths - emigrants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numba as nb
import numpy as np

from sovsim.economy.demography import Transition
from sovsim.world.module import Module, Variable
from sovsim.world.names import N_CLASSES, Klass, Sector, Status
from sovsim.world.people import BASE_FIELDS, CHUNKS
from sovsim.world.state import World

DEAD = int(Status.DEAD)
N_CAUSES = 4  # natural, famine (forced collectivisation, famine shocks), emigration, war


@nb.njit(cache=True)
def _population_range(lo, hi, uniform, region, klass, status, dispossessed, death_p,
                      extra_death_p, war_p, move_p, dispossess_p, emigrate_p, deaths, moves):
    # One uniform per agent decides among mutually exclusive outcomes of the month, in this
    # order of the unit interval: natural death, war death, famine death, then (for the
    # dispossessed) emigration, or (for owners) dispossession, then a change of class. With
    # monthly probabilities of a few percent at most, this differs from independent draws only
    # at second order, and it costs one draw instead of five.
    for i in range(lo, hi):
        if status[i] == DEAD:
            continue
        r = region[i]
        k = klass[i]
        u = uniform[i]
        edge = death_p[r]
        if u < edge:
            status[i] = DEAD
            deaths[r, 0] += 1
            continue
        edge += war_p[r]
        if u < edge:
            status[i] = DEAD
            deaths[r, 3] += 1
            continue
        edge += extra_death_p[r, k]
        if u < edge:
            status[i] = DEAD
            deaths[r, 1] += 1
            continue
        if dispossessed[i]:
            if u < edge + emigrate_p[r]:
                status[i] = DEAD
                deaths[r, 2] += 1
            continue
        edge += dispossess_p[r, k]
        if u < edge:
            dispossessed[i] = True
            continue
        # the rest of the interval, rescaled, chooses the class
        v = (u - edge) / (1.0 - edge) if edge < 1.0 else 0.0
        acc = 0.0
        for j in range(move_p.shape[2]):
            acc += move_p[r, k, j]
            if v < acc:
                if j != k:
                    klass[i] = j
                    moves[r, k, j] += 1
                break


@nb.njit(cache=True, parallel=True)
def _population_kernel(uniform, n, region, klass, status, dispossessed, death_p, extra_death_p,
                       war_p, move_p, dispossess_p, emigrate_p, deaths, moves):
    # fixed chunks with their own counts (see sovsim.world.people.CHUNKS): thread-count independent
    chunks = deaths.shape[0]
    size = (n + chunks - 1) // chunks
    for c in nb.prange(chunks):
        _population_range(c * size, min(n, (c + 1) * size), uniform, region, klass, status,
                          dispossessed, death_p, extra_death_p, war_p, move_p, dispossess_p,
                          emigrate_p, deaths[c], moves[c])


def step(people, rng: np.random.Generator, death_p: np.ndarray, extra_death_p: np.ndarray,
         move_p: np.ndarray, dispossess_p: np.ndarray, emigrate_p: np.ndarray,
         birth_p: np.ndarray, newborn_fields, war_p: np.ndarray | None = None,
         ) -> dict[str, np.ndarray]:
    """Deaths, emigration, class moves and dispossession, then births. Returns counts of agents
    by region: `deaths_natural`, `deaths_famine`, `deaths_war`, `emigrants`, `births`,
    `moves` (R, K, K), and the census after the month (`owners`, `dispossessed`: living agents
    by region and class). `extra_death_p` (R, K) is famine mortality, `war_p` (R,) war mortality.

    `newborn_fields(region, klass, rng)` gives the other fields of the newborn agents.
    """
    R = death_p.shape[0]
    deaths = np.zeros((CHUNKS, R, N_CAUSES), dtype=np.int64)
    moves = np.zeros((CHUNKS, R, N_CLASSES, N_CLASSES), dtype=np.int64)
    war = np.zeros(R) if war_p is None else np.asarray(war_p, dtype=np.float64)
    # NumPy's PCG64 fills uniforms several times faster than Numba's own generator
    uniform = rng.random(people.n, dtype=np.float32)
    _population_kernel(uniform, people.n, people.region, people.klass, people.status,
                       people.dispossessed, death_p, extra_death_p, war, move_p, dispossess_p,
                       emigrate_p, deaths, moves)
    deaths, moves = deaths.sum(axis=0), moves.sum(axis=0)
    owners, dispossessed = census(people, R)
    comp = owners + dispossessed
    living = comp.sum(axis=1)
    births = rng.binomial(living.astype(np.int64), np.clip(birth_p, 0.0, 1.0))
    regions, classes = [], []
    for r in np.flatnonzero(births):
        p = comp[r] / comp[r].sum()
        regions.append(np.full(births[r], r, dtype=np.uint8))
        classes.append(rng.choice(N_CLASSES, size=births[r], p=p).astype(np.uint8))
    if regions:
        reg = np.concatenate(regions)
        kls = np.concatenate(classes)
        people.append(region=reg, klass=kls, **newborn_fields(reg, kls, rng))
        # newborns are owners of nothing yet and never dispossessed: count them in
        np.add.at(owners, (reg.astype(np.int64), kls.astype(np.int64)), 1.0)
    return {"deaths_natural": deaths[:, 0], "deaths_famine": deaths[:, 1],
            "emigrants": deaths[:, 2], "deaths_war": deaths[:, 3],
            "births": births.astype(np.int64), "moves": moves,
            "owners": owners, "dispossessed": dispossessed}


@nb.njit(cache=True)
def _census_kernel(n, region, klass, status, dispossessed, owners, dispossessed_count):
    for i in range(n):
        if status[i] == DEAD:
            continue
        if dispossessed[i]:
            dispossessed_count[region[i], klass[i]] += 1
        else:
            owners[region[i], klass[i]] += 1


def census(people, n_regions: int) -> tuple[np.ndarray, np.ndarray]:
    """Living agents by region and class: (not dispossessed, dispossessed)."""
    owners = np.zeros((n_regions, N_CLASSES))
    dispossessed = np.zeros((n_regions, N_CLASSES))
    _census_kernel(people.n, people.region, people.klass, people.status, people.dispossessed,
                   owners, dispossessed)
    return owners, dispossessed


# --- the population module of the step plan -------------------------------------------------

COMPACT_DEAD_SHARE = 0.1  # compact the arrays once a year when more than this share is dead
DEMOGRAPHY = ("births", "deaths_natural", "deaths_famine", "deaths_war", "emigrants")


def labour_supply(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Industrial and agricultural labour force, persons, from the agents' classes."""
    persons = world.owners * world.people_per_agent
    part = world.pars.participation
    industrial = part * persons[:, Klass.WORKER]
    agri = part * (persons[:, Klass.PEASANT] + persons[:, Klass.COLLECTIVE_FARMER])
    return industrial, agri


class Population(Module):
    """Births, deaths and emigration; class mobility that follows property and the labour market;
    the census of the living by region and class (`world.owners`, `world.dispossessed`)."""

    agent_fields: ClassVar[dict[str, np.dtype]] = BASE_FIELDS
    region_results: ClassVar[dict[str, Variable]] = {
        "population": Variable("persons", "living persons (agents x people_per_agent)"),
        "deaths_war": Variable("persons/month", "deaths in war this step"),
        "births": Variable("persons/month", "births this step"),
        "deaths_natural": Variable("persons/month",
                                   "deaths at the region's death rate this step"),
        "deaths_famine": Variable("persons/month",
                                  "deaths from the famine of forced collectivisation"),
        "emigrants": Variable("persons/month", "dispossessed persons who emigrated this step"),
    }
    class_results: ClassVar[dict[str, Variable]] = {
        "count": Variable("persons", "living persons of the class (dispossessed included)"),
    }

    def __init__(self, newborn_fields: Callable[[np.ndarray, np.ndarray, np.random.Generator],
                                                dict[str, np.ndarray]]) -> None:
        # the other modules' fields of newborn agents, gathered by the Sim
        self.newborn_fields = newborn_fields
        self.demography: dict[str, np.ndarray] = {}
        self.transition: Transition | None = None

    def init(self, world: World) -> None:
        # vital rates fall with income per head (demographic transition, history issue E7)
        self.transition = Transition(world.geo.birth_rate, world.geo.death_rate)

    def newborn(self, world: World, region: np.ndarray, klass: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"status": np.full(len(region), Status.QUIET, dtype=np.uint8)}

    def renew(self, world: World) -> None:
        """Births, deaths, emigration; proletarianisation, collectivisation, dispossession."""
        R, pars, dt, shared = world.n_regions, world.pars, world.dt, world.regions
        persons = world.owners * world.people_per_agent
        part = pars.participation
        rural = persons[:, Klass.PEASANT] + persons[:, Klass.COLLECTIVE_FARMER]
        demand = world.flows.labour_demand
        ind_supply, agri_supply = labour_supply(world)
        gap = np.maximum(0.0, demand[:, :2].sum(axis=1) - ind_supply) / part
        reserve = np.maximum(0.0, agri_supply - demand[:, Sector.AGRI]) / part
        pulled = pars.proletarianisation_speed * dt * np.minimum(gap, reserve)
        p_prolet = np.divide(pulled, rural, out=np.zeros(R), where=rural > 0)
        expropriated = shared["small_expropriated"]
        collectivised = shared["peasants_collectivised"]
        conceded = shared["conceded"]
        move = np.zeros((R, N_CLASSES, N_CLASSES))
        move[:, Klass.PEASANT, Klass.WORKER] = p_prolet + expropriated
        move[:, Klass.COLLECTIVE_FARMER, Klass.WORKER] = p_prolet
        move[:, Klass.ARTISAN, Klass.WORKER] = expropriated
        move[:, Klass.PEASANT, Klass.COLLECTIVE_FARMER] = collectivised
        # a right course's concessions: household farming and private trade come back, and with
        # them peasants leaving the collective farms and a new petty bourgeoisie (NEP men)
        move[:, Klass.COLLECTIVE_FARMER, Klass.PEASANT] = conceded
        move[:, Klass.ARTISAN, Klass.CAPITALIST] = conceded
        np.clip(move, 0.0, 1.0, out=move)
        off = move.sum(axis=2)
        over = off > 1.0
        move[over] /= off[over][:, None]
        idx = np.arange(N_CLASSES)
        move[:, idx, idx] = 1.0 - move.sum(axis=2)
        extra = np.zeros((R, N_CLASSES))
        famine = np.where(shared["forced"], pars.collectivisation_deaths * collectivised, 0.0)
        peas_w = np.divide(persons[:, Klass.PEASANT], rural, out=np.zeros(R), where=rural > 0)
        extra[:, Klass.PEASANT] = famine
        extra[:, Klass.COLLECTIVE_FARMER] = famine * peas_w
        extra += (shared["famine"] * dt)[:, None]
        dispossess = np.zeros((R, N_CLASSES))
        dispossess[:, Klass.CAPITALIST] = shared["capitalists_dispossessed"]
        dispossess[:, Klass.LANDLORD] = shared["landlords_dispossessed"]
        # extra monthly death probability of war (a region fights one war at a time) and of a
        # famine shock
        war_p = np.zeros(R)
        war_p[shared["at_war"]] += pars.war_deaths * dt
        war_p += shared["famine"] * dt
        births_rng = world.streams["population.births"]
        # the scenario's vital rates moved by this month's output per head (smoothed over a year
        # inside `Transition`)
        living = np.maximum(persons.sum(axis=1) + world.dispossessed.sum(axis=1)
                            * world.people_per_agent, 1.0)
        birth_rate, death_rate = self.transition.rates(
            world.flows.output.sum(axis=1) / living, pars, dt)
        self.demography = step(
            world.people, world.streams["population"],
            death_p=death_rate * dt, extra_death_p=extra, move_p=move,
            dispossess_p=dispossess, emigrate_p=np.full(R, pars.emigration_rate * dt),
            birth_p=birth_rate * dt, war_p=war_p,
            newborn_fields=lambda reg, kls, rng: self.newborn_fields(reg, kls, births_rng))
        if world.t % 12 == 11:
            people = world.people
            dead = int((people.status[: people.n] == Status.DEAD).sum())
            if dead > COMPACT_DEAD_SHARE * people.n:
                people.compact(Status.DEAD)
        world.owners = self.demography["owners"]
        world.dispossessed = self.demography["dispossessed"]

    def record(self, world: World) -> None:
        t, ppa, res = world.t, world.people_per_agent, world.results
        res.regions["population"][t] = world.living() * ppa
        for name in DEMOGRAPHY:
            res.regions[name][t] = self.demography[name] * ppa
        res.classes["count"][t] = (world.owners + world.dispossessed) * ppa
