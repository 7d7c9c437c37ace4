"""Government: each region's authority reads what it can see and sets the policy levers
(MODEL.md §4.6; seed ¶6-14).

The authorities themselves (`sovsim.authorities`) decide on `Observables`, the world as it stood
at the end of the previous step, so that every decision is taken on the same information whatever
the order in which they decide. This module builds the observables, runs the decisions, replaces
an authority when a region changes hands, and adds the reforms from below that left action forces
under occupation (seed ¶7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.observables import Observables
from sovsim.authorities.registry import THEORY_DEFAULT, make_authority
from sovsim.world.module import Module, Variable
from sovsim.world.names import AUTHORITIES, LEVER_DOMAINS, Owner, Sector
from sovsim.world.state import World

if TYPE_CHECKING:
    from sovsim.politics.war import Warfare

OCCUPATION = AUTHORITIES.index("occupation")
PROVISIONAL = AUTHORITIES.index("provisional")


class Government(Module):
    """The authority of each region, its decisions on the levers and its succession."""

    shared: ClassVar[dict[str, str]] = {
        "authority": "index of the ruling authority in sovsim.world.names.AUTHORITIES",
        "reform_boost": "reform rate added by left action under occupation, 1/year"}
    region_results: ClassVar[dict[str, Variable]] = {
        "course": Variable("[-1, 1]",
                           "course x: -1 concessions to private accumulation, +1 crackdown"),
        "lambda": Variable("share", "share of planned investment going to HEAVY"),
        "privilege_share": Variable("share",
                                    "share of the state budget consumed as privileges"),
        "procurement": Variable("share",
                                "share of peasant and collective-farm income procured"),
        "enforcers": Variable("persons",
                              "enforcers (police, internal troops, occupation forces)"),
        "authority": Variable("index",
                              "ruling authority, index into sovsim.world.names.AUTHORITIES"),
        "controller": Variable("index", "governing region, index into meta.json `regions`"),
    }
    link_results: ClassVar[dict[str, Variable]] = {
        "control": Variable("1", "1 when `source` governs `target` (its controller) this step"),
    }

    def __init__(self, theory: str = THEORY_DEFAULT) -> None:
        self.theory = theory
        self.warfare: Warfare | None = None  # set by the Sim: decisions can start wars

    def init(self, world: World) -> None:
        authority = world.geo.authority.copy()
        world.regions["authority"] = authority
        world.regions["reform_boost"] = np.zeros(world.n_regions)
        self.authorities: list[Authority] = [self._make(world, r, authority[r])
                                             for r in range(world.n_regions)]

    def _make(self, world: World, r: int, kind_index: int) -> Authority:
        initial = {name: float(arr[r]) for name, arr in world.lever.items()}
        return make_authority(AUTHORITIES[kind_index], r, world.pars, initial, self.theory)

    def switch(self, world: World, r: int, kind: str, why: str) -> None:
        """Put region r under a new authority (withdrawal, succession, conquest)."""
        authority = world.regions["authority"]
        authority[r] = AUTHORITIES.index(kind)
        self.authorities[r] = self._make(world, r, authority[r])
        world.log("authority", r, f"{kind}: {why}")

    def observe(self, world: World) -> Observables:
        """What the authorities see: the world as it stood at the end of the last step."""
        step = world.t
        t = max(step - 1, 0)
        R, shared, results = world.n_regions, world.regions, world.results
        K = world.econ.K
        by_owner = K.sum(axis=1)
        total_K = np.maximum(by_owner.sum(axis=1), 1e-12)
        agri = np.maximum(K[:, Sector.AGRI].sum(axis=1), 1e-12)
        living = np.maximum(world.living(), 1e-12)
        y = results.regions["output_per_capita"]
        if step >= 13:
            growth = np.log(np.maximum(y[t], 1e-9) / np.maximum(y[t - 12], 1e-9))
        else:
            growth = np.zeros(R)
        out = np.maximum(world.flows.output.sum(axis=1), 1e-12)
        collective = by_owner[:, Owner.STATE] + by_owner[:, Owner.COLLECTIVE]
        return Observables(
            step=step, month=world.clock.month, dt=world.dt, names=world.geo.names,
            controller=world.econ.controller.copy(), authority=shared["authority"].copy(),
            output_per_capita=np.nan_to_num(y[t]) if step else np.zeros(R),
            growth=growth,
            collective_share=collective / total_K,
            private_share=1.0 - collective / total_K,
            landlord_share=K[:, Sector.AGRI, Owner.LANDLORD] / agri,
            employment=world.econ.employment.copy(), wage_share=world.flows.wage_share.copy(),
            investment_share=world.flows.investment.sum(axis=(1, 2)) / out,
            hardship=np.nan_to_num(results.classes["hardship"][t]),
            legitimacy=shared["legitimacy"].copy(), tendency=shared["tendency"].copy(),
            persons=(world.owners + world.dispossessed) * world.people_per_agent,
            active_left=shared["active_left"] / living,
            active_right=shared["active_right"] / living,
            jailed=shared["jailed"] / living, pro_capitalist=shared["pro_capitalist"].copy(),
            proletarian=shared["proletarian"].copy(), harvest=shared["harvest"].copy(),
            at_war=shared["at_war"].copy(), prestige=float(shared["prestige"]),
            recorded={name: arr[t] for name, arr in results.regions.items()})

    def decide(self, world: World) -> None:
        """Each region's authority reads the observables and sets its levers; left action under
        occupation speeds the reforms from below (seed ¶7)."""
        obs = self.observe(world)
        rng = world.streams["authorities"]
        lever, pars = world.lever, world.pars
        for auth in self.authorities:
            auth.decide(obs, lever, rng)
        for r, auth in enumerate(self.authorities):
            successor = getattr(auth, "successor", None)
            if successor is not None:
                # councils impose the plan; any other successor leaves it to property
                world.regions["plan_imposed"][r] = successor == "councils"
                self.switch(world, r, successor, "decided by the balance of mobilised forces")
            target = getattr(auth, "wants_war_on", None)
            if target is not None and pars.war_decision > 0 and self.warfare is not None:
                self.warfare.start(world, r, int(target), "decided by its government")
        # reforms from below: kept apart from the levers, so that no authority mistakes them
        # for its own or the schedule's decision (the economy adds them: reforms_from_below)
        occupied = np.isin(world.regions["authority"], (OCCUPATION, PROVISIONAL))
        world.regions["reform_boost"] = pars.left_reform_boost * obs.active_left * occupied
        mobilised = world.regions["mobilised_until"] > world.clock.month
        lever["psi_left"][mobilised] = 0.0
        for name, (low, high) in LEVER_DOMAINS.items():
            np.clip(lever[name], low, high, out=lever[name])

    def record(self, world: World) -> None:
        t, reg, lever = world.t, world.results.regions, world.lever
        living = world.living() * world.people_per_agent
        reg["course"][t] = lever["course"]
        reg["lambda"][t] = lever["lam"]
        reg["privilege_share"][t] = lever["privilege_share"]
        reg["procurement"][t] = lever["procurement"]
        reg["enforcers"][t] = lever["enforcers_per_pop"] * living
        reg["authority"][t] = world.regions["authority"]
        reg["controller"][t] = world.econ.controller
        governed = world.econ.controller != np.arange(world.n_regions)
        world.results.links["control"][t, world.econ.controller[governed],
                                       np.flatnonzero(governed)] = 1.0
