"""Colonial administration of a dependency of an imperialist power (seed ¶2, 5, 7).

Imperialism "in the colonies rests on the most reactionary social forces, primarily on the large
landed proprietors" (seed ¶7): no agrarian reform, ever. It superexploits the colonial masses and
expropriates small artisans and farmers (seed ¶5): a ceiling on the wage share at most
`colonial_wage_ceiling`, and an expropriation rate of at least `colonial_expropriation`. Its
repression is aimed at peasant and left action rather than at landlords and restorationists:
psi_left at least `colonial_left_targeting` times psi_right. Where the scenario gives a region
harsher values than these bounds, the scenario's stand.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.observables import Observables
from sovsim.world.pars import Pars


class Colonial(Authority):
    """The administration that governs a colony for its imperialist controller."""

    kind: ClassVar[str] = "colonial"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.wage_ceiling = pars.colonial_wage_ceiling
        self.expropriation = pars.colonial_expropriation      # 1/year
        self.left_targeting = pars.colonial_left_targeting    # psi_left / psi_right, at least

    def decide(self, obs: Observables, lever: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        """No agrarian reform; superexploitation, expropriation, repression of the left."""
        r, base = self.r, self.initial
        lever["agrarian_reform_rate"][r] = 0.0
        lever["colonial_wage_share"][r] = min(base["colonial_wage_share"], self.wage_ceiling)
        lever["expropriation_rate"][r] = max(base["expropriation_rate"], self.expropriation)
        lever["psi_right"][r] = base["psi_right"]
        lever["psi_left"][r] = max(base["psi_left"], self.left_targeting * base["psi_right"])
