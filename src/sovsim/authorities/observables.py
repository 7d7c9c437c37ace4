"""What an authority can see of its region(s) at the start of a step: the authorities' contract.

Authorities read observables and set policy levers; they never touch agents or capital.
`sovsim.politics.government` fills one `Observables` each step from the step before (so every
decision is taken on the same information, whatever the order in which the authorities decide).
Besides the named fields, `recorded` holds every region variable of the results as it stood at the
end of the previous step: a variable a mechanism module records is visible to the authorities
without further wiring (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Observables:
    """Measured state of every region at the end of the previous step. Arrays are (R,) unless
    shown; class tables are (R, K) in the order of `sovsim.world.names.Klass`."""

    step: int                     # steps since the start of the run
    month: int                    # months since year 0 (date = month // 12, month % 12 + 1)
    dt: float                     # years per step
    names: list[str]
    controller: np.ndarray        # index of the governing region
    authority: np.ndarray         # index into sovsim.world.names.AUTHORITIES
    output_per_capita: np.ndarray  # 1990 GK$/person/year
    growth: np.ndarray            # growth of output per head over the last 12 months, 1/year
    collective_share: np.ndarray  # (state + collective capital) / all capital
    private_share: np.ndarray     # (private + small + landlord + foreign capital) / all capital
    landlord_share: np.ndarray    # landlord capital / AGRI capital
    employment: np.ndarray        # industrial employment rate
    wage_share: np.ndarray        # wages / output
    investment_share: np.ndarray  # investment / output
    hardship: np.ndarray          # (R, K) mean hardship
    legitimacy: np.ndarray        # (R, K) mean legitimacy of the ruling authority
    tendency: np.ndarray          # (R, K) mean tendency (-1 restorationist .. +1 proletarian)
    persons: np.ndarray           # (R, K) living persons
    active_left: np.ndarray       # share of the living in left (proletarian) action
    active_right: np.ndarray      # share of the living in right (restorationist) action
    jailed: np.ndarray            # share of the living in jail
    pro_capitalist: np.ndarray    # strength P of the pro-capitalist tendency, in [0, 1]
    proletarian: np.ndarray       # strength W of the proletarian tendency, in [0, 1]
    harvest: np.ndarray           # harvest multiplier of AGRI this step (1 = normal)
    at_war: np.ndarray            # bool: the region is at war
    prestige: float               # world prestige D of the October conquests, in [0, 1]
    # every recorded region variable (name -> (R,)) at the end of the previous step; NaN at the
    # first step, before anything was recorded
    recorded: dict[str, np.ndarray] = field(default_factory=dict)

    def governs(self, r: int) -> np.ndarray:
        """Indices of the regions that region r governs (its dependencies)."""
        idx = np.arange(len(self.names))
        return idx[(self.controller == r) & (idx != r)]
