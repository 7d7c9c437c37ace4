"""The simulation: the world of a scenario, run month by month through a declared step plan.

The plan (MODEL.md §3; ODD element 3, "process overview and scheduling") is an ordered list of
named module methods; `Sim.plan` holds it and `sovsim run --plan` prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sovsim.economy import (
    accumulation,
    demography,
    incomes,
    population,
    production,
    productivity,
    property_forms,
)
from sovsim.economy.state import Flows
from sovsim.engine.people import People
from sovsim.engine.results import (
    POLITICS_CLASS_VARIABLES,
    POLITICS_REGION_VARIABLES,
    Results,
)
from sovsim.engine.streams import Streams
from sovsim.politics.state import MODES, THEORY_DEFAULT, Politics
from sovsim.politics.tendency import class_interest
from sovsim.world.build import (
    build_world,
    date_of,
    largest_remainder,
    month_index,
    schedule_table,
)
from sovsim.world.loading import LoadedScenario, load
from sovsim.world.names import N_CLASSES, Klass, Owner, Sector, Status

DT = 1.0 / 12.0  # one step is one month; rates in the model are per year
COMPACT_DEAD_SHARE = 0.1


@dataclass(frozen=True)
class PlanStep:
    """One entry of the step plan: a module, a method and what it does."""

    module: str
    name: str
    run: Callable[[], None]

    @property
    def doc(self) -> str:
        text = (self.run.__doc__ or "").strip()
        return text.splitlines()[0] if text else ""


class Sim:
    """A run of a scenario: world state, agents, random streams, step plan and results."""

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
        self.streams = Streams(self.seed)
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
        self.geo, self.econ, self.lever, class_shares, self.pars = build_world(self.scenario)
        self.plan_imposed = self.econ.planned.copy()
        self.schedule = schedule_table(self.scenario)
        self._next_change = 0
        R = len(self.geo.names)
        self.n_regions = R
        self.agents = int(agents)
        self.people_per_agent = float(self.geo.population.sum() / agents)
        K = self.econ.K
        agri = np.maximum(K[:, Sector.AGRI].sum(axis=1), 1e-12)
        self._interest = class_interest(self.pars, K[:, Sector.AGRI, Owner.SMALL] / agri,
                                        self.lever["privilege_share"],
                                        K[:, Sector.AGRI, Owner.LANDLORD] / agri)
        self.people = self._populate(agents, class_shares)
        self.flows = Flows(R)
        self.results = Results.allocate(self.n_steps, R, N_CLASSES)
        self.t = 0
        self.owners, self.dispossessed = population.census(self.people, R)
        self.demography: dict[str, np.ndarray] = {}
        # history issue: vital rates fall with income per head (demographic transition)
        self.transition = demography.Transition(self.geo.birth_rate, self.geo.death_rate)
        self.sum_income = np.zeros((R, N_CLASSES))
        self.sum_hardship = np.zeros((R, N_CLASSES))
        self.count = np.zeros((R, N_CLASSES))
        for name in POLITICS_REGION_VARIABLES:
            self.results.add_region_variable(name)
        for name in POLITICS_CLASS_VARIABLES:
            self.results.add_class_variable(name)
        self.results.add_world_variable("prestige")
        self.politics = Politics(self, theory, mode)
        pol = self.politics
        self.plan: list[PlanStep] = [
            PlanStep("policy", "apply_schedule", self.apply_schedule),
            PlanStep("events", "apply_events", pol.apply_events),
            PlanStep("authorities", "decide", pol.decide),
            PlanStep("economy", "produce", self.produce),
            PlanStep("economy", "update_wages", self.update_wages),
            PlanStep("economy", "distribute", self.distribute),
            PlanStep("economy", "accumulate", self.accumulate),
            PlanStep("economy", "transform_property", self.transform_property),
            PlanStep("war", "fight", pol.fight),
            PlanStep("incomes", "pay", self.pay),
            PlanStep("politics", "update_legitimacy", pol.update_legitimacy),
            PlanStep("politics", "update_tendencies", pol.update_tendencies),
            PlanStep("politics", "mobilise", pol.mobilise),
            PlanStep("population", "renew", self.renew),
            PlanStep("politics", "update_prestige", pol.update_prestige),
            PlanStep("observe", "record", self.record),
        ]

    # --- construction -------------------------------------------------------------------
    def _populate(self, agents: int, class_shares: np.ndarray) -> People:
        per_region = largest_remainder(agents, self.geo.population)
        people = People.empty(int(agents * 1.25))
        rng = self.streams["init.people"]
        for r, n_r in enumerate(per_region):
            if n_r == 0:
                continue
            counts = largest_remainder(int(n_r), class_shares[r])
            klass = np.repeat(np.arange(N_CLASSES, dtype=np.uint8), counts)
            people.append(region=np.full(n_r, r, dtype=np.uint8), klass=klass,
                          **self._newborn_fields(np.full(n_r, r), klass, rng))
        return people

    def _newborn_fields(self, region: np.ndarray, klass: np.ndarray,
                        rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Fields of new agents: a fresh risk aversion, place in the job queue and legitimacy
        offset; a tendency drawn around their class's interest."""
        n = len(region)
        interest = self._interest[np.asarray(region, dtype=np.int64), klass]
        tau = interest + rng.normal(0.0, self.pars["tendency_spread"], n)
        return {
            "status": np.full(n, Status.QUIET, dtype=np.uint8),
            "risk_aversion": rng.random(n, dtype=np.float32),
            "rank": rng.random(n, dtype=np.float32),
            "legitimacy_offset": rng.normal(0.0, self.pars["legitimacy_spread"], n)
            .astype(np.float32),
            "tendency": np.clip(tau, -1.0, 1.0).astype(np.float32),
        }

    # --- the step plan ------------------------------------------------------------------
    @property
    def month(self) -> int:
        return self.first_month + self.t

    @property
    def date(self) -> str:
        return date_of(self.month)

    def month_of(self, date: str) -> int:
        """Month index of a 'YYYY-MM' date."""
        return month_index(date)

    def apply_schedule(self) -> None:
        """Scheduled policy values of the scenario take effect (seed ¶6-8: reforms by date)."""
        while (self._next_change < len(self.schedule)
               and self.schedule[self._next_change][0] <= self.month):
            _, r, lever, value = self.schedule[self._next_change]
            self.lever[lever][r] = value
            self._next_change += 1

    def update_wages(self) -> None:
        """Wages move on Goodwin's Phillips curve, or are set by the plan."""
        accumulation.update_wages(self.econ, self.flows, self.lever, self.pars, DT)

    def labour_supply(self) -> tuple[np.ndarray, np.ndarray]:
        """Industrial and agricultural labour force, persons, from the agents' classes."""
        persons = self.owners * self.people_per_agent
        part = self.pars["participation"]
        industrial = part * persons[:, Klass.WORKER]
        agri = part * (persons[:, Klass.PEASANT] + persons[:, Klass.COLLECTIVE_FARMER])
        return industrial, agri

    def produce(self) -> None:
        """Leontief production bound by capital or labour (seed ¶6: productive forces)."""
        # Where state and collective property dominate, the plan sets wages and production runs
        # to capacity (Kornai's resource-constrained economy); property decides the regime.
        K = self.econ.K.sum(axis=1)
        collective = (K[:, Owner.STATE] + K[:, Owner.COLLECTIVE]) / np.maximum(K.sum(axis=1),
                                                                               1e-12)
        self.econ.planned[:] = self.plan_imposed | (collective >= self.pars["plan_share"])
        self.econ.output_factor = self.politics.output_factor()
        # history issue: planned industry is a CES of elasticity `planned_substitution`
        production.produce(self.econ, *self.labour_supply(), self.flows,
                           self.pars["planned_substitution"], self.pars["planned_capital_weight"])

    def distribute(self) -> None:
        """Output split into wages, profit, rent, repatriation, state budget, procurement."""
        production.distribute(self.econ, self.flows, self.lever, self.pars,
                              self.owners * self.people_per_agent)

    def accumulate(self) -> None:
        """Real investment from HEAVY output; export of capital; depreciation; productivity."""
        self._pool_federation_funds()
        placed = accumulation.accumulate(self.econ, self.flows, self.lever, self.pars)
        accumulation.apply_investment(self.econ, self.flows, placed, DT)
        # history issue: industry also closes part of its gap to the frontier (catch-up)
        catch_up = productivity.catch_up_growth(self.econ, self.flows, self.pars)
        accumulation.grow_productivity(self.econ, self.flows, DT, catch_up)

    def _pool_federation_funds(self) -> None:
        """A federation of Soviet republics shares one investment fund, by population (¶14)."""
        fed = self.politics.federation
        if (fed < 0).all():
            return
        persons = (self.owners + self.dispossessed).sum(axis=1)
        for head in np.unique(fed[fed >= 0]):
            members = fed == head
            pool = self.flows.accumulation_fund[members].sum()
            self.flows.accumulation_fund[members] = pool * persons[members] / max(
                persons[members].sum(), 1e-12)

    def transform_property(self) -> None:
        """Nationalisation, agrarian reform (sped up by left action under occupation, seed ¶7),
        collectivisation, expropriation, the course's drift of property, pillage."""
        lever = dict(self.lever)
        boost = self.politics.reform_boost
        lever["nationalisation_rate"] = self.lever["nationalisation_rate"] + boost
        lever["agrarian_reform_rate"] = self.lever["agrarian_reform_rate"] + boost
        self.moves = property_forms.transform(self.econ, self.flows, lever, self.pars, DT)

    def pay(self) -> None:
        """Incomes reach the agents by class; hardship from deprivation and shocks."""
        persons = self.owners * self.people_per_agent
        dispossessed = self.dispossessed.sum(axis=1) * self.people_per_agent
        table = incomes.per_person_income(self.flows.class_income, persons, dispossessed,
                                          self.econ.employment, self.pars["relief_ratio"])
        self.sum_income, self.sum_hardship, self.count = incomes.pay(
            self.people, table, self.econ.employment, self.politics.hardship_shock(), self.pars)

    def renew(self) -> None:
        """Births, deaths, emigration; proletarianisation, collectivisation, dispossession."""
        R = self.n_regions
        persons = self.owners * self.people_per_agent
        part = self.pars["participation"]
        moves = self.moves
        rural = persons[:, Klass.PEASANT] + persons[:, Klass.COLLECTIVE_FARMER]
        demand = self.flows.labour_demand
        ind_supply, agri_supply = self.labour_supply()
        gap = np.maximum(0.0, demand[:, :2].sum(axis=1) - ind_supply) / part
        reserve = np.maximum(0.0, agri_supply - demand[:, Sector.AGRI]) / part
        pulled = self.pars["proletarianisation_speed"] * DT * np.minimum(gap, reserve)
        p_prolet = np.divide(pulled, rural, out=np.zeros(R), where=rural > 0)
        move = np.zeros((R, N_CLASSES, N_CLASSES))
        move[:, Klass.PEASANT, Klass.WORKER] = p_prolet + moves.small_expropriated
        move[:, Klass.COLLECTIVE_FARMER, Klass.WORKER] = p_prolet
        move[:, Klass.ARTISAN, Klass.WORKER] = moves.small_expropriated
        move[:, Klass.PEASANT, Klass.COLLECTIVE_FARMER] = moves.peasants_collectivised
        # a right course's concessions: household farming and private trade come back, and with
        # them peasants leaving the collective farms and a new petty bourgeoisie (NEP men)
        move[:, Klass.COLLECTIVE_FARMER, Klass.PEASANT] = moves.conceded
        move[:, Klass.ARTISAN, Klass.CAPITALIST] = moves.conceded
        np.clip(move, 0.0, 1.0, out=move)
        off = move.sum(axis=2)
        over = off > 1.0
        move[over] /= off[over][:, None]
        idx = np.arange(N_CLASSES)
        move[:, idx, idx] = 1.0 - move.sum(axis=2)
        extra = np.zeros((R, N_CLASSES))
        famine = np.where(moves.forced, self.pars["collectivisation_deaths"]
                          * moves.peasants_collectivised, 0.0)
        peas_w = np.divide(persons[:, Klass.PEASANT], rural, out=np.zeros(R), where=rural > 0)
        extra[:, Klass.PEASANT] = famine
        extra[:, Klass.COLLECTIVE_FARMER] = famine * peas_w
        extra += (self.politics.famine * DT)[:, None]
        dispossess = np.zeros((R, N_CLASSES))
        dispossess[:, Klass.CAPITALIST] = moves.capitalists_dispossessed
        dispossess[:, Klass.LANDLORD] = moves.landlords_dispossessed
        # history issue: the demographic transition moves the scenario's vital rates with
        # this month's output per head (smoothed over a year inside `Transition`)
        living = np.maximum(persons.sum(axis=1) + self.dispossessed.sum(axis=1)
                            * self.people_per_agent, 1.0)
        birth_rate, death_rate = self.transition.rates(
            self.flows.output.sum(axis=1) / living, self.pars, DT)
        self.demography = population.step(
            self.people, self.streams["population"],
            death_p=death_rate * DT, extra_death_p=extra, move_p=move,
            dispossess_p=dispossess,
            emigrate_p=np.full(R, self.pars["emigration_rate"] * DT),
            birth_p=birth_rate * DT, war_p=self.politics.war_mortality(),
            newborn_fields=lambda reg, kls, rng: self._newborn_fields(
                reg, kls, self.streams["population.births"]))
        if self.t % 12 == 11:
            dead = int((self.people.status[: self.people.n] == Status.DEAD).sum())
            if dead > COMPACT_DEAD_SHARE * self.people.n:
                self.people.compact(Status.DEAD)
        self.owners, self.dispossessed = self.demography["owners"], self.demography["dispossessed"]

    def record(self) -> None:
        """Observables of the step into the results."""
        t, f, K = self.t, self.flows, self.econ.K
        reg = self.results.regions
        ppa = self.people_per_agent
        living = (self.owners + self.dispossessed).sum(axis=1) * ppa
        reg["population"][t] = living
        total = f.output.sum(axis=1)
        reg["output_per_capita"][t] = np.divide(total, living, out=np.zeros_like(total),
                                                where=living > 0)
        reg["output_heavy"][t] = f.output[:, Sector.HEAVY]
        reg["output_light"][t] = f.output[:, Sector.LIGHT]
        reg["output_agri"][t] = f.output[:, Sector.AGRI]
        by_owner = K.sum(axis=1)
        for o in Owner:
            reg[f"capital_{o.name.lower()}"][t] = by_owner[:, o]
        all_K = by_owner.sum(axis=1)
        reg["collective_share"][t] = np.divide(
            by_owner[:, Owner.STATE] + by_owner[:, Owner.COLLECTIVE], all_K,
            out=np.zeros_like(all_K), where=all_K > 0)
        reg["employment_rate"][t] = self.econ.employment
        reg["wage_share"][t] = f.wage_share
        reg["investment"][t] = f.investment.sum(axis=(1, 2))
        reg["exported_capital"][t] = f.exported
        reg["imported_capital"][t] = f.imported
        reg["repatriated_profit"][t] = f.repatriated_out
        reg["repatriated_in"][t] = f.repatriated_in
        reg["state_budget"][t] = f.state_budget
        reg["privileges"][t] = f.privileges
        reg["procurement_value"][t] = f.procurement
        reg["idle_heavy"][t] = f.idle_heavy
        reg["idle_savings"][t] = f.idle_savings
        reg["capital_goods_sold"][t] = f.sold_heavy
        reg["capital_goods_bought"][t] = f.bought_heavy
        reg["pillage_out"][t] = f.pillage_out
        reg["pillage_in"][t] = f.pillage_in
        reg["capital_destroyed"][t] = f.destroyed
        for name in ("births", "deaths_natural", "deaths_famine", "deaths_war", "emigrants"):
            reg[name][t] = self.demography[name] * ppa
        pol = self.politics
        reg["active_left"][t] = pol.active_left * ppa
        reg["active_right"][t] = pol.active_right * ppa
        reg["jailed"][t] = pol.jailed * ppa
        reg["deaths_terror"][t] = pol.terror_deaths * ppa
        reg["course"][t] = self.lever["course"]
        reg["lambda"][t] = self.lever["lam"]
        reg["privilege_share"][t] = self.lever["privilege_share"]
        reg["procurement"][t] = self.lever["procurement"]
        reg["enforcers"][t] = self.lever["enforcers_per_pop"] * living
        reg["pro_capitalist"][t] = pol.P
        reg["proletarian"][t] = pol.W
        reg["years_thrown_back"][t] = pol.years_back
        reg["authority"][t] = pol.authority
        reg["controller"][t] = self.econ.controller
        self.results.world["prestige"][t] = pol.D
        links = self.results.links
        R = self.n_regions
        governed = self.econ.controller != np.arange(R)
        links["control"][t, self.econ.controller[governed], np.flatnonzero(governed)] = 1.0
        links["capital_export"][t] = f.capital_export
        links["profit_repatriation"][t] = f.repatriation
        links["pillage"][t] = f.pillage
        cls = self.results.classes
        cls["count"][t] = (self.owners + self.dispossessed) * ppa
        cls["mean_income"][t] = np.divide(self.sum_income, self.count,
                                          out=np.zeros_like(self.count), where=self.count > 0)
        cls["hardship"][t] = np.divide(self.sum_hardship, self.count,
                                       out=np.zeros_like(self.count), where=self.count > 0)
        cls["legitimacy"][t] = pol.L
        cls["tendency"][t] = pol.tau_mean

    # --- running ------------------------------------------------------------------------
    def step(self) -> None:
        """Run one month: every entry of the plan, in order."""
        for entry in self.plan:
            entry.run()
        self.t += 1

    def run(self, progress: Callable[[int], None] | None = None) -> Results:
        """Run to the end of the horizon; `progress(t)` is called after each step."""
        while self.t < self.n_steps:
            self.step()
            if progress is not None:
                progress(self.t)
        return self.results

    def extra_tables(self) -> dict:
        """Further tables of the run folder: the log of events."""
        from sovsim.io.outputs import event_table

        return {"events": event_table(self.politics.events)}

    def dates(self) -> list[str]:
        """The date of each step."""
        return [date_of(self.first_month + t) for t in range(self.n_steps)]

