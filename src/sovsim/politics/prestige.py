"""World prestige D of the October conquests among the world's workers (MODEL.md §4.9;
seed ¶1, ¶3, ¶14).

D relaxes toward a baseline and is moved by what the workers' states do: terror victims,
pillage and the number of regions held under occupation lower it; reforms that benefit the masses
(agrarian reform, nationalisation under occupation) and withdrawals raise it.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.world.module import Module, Variable
from sovsim.world.names import AUTHORITIES
from sovsim.world.pars import Pars
from sovsim.world.state import World


def step(D: float, pars: Pars, dt: float, *, terror_per_capita: float,
         pillage_share: float, occupied_share: float, reform_intensity: float,
         withdrawals: int) -> float:
    """One step of prestige. terror_per_capita: terror deaths per person and year in the
    workers' states; pillage_share: pillaged equipment / output of the occupied regions;
    occupied_share: share of the world's population under Soviet-type occupation;
    reform_intensity: mean of agrarian-reform and nationalisation rates there (1/year);
    withdrawals: withdrawals this step."""
    drift = (pars.prestige_base - D) / (pars.prestige_time / 12.0)
    drift -= pars.prestige_terror * min(1.0, terror_per_capita * 100.0)
    drift -= pars.prestige_pillage * min(1.0, pillage_share)
    drift -= pars.prestige_occupation * occupied_share
    drift += pars.prestige_reform * min(1.0, reform_intensity)
    D = D + dt * drift + pars.prestige_withdrawal * withdrawals
    return min(1.0, max(0.0, D))


# --- the prestige module of the step plan ---------------------------------------------------

OCCUPATION = AUTHORITIES.index("occupation")
WORKERS_STATES = (AUTHORITIES.index("bureaucracy"), AUTHORITIES.index("councils"))


class Prestige(Module):
    """World prestige D of the October conquests among the world's workers."""

    shared: ClassVar[dict[str, str]] = {
        "prestige": "() prestige D of the October conquests, in [0, 1]"}
    world_results: ClassVar[dict[str, Variable]] = {
        "prestige": Variable("[0, 1]",
                             "prestige D of the October conquests among the world's workers"),
    }

    def init(self, world: World) -> None:
        world.regions["prestige"] = np.array(world.pars.prestige_initial)

    def update_prestige(self, world: World) -> None:
        """World prestige D moves with terror, pillage, occupation, reforms and withdrawals."""
        shared, lever, dt = world.regions, world.lever, world.dt
        ppa = world.people_per_agent
        persons = world.living() * ppa
        ws = np.isin(shared["authority"], WORKERS_STATES)
        occ = shared["authority"] == OCCUPATION
        terror = shared["terror_deaths"][ws].sum() * ppa / max(persons[ws].sum(), 1.0) / dt
        out = world.flows.output.sum(axis=1)
        pill = (world.flows.pillage_out[occ].sum() / max(out[occ].sum(), 1e-12)
                if occ.any() else 0.0)
        reform = (float(np.mean(lever["agrarian_reform_rate"][occ]
                                + lever["nationalisation_rate"][occ])) / 2
                  if occ.any() else 0.0)
        shared["prestige"] = np.array(step(
            float(shared["prestige"]), world.pars, dt, terror_per_capita=terror,
            pillage_share=pill, occupied_share=persons[occ].sum() / max(persons.sum(), 1.0),
            reform_intensity=reform, withdrawals=int(shared["withdrawals"].sum())))

    def record(self, world: World) -> None:
        world.results.world["prestige"][world.t] = world.regions["prestige"]
