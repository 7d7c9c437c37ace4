"""The simulation: the world of a scenario, run month by month through a declared step plan.

`Sim` builds the world-state (`sovsim.world.state.World`) and the mechanism modules, runs the
plan and collects what the modules record. The plan (MODEL.md §3; ODD element 3, "process
overview and scheduling") is an ordered list of module methods, each called with the world;
`Sim.plan` holds it and `sovsim run --plan` prints it. The rules live in the modules
(docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sovsim.authorities.registry import THEORY_DEFAULT
from sovsim.economy.accumulation import Accumulation
from sovsim.economy.incomes import Incomes
from sovsim.economy.population import Population, census
from sovsim.economy.production import Production
from sovsim.economy.property_forms import PropertyForms
from sovsim.engine.results import allocate
from sovsim.politics.events import Events
from sovsim.politics.government import Government
from sovsim.politics.legitimacy import Legitimacy
from sovsim.politics.mobilisation.regions import MODES, Mobilisation
from sovsim.politics.prestige import Prestige
from sovsim.politics.schedule import Schedule
from sovsim.politics.tendency import Tendencies
from sovsim.politics.war import Warfare
from sovsim.world.build import build_world, date_of, largest_remainder, month_index
from sovsim.world.economy import Flows
from sovsim.world.loading import LoadedScenario, load
from sovsim.world.module import Module
from sovsim.world.names import N_CLASSES
from sovsim.world.people import People
from sovsim.world.results import Results
from sovsim.world.state import DT, Clock, World
from sovsim.world.streams import Streams

__all__ = ["DT", "MODES", "THEORY_DEFAULT", "PlanStep", "Sim"]


@dataclass(frozen=True)
class PlanStep:
    """One entry of the step plan: a module, a method and what it does."""

    module: str
    name: str
    method: Callable[[World], None]
    world: World

    def run(self) -> None:
        """Run the entry on the world."""
        self.method(self.world)

    @property
    def doc(self) -> str:
        text = (self.method.__doc__ or "").strip()
        return text.splitlines()[0] if text else ""


def _entry(method: Callable[[World], None], world: World) -> PlanStep:
    module = getattr(method, "__self__", None)
    name = module.name if isinstance(module, Module) else method.__module__
    return PlanStep(name, method.__name__, method, world)


class Sim:
    """A run of a scenario: builds the world and its modules, runs the plan, keeps the results."""

    def __init__(self, scenario: LoadedScenario | str | Path, *, agents: int = 100_000,
                 seed: int = 0, start: int | None = None, end: int | None = None,
                 theory: str = THEORY_DEFAULT, mode: str = MODES[0]) -> None:
        self.scenario = scenario if isinstance(scenario, LoadedScenario) else load(scenario)
        if agents < 1:
            raise ValueError(f"agents must be >= 1, got {agents}")
        self.seed = int(seed)
        self.dt = DT
        self.theory = theory
        self.mode = mode
        horizon = self.scenario.model.scenario
        self.first_month = month_index(horizon.start)
        last = month_index(horizon.end)
        if end is not None:
            if not self.first_month // 12 <= end <= last // 12:
                raise ValueError(f"--end {end} is outside the scenario's horizon "
                                 f"{horizon.start}..{horizon.end}")
            last = min(last, end * 12 + 11)
        self.record_from = 0
        if start is not None:
            if not self.first_month // 12 <= start <= last // 12:
                raise ValueError(f"--start {start} is outside the horizon "
                                 f"{horizon.start}..{date_of(last)}")
            self.record_from = max(0, start * 12 - self.first_month)
        self.n_steps = last - self.first_month + 1
        self.agents = int(agents)

        # the mechanisms; a few call each other's operations (a decision or an event starts a
        # war, a conquest or a withdrawal changes a region's authority)
        government = Government(theory)
        warfare = Warfare(government)
        government.warfare = warfare
        mobilisation = Mobilisation(mode)
        tendencies, incomes, legitimacy = Tendencies(), Incomes(), Legitimacy()
        population = Population(self._newborn_fields)
        schedule, events = Schedule(), Events(government, warfare)
        production, accumulation, property_forms = Production(), Accumulation(), PropertyForms()
        prestige = Prestige()
        self.modules: dict[str, Module] = {m.name: m for m in (
            population, production, property_forms, accumulation, incomes, schedule, events,
            government, warfare, legitimacy, tendencies, mobilisation, prestige)}
        # new agents' fields, drawn in this order from one generator (the order fixes the draws)
        self._newborn_order: tuple[Module, ...] = (tendencies, mobilisation, incomes, legitimacy,
                                                   population)

        start_world = build_world(self.scenario)
        R = len(start_world.geo.names)
        fields: dict[str, np.dtype] = {}
        for module in self.modules.values():
            for name, dtype in module.agent_fields.items():
                if name in fields:
                    raise TypeError(f"agent field `{name}` is declared twice")
                fields[name] = dtype
        self.world = World(
            scenario=self.scenario, geo=start_world.geo, econ=start_world.econ, flows=Flows(R),
            lever=start_world.lever, pars=start_world.pars,
            people=People.empty(int(agents * 1.25), fields), clock=Clock(self.first_month),
            streams=Streams(self.seed),
            results=allocate(list(self.modules.values()), self.n_steps, R, N_CLASSES),
            people_per_agent=float(start_world.geo.population.sum() / agents),
            owners=np.zeros((R, N_CLASSES)), dispossessed=np.zeros((R, N_CLASSES)))
        for module in self.modules.values():
            module.init(self.world)
        self._populate(start_world.class_shares)
        self.world.owners, self.world.dispossessed = census(self.world.people, R)

        self.plan: list[PlanStep] = [_entry(method, self.world) for method in (
            schedule.apply_schedule,
            events.apply_events,
            government.decide,
            production.produce,
            accumulation.update_wages,
            production.distribute,
            accumulation.accumulate,
            property_forms.transform_property,
            warfare.fight,
            incomes.pay,
            legitimacy.update_legitimacy,
            tendencies.update_tendencies,
            mobilisation.mobilise,
            population.renew,
            prestige.update_prestige,
            self.record,
        )]

    # --- construction -------------------------------------------------------------------
    def _populate(self, class_shares: np.ndarray) -> None:
        world = self.world
        per_region = largest_remainder(self.agents, world.geo.population)
        rng = world.streams["init.people"]
        for r, n_r in enumerate(per_region):
            if n_r == 0:
                continue
            counts = largest_remainder(int(n_r), class_shares[r])
            klass = np.repeat(np.arange(N_CLASSES, dtype=np.uint8), counts)
            world.people.append(region=np.full(n_r, r, dtype=np.uint8), klass=klass,
                                **self._newborn_fields(np.full(n_r, r), klass, rng))

    def _newborn_fields(self, region: np.ndarray, klass: np.ndarray,
                        rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Fields of new agents, each from the module that owns it."""
        fields: dict[str, np.ndarray] = {}
        for module in self._newborn_order:
            fields.update(module.newborn(self.world, region, klass, rng))
        return fields

    # --- the world, as the Sim's attributes -------------------------------------------------
    @property
    def geo(self):
        return self.world.geo

    @property
    def econ(self):
        return self.world.econ

    @property
    def flows(self) -> Flows:
        return self.world.flows

    @property
    def lever(self) -> dict[str, np.ndarray]:
        return self.world.lever

    @property
    def pars(self):
        return self.world.pars

    @property
    def people(self) -> People:
        return self.world.people

    @property
    def streams(self) -> Streams:
        return self.world.streams

    @property
    def results(self) -> Results:
        return self.world.results

    @property
    def people_per_agent(self) -> float:
        return self.world.people_per_agent

    @property
    def n_regions(self) -> int:
        return self.world.n_regions

    @property
    def owners(self) -> np.ndarray:
        return self.world.owners

    @property
    def dispossessed(self) -> np.ndarray:
        return self.world.dispossessed

    @property
    def events(self) -> list[tuple[int, str, str, str, str]]:
        """The log of events: (step, date, kind, region, detail)."""
        return self.world.events

    @property
    def demography(self) -> dict[str, np.ndarray]:
        """Agents born, dead by cause and emigrated in the last step, and the census."""
        return self.modules["sovsim.economy.population"].demography

    @property
    def t(self) -> int:
        return self.world.clock.t

    @t.setter
    def t(self, value: int) -> None:
        self.world.clock.t = value

    @property
    def month(self) -> int:
        return self.world.clock.month

    @property
    def date(self) -> str:
        return self.world.clock.date

    # --- running ------------------------------------------------------------------------
    def record(self, world: World) -> None:
        """Observables of the step into the results, each module its own."""
        for module in self.modules.values():
            module.record(world)

    def step(self) -> None:
        """Run one month: every entry of the plan, in order."""
        for entry in self.plan:
            entry.run()
        self.world.clock.t += 1

    def run(self, progress: Callable[[int], None] | None = None) -> Results:
        """Run to the end of the horizon; `progress(t)` is called after each step."""
        while self.t < self.n_steps:
            self.step()
            if progress is not None:
                progress(self.t)
        return self.results

    def extra_tables(self) -> dict:
        """Further tables of the run folder: the log of events. Kept for callers of the earlier
        API; the run folder builds it with `sovsim.io.outputs.event_table(sim.events)` (tables
        are io's job, and the engine does not import io at module level)."""
        from sovsim.io.outputs import event_table

        return {"events": event_table(self.world.events)}

    def dates(self) -> list[str]:
        """The date of each step."""
        return [date_of(self.first_month + t) for t in range(self.n_steps)]
