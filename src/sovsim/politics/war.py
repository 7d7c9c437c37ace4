"""War and restoration (MODEL.md §4.7; seed ¶12).

A war destroys capital and kills on both sides each month. Its outcome is decided after
`war_months` by the cumulative military capacity of each side (HEAVY output), with noise: the
attacker wins with probability 1 / (1 + (M_target / M_attacker)^(1 / war_noise)). When a workers'
state is defeated its STATE capital passes into FOREIGN ownership of the victor, its collective
land is re-privatised (to landlords and smallholders), and it becomes a colony of the victor.
When a capitalist region is defeated it comes under the victor's occupation. "Years thrown back"
is how far back on its own earlier path the loser's output per head has fallen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sovsim.world.economy import Economy
from sovsim.world.names import Owner, Sector


@dataclass
class War:
    """A war in progress between two regions."""

    attacker: int
    target: int
    start_step: int
    capacity_attacker: float = 0.0
    capacity_target: float = 0.0

    def fights(self, r: int) -> bool:
        return r in (self.attacker, self.target)


def destroy(econ: Economy, war: War, pars: dict[str, float], dt: float) -> np.ndarray:
    """Capital destroyed this step on both sides (GK$), by region."""
    lost = np.zeros(econ.n_regions)
    for r in (war.attacker, war.target):
        share = pars["war_destruction"] * dt
        lost[r] = econ.K[r].sum() * share
        econ.K[r] *= 1 - share
        econ.F[r] *= 1 - share
    return lost


def accumulate_capacity(war: War, heavy_output: np.ndarray, dt: float) -> None:
    """Add this step's HEAVY output of each side to its military capacity."""
    war.capacity_attacker += heavy_output[war.attacker] * dt
    war.capacity_target += heavy_output[war.target] * dt


def attacker_wins(war: War, pars: dict[str, float], rng: np.random.Generator) -> bool:
    """Draw the outcome from the two sides' cumulative capacities."""
    ma, mt = max(war.capacity_attacker, 1e-9), max(war.capacity_target, 1e-9)
    p = 1.0 / (1.0 + (mt / ma) ** (1.0 / pars["war_noise"]))
    return bool(rng.random() < p)


def colonise(econ: Economy, loser: int, victor: int) -> float:
    """A defeated workers' state: state capital to the victor's capitalists, collective land
    re-privatised; returns the capital transferred (GK$)."""
    K, F = econ.K, econ.F
    state = K[loser, :, Owner.STATE].copy()
    K[loser, :, Owner.STATE] = 0.0
    K[loser, :, Owner.FOREIGN] += state
    F[loser, victor] += state
    coll = K[loser, :, Owner.COLLECTIVE].copy()
    K[loser, :, Owner.COLLECTIVE] = 0.0
    K[loser, Sector.AGRI, Owner.LANDLORD] += 0.5 * coll[Sector.AGRI]
    K[loser, Sector.AGRI, Owner.SMALL] += 0.5 * coll[Sector.AGRI]
    K[loser, [Sector.HEAVY, Sector.LIGHT], Owner.PRIVATE] += coll[[Sector.HEAVY, Sector.LIGHT]]
    econ.controller[loser] = victor
    econ.planned[loser] = False
    return float(state.sum() + coll.sum())


def years_thrown_back(series: np.ndarray, now: int) -> float:
    """How many years back on its own path a region's output per head has fallen: the time since
    it last stood at or below today's level (12-month means), or since the start if never."""
    if now < 12:
        return 0.0
    smooth = np.convolve(series[: now + 1], np.ones(12) / 12.0, mode="valid")
    level = smooth[-1]
    earlier = np.flatnonzero(smooth[:-1] <= level)
    last = earlier[-1] if earlier.size else -1
    return (len(smooth) - 1 - last) / 12.0
