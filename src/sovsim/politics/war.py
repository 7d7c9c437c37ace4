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
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sovsim.world.economy import Economy
from sovsim.world.module import Module, Variable
from sovsim.world.names import AUTHORITIES, Owner, Sector
from sovsim.world.pars import Pars
from sovsim.world.state import World

if TYPE_CHECKING:
    from sovsim.politics.government import Government


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


def destroy(econ: Economy, war: War, pars: Pars, dt: float) -> np.ndarray:
    """Capital destroyed this step on both sides (GK$), by region."""
    lost = np.zeros(econ.n_regions)
    for r in (war.attacker, war.target):
        share = pars.war_destruction * dt
        lost[r] = econ.K[r].sum() * share
        econ.K[r] *= 1 - share
        econ.F[r] *= 1 - share
    return lost


def accumulate_capacity(war: War, heavy_output: np.ndarray, dt: float) -> None:
    """Add this step's HEAVY output of each side to its military capacity."""
    war.capacity_attacker += heavy_output[war.attacker] * dt
    war.capacity_target += heavy_output[war.target] * dt


def attacker_wins(war: War, pars: Pars, rng: np.random.Generator) -> bool:
    """Draw the outcome from the two sides' cumulative capacities."""
    ma, mt = max(war.capacity_attacker, 1e-9), max(war.capacity_target, 1e-9)
    p = 1.0 / (1.0 + (mt / ma) ** (1.0 / pars.war_noise))
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


# --- the war module of the step plan --------------------------------------------------------

BUREAUCRACY = AUTHORITIES.index("bureaucracy")
COUNCILS = AUTHORITIES.index("councils")


class Warfare(Module):
    """Wars in progress: destruction and capacity each month; decided wars end in defeat."""

    shared: ClassVar[dict[str, str]] = {
        "at_war": "bool: the region is at war", "attacked": "bool: the region is attacked"}
    region_results: ClassVar[dict[str, Variable]] = {
        "years_thrown_back": Variable("years", "years back on its own path the region fell in "
                                               "its last lost war (0 if none)"),
    }

    def __init__(self, government: Government) -> None:
        # a conquest changes the loser's authority
        self.government = government
        self.wars: list[War] = []

    def init(self, world: World) -> None:
        self.years_back = np.zeros(world.n_regions)
        self._publish(world)

    def _publish(self, world: World) -> None:
        at_war = np.zeros(world.n_regions, dtype=bool)
        attacked = np.zeros(world.n_regions, dtype=bool)
        for w in self.wars:
            at_war[[w.attacker, w.target]] = True
            attacked[w.target] = True
        world.regions["at_war"], world.regions["attacked"] = at_war, attacked

    def start(self, world: World, attacker: int, target: int, why: str) -> None:
        """Start a war, unless either side is already fighting one."""
        if any(w.fights(attacker) or w.fights(target) for w in self.wars):
            return
        self.wars.append(War(attacker, target, world.t))
        self._publish(world)
        names = world.geo.names
        world.log("attack", target, f"{names[attacker]} attacks {names[target]} ({why})")

    def fight(self, world: World) -> None:
        """Wars destroy capital and kill on both sides; decided wars end in defeat of one."""
        still = []
        for w in self.wars:
            destroy(world.econ, w, world.pars, world.dt)
            accumulate_capacity(w, world.flows.output[:, Sector.HEAVY], world.dt)
            if world.t - w.start_step >= world.pars.war_months:
                self._end(world, w)
            else:
                still.append(w)
        self.wars = still
        self._publish(world)

    def _end(self, world: World, w: War) -> None:
        wins = attacker_wins(w, world.pars, world.streams["war"])
        victor, loser = (w.attacker, w.target) if wins else (w.target, w.attacker)
        names = world.geo.names
        self.years_back[loser] = years_thrown_back(
            world.results.regions["output_per_capita"][:, loser], max(world.t - 1, 0))
        if wins:
            if world.regions["authority"][loser] in (BUREAUCRACY, COUNCILS):
                moved = colonise(world.econ, loser, victor)
                world.regions["plan_imposed"][loser] = False
                self.government.switch(world, loser, "colonial", f"conquered by {names[victor]}")
                world.log("restoration", loser,
                          f"state and collective capital worth {moved:.4g} GK$ pass to "
                          f"{names[victor]} owners")
            else:
                world.econ.controller[loser] = victor
                self.government.switch(world, loser, "occupation",
                                       f"conquered by {names[victor]}")
        world.log("war_end", loser, f"{names[victor]} defeats {names[loser]}; "
                  f"{self.years_back[loser]:.1f} years thrown back")

    def record(self, world: World) -> None:
        world.results.regions["years_thrown_back"][world.t] = self.years_back
