"""Legitimacy of the ruling authority, by region and class (MODEL.md §4.4; seed ¶6-7, ¶13-14).

L[r,k] relaxes toward a target set by what the authority's policies do to class k: agrarian
reform raises it among peasants and lowers it among landlords; nationalisation raises it among
workers and lowers it among capitalists; pillage and terror lower it for everyone; visible
privileges lower it among workers; an attack from abroad rallies everyone; workers' councils are
elected and start from more trust; and hardship wears it down. An agent's legitimacy is its
group's value plus a fixed individual offset.
"""

from __future__ import annotations

from typing import ClassVar

import numba as nb
import numpy as np

from sovsim.world.module import Module, Variable
from sovsim.world.names import AUTHORITIES, N_CLASSES, Klass
from sovsim.world.pars import Pars
from sovsim.world.state import World


def target(pars: Pars, lever: dict[str, np.ndarray], hardship: np.ndarray,
           pillage_ratio: np.ndarray, terror_ratio: np.ndarray, attacked: np.ndarray,
           councils: np.ndarray) -> np.ndarray:
    """Target legitimacy (R, K) given this step's policies and their measured effects.

    pillage_ratio: equipment shipped away / output; terror_ratio: terror deaths per person and
    year; attacked: bool, the region is at war as a target; councils: bool, ruled by councils.
    """
    R = hardship.shape[0]
    t = np.full((R, N_CLASSES), pars.legitimacy_base)
    t -= pars.legitimacy_hardship * hardship
    reform = np.minimum(1.0, lever["agrarian_reform_rate"])
    nation = np.minimum(1.0, lever["nationalisation_rate"])
    coll = np.minimum(1.0, lever["collectivisation_rate"])
    w = pars.legitimacy_reform
    t[:, Klass.PEASANT] += w * (reform - coll)
    t[:, Klass.LANDLORD] -= w * reform
    t[:, Klass.WORKER] += w * nation
    t[:, Klass.CAPITALIST] -= w * nation
    t[:, Klass.WORKER] -= pars.legitimacy_privilege * lever["privilege_share"]
    t -= (pars.legitimacy_pillage * np.minimum(1.0, pillage_ratio))[:, None]
    t -= (pars.legitimacy_terror * np.minimum(1.0, terror_ratio * 100.0))[:, None]
    t += (pars.legitimacy_rally * attacked)[:, None]
    t += (pars.legitimacy_councils * councils)[:, None]
    return np.clip(t, 0.0, 1.0)


def relax(L: np.ndarray, goal: np.ndarray, pars: Pars, dt: float) -> np.ndarray:
    """Move legitimacy a step toward its target (time constant `legitimacy_time` months)."""
    rate = min(1.0, dt * 12.0 / pars.legitimacy_time)
    return L + rate * (goal - L)


@nb.njit(cache=True)
def _of_agents_kernel(L, region, klass, offset, out):
    for i in range(region.shape[0]):
        v = L[region[i], klass[i]] + offset[i]
        out[i] = 0.0 if v < 0.0 else (1.0 if v > 1.0 else v)


def of_agents(L: np.ndarray, region: np.ndarray, klass: np.ndarray, offset: np.ndarray,
              out: np.ndarray) -> np.ndarray:
    """Each agent's legitimacy: its group's value plus its own offset, within [0, 1]."""
    _of_agents_kernel(L.astype(np.float32), region, klass, offset, out)
    return out


# --- the legitimacy module of the step plan -------------------------------------------------

COUNCILS = AUTHORITIES.index("councils")


class Legitimacy(Module):
    """Legitimacy of each region's authority by class, and each agent's own offset from it."""

    agent_fields: ClassVar[dict[str, np.dtype]] = {"legitimacy_offset": np.dtype(np.float32)}
    shared: ClassVar[dict[str, str]] = {
        "legitimacy": "(R, K) legitimacy of the ruling authority in each class"}
    class_results: ClassVar[dict[str, Variable]] = {
        "legitimacy": Variable("[0, 1]", "legitimacy of the ruling authority in the class"),
    }

    def init(self, world: World) -> None:
        world.regions["legitimacy"] = np.full((world.n_regions, N_CLASSES),
                                              world.pars.legitimacy_base)

    def newborn(self, world: World, region: np.ndarray, klass: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
        offset = rng.normal(0.0, world.pars.legitimacy_spread, len(region))
        return {"legitimacy_offset": offset.astype(np.float32)}

    def update_legitimacy(self, world: World) -> None:
        """Legitimacy of each authority by class relaxes toward what its policies do."""
        shared, flows, dt = world.regions, world.flows, world.dt
        out = np.maximum(flows.output.sum(axis=1), 1e-12)
        living = np.maximum(world.living() * world.people_per_agent, 1.0)
        goal = target(world.pars, world.lever, np.nan_to_num(shared["hardship"]),
                      flows.pillage_out / out, shared["terror_deaths"] / dt / living,
                      shared["attacked"], shared["authority"] == COUNCILS)
        shared["legitimacy"] = relax(shared["legitimacy"], goal, world.pars, dt)

    def record(self, world: World) -> None:
        world.results.classes["legitimacy"][world.t] = world.regions["legitimacy"]
