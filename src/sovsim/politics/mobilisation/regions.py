"""Mass action and repression in every region of the world, each step (MODEL.md §4.5).

The step-plan entry of mobilisation: it gives each agent its legitimacy, turns each region's
enforcers per person into Epstein cops, and runs the well-mixed kernel over all regions at once
or the spatial kernel region by region on each region's torus, side by side on threads.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import numpy as np

from sovsim.politics.legitimacy import of_agents
from sovsim.politics.mobilisation.rules import COUNTS, MobilisationParams
from sovsim.politics.mobilisation.spatial import mobilise_spatial
from sovsim.politics.mobilisation.well_mixed import mobilise_well_mixed
from sovsim.world.module import Module, Variable
from sovsim.world.names import Status
from sovsim.world.state import World

MODES = ("well-mixed", "spatial")
SPATIAL_THREADS = max(1, min(4, os.cpu_count() or 1))


class Mobilisation(Module):
    """Mass action to the left and right, arrests, jail and terror deaths, region by region."""

    agent_fields: ClassVar[dict[str, np.dtype]] = {
        "jail": np.dtype(np.uint16),
        "risk_aversion": np.dtype(np.float32),
        "position": np.dtype(np.int32),  # cell on the region's torus (spatial mode; -1: none)
    }
    shared: ClassVar[dict[str, str]] = {
        "active_left": "agents in left action", "active_right": "agents in right action",
        "jailed": "agents in jail", "terror_deaths": "jailed agents who died this step"}
    region_results: ClassVar[dict[str, Variable]] = {
        "active_left": Variable("persons", "persons in left (proletarian) action"),
        "active_right": Variable("persons", "persons in right (restorationist) action"),
        "jailed": Variable("persons", "persons in jail"),
        "deaths_terror": Variable("persons/month",
                                  "jailed persons who died under terror this step"),
    }

    def __init__(self, mode: str = MODES[0]) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode `{mode}`; valid: {', '.join(MODES)}")
        self.mode = mode

    def init(self, world: World) -> None:
        R, pars = world.n_regions, world.pars
        for name in self.shared:
            world.regions[name] = np.zeros(R)
        self.legit_scratch = np.zeros(0, dtype=np.float32)
        self.params = MobilisationParams(k=pars.epstein_k, threshold=pars.epstein_threshold,
                                         vision=int(pars.epstein_vision), rounding="round")
        self.grids: dict[int, tuple[int, int, np.ndarray]] = {}

    def newborn(self, world: World, region: np.ndarray, klass: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"risk_aversion": rng.random(len(region), dtype=np.float32)}

    def mobilise(self, world: World) -> None:
        """Mass action and repression (Epstein 2002 with a direction), region by region."""
        people, n, lever, pars = world.people, world.people.n, world.lever, world.pars
        if self.legit_scratch.size < people.capacity:
            self.legit_scratch = np.zeros(people.capacity, dtype=np.float32)
        legit = of_agents(world.regions["legitimacy"], people.region[:n], people.klass[:n],
                          people.legitimacy_offset[:n], self.legit_scratch[:n])
        ppa = world.people_per_agent
        persons = world.living() * ppa
        # an enforcer deters as much as `enforcer_weight` of Epstein's cops: a real police force
        # of a few per thousand is backed by troops, informers and records that a grid cop is
        # not; but it arrests no more than one enforcer can (arrest_share = 1 / weight)
        cops = np.rint(pars.enforcer_weight * lever["enforcers_per_pop"] * persons / ppa)
        rng = world.streams["mobilisation"]
        if self.mode == "well-mixed":
            counts = mobilise_well_mixed(
                people.status[:n], people.hardship[:n], legit, people.risk_aversion[:n],
                people.tendency[:n], people.jail[:n], cops.astype(np.int64), rng, self.params,
                region=people.region[:n], psi_left=lever["psi_left"],
                psi_right=lever["psi_right"],
                terror_rate=np.clip(lever["terror_rate"], 0.0, 1.0),
                max_jail=np.rint(lever["jail_max"]).astype(np.int64),
                arrest_share=1.0 / pars.enforcer_weight)
            row = {k: v[0, : world.n_regions].astype(float) for k, v in counts.items()}
        else:
            row = self._spatial(world, legit, cops.astype(np.int64), rng)
        for name in ("active_left", "active_right", "jailed", "terror_deaths"):
            world.regions[name] = row[name]

    def _spatial(self, world: World, legit: np.ndarray, cops: np.ndarray,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
        people, n, lever, R = world.people, world.people.n, world.lever, world.n_regions
        row = {k: np.zeros(R) for k in COUNTS}
        # the living grouped by region in one stable sort (a radix sort for uint8 keys)
        living = np.flatnonzero(people.status[:n] != Status.DEAD)
        by_region = living[np.argsort(people.region[living], kind="stable")]
        ends = np.cumsum(np.bincount(people.region[living], minlength=R))
        density = world.pars.citizen_density
        # one generator per region, spawned in region order: the result does not depend on
        # which thread runs which region, or on how many threads there are
        gens = rng.spawn(R)
        jobs = []
        for r in range(R):
            idx = by_region[(ends[r - 1] if r else 0):ends[r]]
            if idx.size == 0:
                continue
            width, height, cop_pos = self._grid(world, r, idx.size + int(cops[r]), density)
            if cop_pos.size != cops[r]:
                cop_pos = np.full(int(cops[r]), -1, dtype=np.int32)
            params = MobilisationParams(
                k=self.params.k, threshold=self.params.threshold, vision=self.params.vision,
                rounding=self.params.rounding,
                max_jail=int(np.clip(lever["jail_max"][r], 0, 65535)),
                psi_left=float(lever["psi_left"][r]),
                psi_right=float(lever["psi_right"][r]),
                terror_rate=float(np.clip(lever["terror_rate"][r], 0.0, 1.0)),
                arrest_share=1.0 / world.pars.enforcer_weight)
            jobs.append((r, idx, width, height, cop_pos, params, gens[r]))

        def work(job):
            # regions do not interact in mobilisation, and the kernel releases the GIL, so
            # regions run side by side on the machine's cores
            r, idx, width, height, cop_pos, params, gen = job
            status, jail, pos = people.status[idx], people.jail[idx], people.position[idx]
            counts = mobilise_spatial(
                status, people.hardship[idx], legit[idx], people.risk_aversion[idx],
                people.tendency[idx], jail, pos, cop_pos, width, height, gen, params)
            return r, idx, width, height, cop_pos, status, jail, pos, counts

        largest_first = sorted(jobs, key=lambda job: -job[1].size)
        with ThreadPoolExecutor(max_workers=SPATIAL_THREADS) as pool:
            done = list(pool.map(work, largest_first))
        for r, idx, width, height, cop_pos, status, jail, pos, counts in sorted(
                done, key=lambda d: d[0]):
            people.status[idx], people.jail[idx], people.position[idx] = status, jail, pos
            self.grids[r] = (width, height, cop_pos)
            for k in COUNTS:
                row[k][r] = counts[k][0]
        return row

    def _grid(self, world: World, r: int, agents: int,
              density: float) -> tuple[int, int, np.ndarray]:
        """Region r's torus: kept while it has room, rebuilt (everyone re-placed) when not."""
        if r in self.grids:
            width, height, cops = self.grids[r]
            if width * height >= agents:
                return width, height, cops
        side = int(np.ceil(np.sqrt(agents / density * 1.2)))
        people = world.people
        mask = people.region[: people.n] == r
        people.position[: people.n][mask] = -1
        return side, side, np.full(0, -1, dtype=np.int32)

    def record(self, world: World) -> None:
        t, reg, ppa, shared = world.t, world.results.regions, world.people_per_agent, world.regions
        reg["active_left"][t] = shared["active_left"] * ppa
        reg["active_right"][t] = shared["active_right"] * ppa
        reg["jailed"][t] = shared["jailed"] * ppa
        reg["deaths_terror"][t] = shared["terror_deaths"] * ppa
