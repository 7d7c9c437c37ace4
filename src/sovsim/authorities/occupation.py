"""Soviet occupation authority in the buffer zone (seed ¶6-8, 13).

It nationalises heavy industry and carries out an agrarian reform while capitalists and landlords
remain (seed ¶6), ships part of the industrial equipment to the USSR (pillage, seed ¶6), and leans
"even if hesitantly, on the independent action of the masses with the aim of limiting it, holding
it back and eventually crushing it" (seed ¶7): its repression spares left action at first (the
scenario's low psi_left) and turns on it once left action passes a tolerance, psi_left rising to
`occupation_psi_left_escalation` times its start. That turn is remembered: an alarm rises within
months of the tolerance being passed and fades only slowly afterwards. Its targeting of right
action (landlords' and capitalists' resistance, seed ¶7) stays the scenario's.

The scenario's dated reforms and removals (its initial values and [[schedule]]) are the base: the
authority keeps a scheduled rate and never goes below it, and adds its own background drive
(`occupation_nationalisation`, `occupation_agrarian_reform`) where the schedule is quieter.
Pillage is the scheduled rate as it stands.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.observables import Observables
from sovsim.world.pars import Pars

NO_LANDLORDS = 1e-3  # landlord share of AGRI capital below which no estate is left to divide
SCHEDULED = ("nationalisation_rate", "agrarian_reform_rate", "pillage_rate")


class Occupation(Authority):
    """The occupying power's administration of one buffer-zone region."""

    kind: ClassVar[str] = "occupation"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.nationalisation = pars.occupation_nationalisation   # 1/year
        self.agrarian_reform = pars.occupation_agrarian_reform   # 1/year
        self.left_tolerance = pars.occupation_left_tolerance     # share of the living
        self.psi_left_escalation = pars.occupation_psi_left_escalation  # factor at alarm 1
        self.alarm_rise = pars.occupation_alarm_rise             # months
        self.alarm_memory = pars.occupation_alarm_memory         # months
        self.alarm = 0.0      # 0: leaning on left action; 1: holding it back and crushing it
        self.base = {name: float(initial[name]) for name in SCHEDULED}
        self._wrote: dict[str, float] = {}

    def follow_schedule(self, lever: dict[str, np.ndarray]) -> None:
        """Take as base any value the schedule has put in a lever since this authority last
        wrote it (a value it finds there that it did not write)."""
        for name in SCHEDULED:
            now = float(lever[name][self.r])
            if name not in self._wrote or now != self._wrote[name]:
                self.base[name] = now

    def update_alarm(self, obs: Observables) -> None:
        """The alarm rises while left action is past the tolerance and fades slowly after."""
        months = 12.0 * obs.dt
        if float(obs.active_left[self.r]) > self.left_tolerance:
            self.alarm += (1.0 - self.alarm) * min(1.0, months / self.alarm_rise)
        else:
            self.alarm -= self.alarm * min(1.0, months / self.alarm_memory)

    def decide(self, obs: Observables, lever: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        """Reforms, pillage and the targeting of repression for this step."""
        r = self.r
        self.follow_schedule(lever)
        self.update_alarm(obs)
        reform = self.agrarian_reform if float(obs.landlord_share[r]) > NO_LANDLORDS else 0.0
        lever["nationalisation_rate"][r] = max(self.base["nationalisation_rate"],
                                               self.nationalisation)
        lever["agrarian_reform_rate"][r] = max(self.base["agrarian_reform_rate"], reform)
        lever["pillage_rate"][r] = self.base["pillage_rate"]
        lever["psi_left"][r] = self.initial["psi_left"] * (
            1.0 + (self.psi_left_escalation - 1.0) * self.alarm)
        lever["psi_right"][r] = self.initial["psi_right"]
        for name in SCHEDULED:
            self._wrote[name] = float(lever[name][r])
