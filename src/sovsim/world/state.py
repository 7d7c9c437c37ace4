"""The world-state: everything a step-plan entry may read or change, in one object.

The Sim builds one `World` and hands it to every entry of the step plan. It holds the shared
state (geography, capital and its flows, policy levers, parameters, the agents, the clock, the
random streams, the results recorded so far) and, in `regions`, the region conditions that one
mechanism sets and others read (a harvest, a famine, a war, action in the streets). What is
private to a mechanism (the wars in progress, each region's authority object) stays on its module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sovsim.world.build import Geography, date_of
from sovsim.world.economy import Economy, Flows
from sovsim.world.loading import LoadedScenario
from sovsim.world.pars import Pars
from sovsim.world.people import People
from sovsim.world.results import Results
from sovsim.world.streams import Streams

DT = 1.0 / 12.0  # one step is one month; rates in the model are per year


@dataclass
class Clock:
    """Steps since the start of the run and the month they stand for."""

    first_month: int   # month index (months since year 0) of step 0
    t: int = 0         # steps run so far; the step now running during a step
    dt: float = DT     # years per step

    @property
    def month(self) -> int:
        return self.first_month + self.t

    @property
    def date(self) -> str:
        return date_of(self.month)


@dataclass
class World:
    """The state of a run, handed to every entry of the step plan."""

    scenario: LoadedScenario
    geo: Geography
    econ: Economy
    flows: Flows
    lever: dict[str, np.ndarray]   # policy levers, (R,) each
    pars: Pars
    people: People
    clock: Clock
    streams: Streams
    results: Results
    people_per_agent: float
    # living agents by region and class, not dispossessed and dispossessed (the census the
    # population keeps; incomes, politics and the observables read it)
    owners: np.ndarray
    dispossessed: np.ndarray
    # conditions set by one mechanism and read by others: name -> (R,) or (R, K) array, or a
    # 0-d array for the world (prestige); each name is declared in its owner's `Module.shared`
    regions: dict[str, np.ndarray] = field(default_factory=dict)
    # the log of events: (step, date, kind, region, detail)
    events: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    @property
    def n_regions(self) -> int:
        return len(self.geo.names)

    @property
    def t(self) -> int:
        return self.clock.t

    @property
    def dt(self) -> float:
        return self.clock.dt

    def living(self) -> np.ndarray:
        """Living agents by region (not persons: times people_per_agent for persons)."""
        return (self.owners + self.dispossessed).sum(axis=1)

    def log(self, kind: str, r: int | None, detail: str) -> None:
        """Add an event to the log, dated by the clock ("world" when it has no region)."""
        name = "world" if r is None else self.geo.names[r]
        self.events.append((self.clock.t, self.clock.date, kind, name, detail))
