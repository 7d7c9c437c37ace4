"""Provisional authority after a withdrawal, until the mobilised forces decide (seed ¶14).

When the occupying army withdraws, nobody rules by force: no terror, no pillage, repression
untargeted. For `provisional_months` the authority watches the balance of mobilised forces,
balance = w (active_left - active_right) + (W - P),
left action and the proletarian tendency against right action and the pro-capitalist tendency,
with mobilised people weighted `provisional_action_weight` times the tendencies. It averages the
balance over the waiting time so that one month's flare-up does not decide. At the end a positive
mean balance gives workers' councils ("councils"); otherwise the bourgeoisie restores its
government ("finance_capital"). It sets `successor` to that name; the Sim then swaps authorities.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.observables import Observables
from sovsim.world.pars import Pars


class Provisional(Authority):
    """A caretaker authority whose successor the balance of forces decides."""

    kind: ClassVar[str] = "provisional"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.months = pars.provisional_months
        self.action_weight = pars.provisional_action_weight
        self.elapsed = 0.0            # months since the withdrawal
        self.balance_sum = 0.0
        self.steps = 0
        self.successor: str | None = None

    def balance(self, obs: Observables) -> float:
        """Left minus right: mobilised action (weighted) plus tendency strength."""
        r = self.r
        action = float(obs.active_left[r] - obs.active_right[r])
        tendency = float(obs.proletarian[r] - obs.pro_capitalist[r])
        return self.action_weight * action + tendency

    def decide(self, obs: Observables, lever: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        """Caretaker levers; at the end of the waiting time, the successor."""
        r = self.r
        lever["terror_rate"][r] = 0.0
        lever["pillage_rate"][r] = 0.0
        lever["psi_left"][r] = lever["psi_right"][r] = 1.0
        if self.successor is not None:
            return
        self.balance_sum += self.balance(obs)
        self.steps += 1
        self.elapsed += 12.0 * obs.dt
        if self.elapsed >= self.months - 1e-9:
            mean = self.balance_sum / self.steps
            self.successor = "councils" if mean > 0.0 else "finance_capital"
