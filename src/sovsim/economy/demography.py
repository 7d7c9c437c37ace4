"""The demographic transition: birth and death rates that fall as income per head rises.

A region's crude birth and death rates start at the scenario's values (each sourced per region)
and move with its own income per head y relative to its income at the start y0:

    b(t) = b0 (y / y0)^eps_b,    d(t) = d0 (y / y0)^eps_d,

with elasticities eps_b, eps_d < 0 (`birth_income_elasticity`, `death_income_elasticity`).
They are the within-country elasticities of the UN's crude birth and death rates (WPP 2019,
five-year periods 1950-1970) on Maddison (2010) GDP per head over the same years, for the
seventeen countries of the scenario's regions
(`sovsim.validate.history_data.transition_elasticities`): a panel regression of ln rate on ln
income with a fixed effect per country, so that a country's own level (its
culture, its age structure in 1950) stays in its b0 and d0 and only the response to income is
common. 1971-1989 is left out of the fit; `sovsim history`'s E7 checks the model on it.

y is smoothed over a year (exponential memory, `income_memory_years`), so that a month's harvest
or a war does not move the birth rate at once. With both elasticities 0 the rates are the
scenario's constants (MODEL.md §4.10 as first written).
"""

from __future__ import annotations

import math

import numpy as np

INCOME_MEMORY_YEARS = 1.0


class Transition:
    """Each region's vital rates, moving with its smoothed income per head."""

    def __init__(self, birth0: np.ndarray, death0: np.ndarray) -> None:
        self.birth0 = np.asarray(birth0, dtype=float)
        self.death0 = np.asarray(death0, dtype=float)
        self.income0: np.ndarray | None = None
        self.income: np.ndarray | None = None

    def rates(self, income: np.ndarray, pars: dict[str, float], dt: float
              ) -> tuple[np.ndarray, np.ndarray]:
        """Birth and death rates (per person per year) at this step's income per head."""
        y = np.maximum(np.asarray(income, dtype=float), 1e-9)
        if self.income is None:
            self.income0, self.income = y.copy(), y.copy()
        else:
            keep = math.exp(-dt / INCOME_MEMORY_YEARS)
            self.income = keep * self.income + (1.0 - keep) * y
        ratio = self.income / self.income0
        birth = self.birth0 * ratio ** pars.get("birth_income_elasticity", 0.0)
        death = self.death0 * ratio ** pars.get("death_income_elasticity", 0.0)
        return birth, death
