"""Workers' councils: a workers' state without a bureaucratic caste (seed ¶13-14).

Collective property without privileges: privilege share 0, no terror, few enforcers. The councils
are elected, so they have no course of their own to defend: they only answer the grievance of
those who elect them, grievance = hardship x (1 - legitimacy) as in the mobilisation submodel
(MODEL.md §4.5). The peasants' grievance lowers procurement below the scenario's base, the
workers' grievance lowers the accumulation share (more for consumption), each in proportion
`councils_relief`. Collectivisation goes on only at a voluntary pace (`councils_collectivisation`,
kept under the forced threshold by its domain and value), and their repression aims at
restorationist action rather than at the left (psi_left = `councils_psi_left` x psi_right).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.observables import Observables
from sovsim.world.names import Klass
from sovsim.world.pars import Pars

PEASANTS = [Klass.PEASANT, Klass.COLLECTIVE_FARMER]


def grievance(obs: Observables, r: int, classes: list[Klass]) -> float:
    """Persons-weighted mean grievance H (1 - L) of some classes of region r."""
    persons = obs.persons[r, classes]
    g = obs.hardship[r, classes] * (1.0 - obs.legitimacy[r, classes])
    return float(g @ persons / persons.sum()) if persons.sum() > 0 else 0.0


class Councils(Authority):
    """Elected workers' councils governing one region."""

    kind: ClassVar[str] = "councils"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.enforcers = pars.councils_enforcers                # per person
        self.relief = pars.councils_relief
        self.collectivisation = pars.councils_collectivisation  # 1/year, voluntary
        self.psi_left = pars.councils_psi_left                  # relative to psi_right

    def decide(self, obs: Observables, lever: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        """No privileges, no terror; procurement and accumulation answer the electors."""
        r, base = self.r, self.initial
        peasants = grievance(obs, r, PEASANTS)
        workers = grievance(obs, r, [Klass.WORKER])
        lever["privilege_share"][r] = 0.0
        lever["terror_rate"][r] = 0.0
        lever["enforcers_per_pop"][r] = self.enforcers
        lever["course"][r] = 0.0
        lever["procurement"][r] = base["procurement"] * max(0.0, 1.0 - self.relief * peasants)
        lever["accumulation_share"][r] = (base["accumulation_share"]
                                          * max(0.0, 1.0 - self.relief * workers))
        lever["collectivisation_rate"][r] = self.collectivisation
        lever["psi_right"][r] = base["psi_right"]
        lever["psi_left"][r] = self.psi_left * base["psi_right"]
