"""Scheduled events of a scenario: attacks, withdrawals, federations, instrumental
mobilisation and shocks (harvest failure, famine, destruction) (MODEL.md §4.8; seed ¶6-14)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.politics.government import Government
from sovsim.politics.war import Warfare
from sovsim.world.build import month_index
from sovsim.world.module import Module
from sovsim.world.state import World

SHOCK_MONTHS = 12  # a harvest failure or a famine lasts a year


class Events(Module):
    """The scenario's events, each on its date, and the conditions they leave behind."""

    shared: ClassVar[dict[str, str]] = {
        "harvest": "harvest multiplier of AGRI (1 = normal)",
        "famine": "famine size: extra yearly death probability and hardship",
        "federation": "int: head region of the region's federation (-1: none)",
        "mobilised_until": "int: month index until which the region is mobilised "
                           "(no repression of left action)",
        "withdrawals": "int: withdrawals of an occupying army from the region this step",
    }

    def __init__(self, government: Government, warfare: Warfare) -> None:
        self.government = government
        self.warfare = warfare

    def init(self, world: World) -> None:
        R = world.n_regions
        shared = world.regions
        shared["harvest"] = np.ones(R)
        shared["famine"] = np.zeros(R)
        shared["federation"] = np.full(R, -1)
        shared["mobilised_until"] = np.zeros(R, dtype=np.int64)
        shared["withdrawals"] = np.zeros(R, dtype=np.int64)
        self.harvest_until = np.zeros(R, dtype=np.int64)
        self.famine_until = np.zeros(R, dtype=np.int64)
        self.queue = sorted(
            ((month_index(e.date), i, e) for i, e in enumerate(world.scenario.model.events)),
            key=lambda row: (row[0], row[1]))
        self.next = 0

    def apply_events(self, world: World) -> None:
        """Scheduled events take effect: attack, withdrawal, federation, mobilisation, shock."""
        month, shared = world.clock.month, world.regions
        shared["withdrawals"][:] = 0
        while self.next < len(self.queue) and self.queue[self.next][0] <= month:
            _, _, event = self.queue[self.next]
            self.next += 1
            self._apply(world, event)
        shared["harvest"][self.harvest_until <= month] = 1.0
        shared["famine"][self.famine_until <= month] = 0.0

    def _apply(self, world: World, event) -> None:
        idx, shared, month = world.geo.index, world.regions, world.clock.month
        if event.kind == "attack":
            self.warfare.start(world, idx(event.attacker), idx(event.target), "scheduled")
        elif event.kind == "withdraw":
            self.withdraw(world, idx(event.region))
        elif event.kind == "federate":
            members = [idx(n) for n in event.regions]
            shared["federation"][members] = members[0]
            shared["plan_imposed"][members] = True
            world.log("federate", members[0], "federation of " + ", ".join(event.regions))
        elif event.kind == "mobilise":
            r = idx(event.region)
            shared["mobilised_until"][r] = month + event.months
            world.log("mobilise", r, f"instrumental mobilisation for {event.months} months")
        elif event.kind == "shock":
            r, size = idx(event.region), event.size.value
            if event.shock == "harvest":
                shared["harvest"][r] = 1.0 - size
                self.harvest_until[r] = month + SHOCK_MONTHS
            elif event.shock == "famine":
                shared["famine"][r] = size
                self.famine_until[r] = month + SHOCK_MONTHS
            else:
                world.econ.K[r] *= 1.0 - size
                world.econ.F[r] *= 1.0 - size
            world.log("shock", r, f"{event.shock} of size {size:g}")

    def withdraw(self, world: World, r: int) -> None:
        """The occupying army leaves: no more occupation enforcers, pillage or control."""
        world.econ.controller[r] = r
        world.lever["pillage_rate"][r] = 0.0
        world.lever["enforcers_per_pop"][r] = world.pars.provisional_enforcers
        world.regions["withdrawals"][r] += 1
        self.government.switch(world, r, "provisional", "withdrawal of the occupying army")
