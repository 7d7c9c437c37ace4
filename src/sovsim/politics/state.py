"""The political side of the world and its steps: authorities, legitimacy, tendencies,
mobilisation and repression, war, withdrawal, federation, shocks and prestige.

`Politics` holds what is not capital or people: legitimacy by region and class, prestige, the
authority of each region, wars in progress, federations, shocks in force, and the log of events.
Its methods are entries of the Sim's step plan; each reads the Sim and changes only what its
docstring names. Economy modules never import this one.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.registry import make_authority
from sovsim.politics import legitimacy, mobilisation, prestige, tendency, war
from sovsim.authorities.observables import Observables
from sovsim.world.names import (
    AUTHORITIES,
    LEVER_DOMAINS,
    N_CLASSES,
    Klass,
    Owner,
    Sector,
    Status,
)

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim

MODES = ("well-mixed", "spatial")
SPATIAL_THREADS = max(1, min(4, os.cpu_count() or 1))
RIGHT_LOSS_CAP = 0.5  # sabotage and revolt never stop more than half of production
THEORY_DEFAULT = "dws"
OCCUPATION = AUTHORITIES.index("occupation")
PROVISIONAL = AUTHORITIES.index("provisional")
COUNCILS = AUTHORITIES.index("councils")
BUREAUCRACY = AUTHORITIES.index("bureaucracy")
COLONIAL = AUTHORITIES.index("colonial")
FINANCE = AUTHORITIES.index("finance_capital")


class Politics:
    """Political state of the world and the politics entries of the step plan."""

    def __init__(self, sim: Sim, theory: str, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode `{mode}`; valid: {', '.join(MODES)}")
        R, pars = sim.n_regions, sim.pars
        self.sim = sim
        self.theory = theory
        self.mode = mode
        self.authority = sim.geo.authority.copy()
        self.initial_levers = {name: arr.copy() for name, arr in sim.lever.items()}
        self.authorities: list[Authority] = [self._make(r, self.authority[r]) for r in range(R)]
        self.L = np.full((R, N_CLASSES), pars["legitimacy_base"])
        self.D = pars["prestige_initial"]
        self.wars: list[war.War] = []
        self.federation = np.full(R, -1)
        self.harvest = np.ones(R)
        self.harvest_until = np.zeros(R, dtype=np.int64)
        self.famine = np.zeros(R)
        self.famine_until = np.zeros(R, dtype=np.int64)
        self.mobilised_until = np.zeros(R, dtype=np.int64)
        self.withdrawals = 0
        self.events: list[tuple[int, str, str, str, str]] = []
        self.active_left = np.zeros(R)
        self.active_right = np.zeros(R)
        self.jailed = np.zeros(R)
        self.terror_deaths = np.zeros(R)
        self.war_deaths = np.zeros(R)
        self.years_back = np.zeros(R)
        self.reform_boost = np.zeros(R)
        self.tau_mean = np.zeros((R, N_CLASSES))
        self.P = np.zeros(R)
        self.W = np.zeros(R)
        self.legit_scratch = np.zeros(0, dtype=np.float32)
        self.params = mobilisation.MobilisationParams(
            k=pars["epstein_k"], threshold=pars["epstein_threshold"],
            vision=int(pars["epstein_vision"]), rounding="round")
        self.grids: dict[int, tuple[int, int, np.ndarray]] = {}
        self.event_queue = sorted(
            ((sim.month_of(e.date), i, e) for i, e in enumerate(sim.scenario.model.events)),
            key=lambda row: (row[0], row[1]))
        self._next_event = 0

    # --- authorities --------------------------------------------------------------------
    def _make(self, r: int, kind_index: int) -> Authority:
        initial = {name: float(arr[r]) for name, arr in self.sim.lever.items()}
        return make_authority(AUTHORITIES[kind_index], r, self.sim.pars, initial, self.theory)

    def switch(self, r: int, kind: str, why: str) -> None:
        """Put region r under a new authority (withdrawal, succession, conquest)."""
        self.authority[r] = AUTHORITIES.index(kind)
        self.authorities[r] = self._make(r, self.authority[r])
        self.log("authority", r, f"{kind}: {why}")

    def log(self, kind: str, r: int | None, detail: str) -> None:
        name = "world" if r is None else self.sim.geo.names[r]
        self.events.append((self.sim.t, self.sim.date, kind, name, detail))

    def observe(self) -> Observables:
        """What the authorities see: the world as it stood at the end of the last step."""
        sim = self.sim
        t = max(sim.t - 1, 0)
        reg = sim.results.regions
        K = sim.econ.K
        by_owner = K.sum(axis=1)
        total_K = np.maximum(by_owner.sum(axis=1), 1e-12)
        agri = np.maximum(K[:, Sector.AGRI].sum(axis=1), 1e-12)
        living = np.maximum((sim.owners + sim.dispossessed).sum(axis=1), 1e-12)
        y = reg["output_per_capita"]
        if sim.t >= 13:
            growth = np.log(np.maximum(y[t], 1e-9) / np.maximum(y[t - 12], 1e-9))
        else:
            growth = np.zeros(sim.n_regions)
        out = np.maximum(sim.flows.output.sum(axis=1), 1e-12)
        cls = sim.results.classes
        return Observables(
            step=sim.t, month=sim.month, dt=sim.dt, names=sim.geo.names,
            controller=sim.econ.controller.copy(), authority=self.authority.copy(),
            output_per_capita=np.nan_to_num(y[t]) if sim.t else np.zeros(sim.n_regions),
            growth=growth,
            collective_share=(by_owner[:, Owner.STATE] + by_owner[:, Owner.COLLECTIVE]) / total_K,
            private_share=1.0 - (by_owner[:, Owner.STATE] + by_owner[:, Owner.COLLECTIVE])
            / total_K,
            landlord_share=K[:, Sector.AGRI, Owner.LANDLORD] / agri,
            employment=sim.econ.employment.copy(), wage_share=sim.flows.wage_share.copy(),
            investment_share=sim.flows.investment.sum(axis=(1, 2)) / out,
            hardship=np.nan_to_num(cls["hardship"][t]), legitimacy=self.L.copy(),
            tendency=self.tau_mean.copy(), persons=(sim.owners + sim.dispossessed)
            * sim.people_per_agent,
            active_left=self.active_left / living, active_right=self.active_right / living,
            jailed=self.jailed / living, pro_capitalist=self.P.copy(), proletarian=self.W.copy(),
            harvest=self.harvest.copy(), at_war=self.at_war(), prestige=self.D)

    def at_war(self) -> np.ndarray:
        out = np.zeros(self.sim.n_regions, dtype=bool)
        for w in self.wars:
            out[[w.attacker, w.target]] = True
        return out

    # --- step plan entries --------------------------------------------------------------
    def apply_events(self) -> None:
        """Scheduled events take effect: attack, withdrawal, federation, mobilisation, shock."""
        sim = self.sim
        self.withdrawals = 0
        while (self._next_event < len(self.event_queue)
               and self.event_queue[self._next_event][0] <= sim.month):
            _, _, event = self.event_queue[self._next_event]
            self._next_event += 1
            self._apply(event)
        ended = self.harvest_until <= sim.month
        self.harvest[ended] = 1.0
        self.famine[self.famine_until <= sim.month] = 0.0

    def _apply(self, event) -> None:
        sim, idx = self.sim, self.sim.geo.index
        if event.kind == "attack":
            self.start_war(idx(event.attacker), idx(event.target), "scheduled")
        elif event.kind == "withdraw":
            self.withdraw(idx(event.region))
        elif event.kind == "federate":
            members = [idx(n) for n in event.regions]
            self.federation[members] = members[0]
            sim.plan_imposed[members] = True
            self.log("federate", members[0], "federation of " + ", ".join(event.regions))
        elif event.kind == "mobilise":
            r = idx(event.region)
            self.mobilised_until[r] = sim.month + event.months
            self.log("mobilise", r, f"instrumental mobilisation for {event.months} months")
        elif event.kind == "shock":
            r, size = idx(event.region), event.size.value
            if event.shock == "harvest":
                self.harvest[r] = 1.0 - size
                self.harvest_until[r] = sim.month + 12
            elif event.shock == "famine":
                self.famine[r] = size
                self.famine_until[r] = sim.month + 12
            else:
                sim.econ.K[r] *= 1.0 - size
                sim.econ.F[r] *= 1.0 - size
            self.log("shock", r, f"{event.shock} of size {size:g}")

    def start_war(self, attacker: int, target: int, why: str) -> None:
        if any(w.fights(attacker) or w.fights(target) for w in self.wars):
            return
        self.wars.append(war.War(attacker, target, self.sim.t))
        names = self.sim.geo.names
        self.log("attack", target, f"{names[attacker]} attacks {names[target]} ({why})")

    def withdraw(self, r: int) -> None:
        """The occupying army leaves: no more occupation enforcers, pillage or control."""
        sim = self.sim
        sim.econ.controller[r] = r
        sim.lever["pillage_rate"][r] = 0.0
        sim.lever["enforcers_per_pop"][r] = self.sim.pars["provisional_enforcers"]
        self.withdrawals += 1
        self.switch(r, "provisional", "withdrawal of the occupying army")

    def decide(self) -> None:
        """Each region's authority reads the observables and sets its levers; left action under
        occupation speeds the reforms from below (seed ¶7)."""
        sim = self.sim
        obs = self.observe()
        rng = sim.streams["authorities"]
        for auth in self.authorities:
            auth.decide(obs, sim.lever, rng)
        for r, auth in enumerate(self.authorities):
            successor = getattr(auth, "successor", None)
            if successor is not None:
                self._succeed(r, successor)
            target = getattr(auth, "wants_war_on", None)
            if target is not None and sim.pars["war_decision"] > 0:
                self.start_war(r, int(target), "decided by its government")
        # reforms from below: kept apart from the levers, so that no authority mistakes them
        # for its own or the schedule's decision (the economy adds them: reforms_from_below)
        occupied = np.isin(self.authority, (OCCUPATION, PROVISIONAL))
        self.reform_boost = sim.pars["left_reform_boost"] * obs.active_left * occupied
        mobilised = self.mobilised_until > sim.month
        sim.lever["psi_left"][mobilised] = 0.0
        for name, (low, high) in LEVER_DOMAINS.items():
            np.clip(sim.lever[name], low, high, out=sim.lever[name])

    def _succeed(self, r: int, kind: str) -> None:
        sim = self.sim
        if kind == "councils":
            sim.plan_imposed[r] = True
        else:
            sim.plan_imposed[r] = False
        self.switch(r, kind, "decided by the balance of mobilised forces")

    def hardship_shock(self) -> np.ndarray:
        """Hardship added to each region and class beyond lost income (MODEL.md §4.4): war
        ([war_hardship] for everyone), a famine (its size), a failed harvest (the share lost,
        for those who live off the land)."""
        sim = self.sim
        shock = np.zeros((sim.n_regions, N_CLASSES))
        shock += (sim.pars["war_hardship"] * self.at_war())[:, None]
        shock += self.famine[:, None]
        rural = [Klass.PEASANT, Klass.COLLECTIVE_FARMER]
        shock[:, rural] += (1.0 - self.harvest)[:, None]
        return np.clip(shock, 0.0, 1.0)

    def output_factor(self) -> np.ndarray:
        """Share of capacity each sector can use: harvests and right action's sabotage."""
        sim = self.sim
        living = np.maximum((sim.owners + sim.dispossessed).sum(axis=1), 1e-12)
        f = np.ones((sim.n_regions, 3))
        f[:, Sector.AGRI] = self.harvest
        f *= (1.0 - np.minimum(RIGHT_LOSS_CAP, sim.pars["right_output_loss"] * self.active_right
                               / living))[:, None]
        return f

    def fight(self) -> None:
        """Wars destroy capital and kill on both sides; decided wars end in defeat of one."""
        sim = self.sim
        self.war_deaths[:] = 0.0
        still = []
        for w in self.wars:
            war.destroy(sim.econ, w, sim.pars, sim.dt)
            war.accumulate_capacity(w, sim.flows.output[:, Sector.HEAVY], sim.dt)
            months = sim.t - w.start_step
            if months >= sim.pars["war_months"]:
                self._end_war(w)
            else:
                still.append(w)
        self.wars = still

    def _end_war(self, w: war.War) -> None:
        sim = self.sim
        wins = war.attacker_wins(w, sim.pars, sim.streams["war"])
        victor, loser = (w.attacker, w.target) if wins else (w.target, w.attacker)
        names = sim.geo.names
        self.years_back[loser] = war.years_thrown_back(
            sim.results.regions["output_per_capita"][:, loser], max(sim.t - 1, 0))
        if wins:
            workers_state = self.authority[loser] in (BUREAUCRACY, COUNCILS)
            if workers_state:
                moved = war.colonise(sim.econ, loser, victor)
                sim.plan_imposed[loser] = False
                self.switch(loser, "colonial", f"conquered by {names[victor]}")
                self.log("restoration", loser,
                         f"state and collective capital worth {moved:.4g} GK$ pass to "
                         f"{names[victor]} owners")
            else:
                sim.econ.controller[loser] = victor
                self.switch(loser, "occupation", f"conquered by {names[victor]}")
        self.log("war_end", loser, f"{names[victor]} defeats {names[loser]}; "
                 f"{self.years_back[loser]:.1f} years thrown back")

    def war_mortality(self) -> np.ndarray:
        """Extra monthly death probability by region: war and famine shocks."""
        p = np.zeros(self.sim.n_regions)
        for w in self.wars:
            p[[w.attacker, w.target]] += self.sim.pars["war_deaths"] * self.sim.dt
        p += self.famine * self.sim.dt
        return p

    def update_legitimacy(self) -> None:
        """Legitimacy of each authority by class relaxes toward what its policies do."""
        sim = self.sim
        out = np.maximum(sim.flows.output.sum(axis=1), 1e-12)
        living = np.maximum((sim.owners + sim.dispossessed).sum(axis=1) * sim.people_per_agent,
                            1.0)
        hard = np.nan_to_num(np.divide(sim.sum_hardship, sim.count,
                                       out=np.zeros_like(sim.count), where=sim.count > 0))
        goal = legitimacy.target(
            sim.pars, sim.lever, hard, sim.flows.pillage_out / out,
            self.terror_deaths / sim.dt / living, self.at_war_as_target(),
            self.authority == COUNCILS)
        self.L = legitimacy.relax(self.L, goal, sim.pars, sim.dt)

    def at_war_as_target(self) -> np.ndarray:
        out = np.zeros(self.sim.n_regions, dtype=bool)
        for w in self.wars:
            out[w.target] = True
        return out

    def update_tendencies(self) -> None:
        """Tendencies relax toward class interest, the neighbours' mean, and agitation."""
        sim = self.sim
        K = sim.econ.K
        agri = np.maximum(K[:, Sector.AGRI].sum(axis=1), 1e-12)
        small = K[:, Sector.AGRI, Owner.SMALL] / agri
        landlord = K[:, Sector.AGRI, Owner.LANDLORD] / agri
        interest = tendency.class_interest(sim.pars, small, sim.lever["privilege_share"],
                                           landlord)
        counts = np.maximum(sim.owners + sim.dispossessed, 1e-12)
        region_mean = (self.tau_mean * counts).sum(axis=1) / counts.sum(axis=1)
        agitation = _agitation_by_region(sim, self.authority)
        left_pull = np.isin(self.authority, (FINANCE, COLONIAL)).astype(float)
        goal = tendency.targets(sim.pars, interest, region_mean, agitation, self.D, left_pull)
        self.tau_mean, right, left = tendency.update(sim.people, goal, sim.pars, sim.dt,
                                                     sim.streams["tendency"])
        persons = sim.owners + sim.dispossessed
        living = np.maximum(persons.sum(axis=1), 1e-12)
        self.P, self.W = tendency.strengths(persons, right, left, self.L,
                                            self.active_right / living,
                                            self.active_left / living)

    def mobilise(self) -> None:
        """Mass action and repression (Epstein 2002 with a direction), region by region."""
        sim = self.sim
        people, n = sim.people, sim.people.n
        if self.legit_scratch.size < people.capacity:
            self.legit_scratch = np.zeros(people.capacity, dtype=np.float32)
        legit = legitimacy.of_agents(self.L, people.region[:n], people.klass[:n],
                                     people.legitimacy_offset[:n], self.legit_scratch[:n])
        persons = (sim.owners + sim.dispossessed).sum(axis=1) * sim.people_per_agent
        # an enforcer deters as much as `enforcer_weight` of Epstein's cops: a real police force
        # of a few per thousand is backed by troops, informers and records that a grid cop is
        # not; but it arrests no more than one enforcer can (arrest_share = 1 / weight)
        cops = np.rint(sim.pars["enforcer_weight"] * sim.lever["enforcers_per_pop"] * persons
                       / sim.people_per_agent)
        rng = sim.streams["mobilisation"]
        if self.mode == "well-mixed":
            counts = mobilisation.mobilise_well_mixed(
                people.status[:n], people.hardship[:n], legit, people.risk_aversion[:n],
                people.tendency[:n], people.jail[:n], cops.astype(np.int64), rng, self.params,
                region=people.region[:n], psi_left=sim.lever["psi_left"],
                psi_right=sim.lever["psi_right"],
                terror_rate=np.clip(sim.lever["terror_rate"], 0.0, 1.0),
                max_jail=np.rint(sim.lever["jail_max"]).astype(np.int64),
                arrest_share=1.0 / sim.pars["enforcer_weight"])
            row = {k: v[0, : sim.n_regions].astype(float) for k, v in counts.items()}
        else:
            row = self._mobilise_spatial(legit, cops.astype(np.int64), rng)
        self.active_left = row["active_left"]
        self.active_right = row["active_right"]
        self.jailed = row["jailed"]
        self.terror_deaths = row["terror_deaths"]

    def _mobilise_spatial(self, legit: np.ndarray, cops: np.ndarray,
                          rng: np.random.Generator) -> dict[str, np.ndarray]:
        sim, people, n = self.sim, self.sim.people, self.sim.people.n
        R = sim.n_regions
        row = {k: np.zeros(R) for k in mobilisation.COUNTS}
        # the living grouped by region in one stable sort (a radix sort for uint8 keys)
        living = np.flatnonzero(people.status[:n] != Status.DEAD)
        by_region = living[np.argsort(people.region[living], kind="stable")]
        ends = np.cumsum(np.bincount(people.region[living], minlength=R))
        density = sim.pars["citizen_density"]
        # one generator per region, spawned in region order: the result does not depend on
        # which thread runs which region, or on how many threads there are
        gens = rng.spawn(R)
        jobs = []
        for r in range(R):
            idx = by_region[(ends[r - 1] if r else 0):ends[r]]
            if idx.size == 0:
                continue
            width, height, cop_pos = self._grid(r, idx.size + int(cops[r]), density)
            if cop_pos.size != cops[r]:
                cop_pos = np.full(int(cops[r]), -1, dtype=np.int32)
            params = mobilisation.MobilisationParams(
                k=self.params.k, threshold=self.params.threshold, vision=self.params.vision,
                rounding=self.params.rounding,
                max_jail=int(np.clip(sim.lever["jail_max"][r], 0, 65535)),
                psi_left=float(sim.lever["psi_left"][r]),
                psi_right=float(sim.lever["psi_right"][r]),
                terror_rate=float(np.clip(sim.lever["terror_rate"][r], 0.0, 1.0)),
                arrest_share=1.0 / sim.pars["enforcer_weight"])
            jobs.append((r, idx, width, height, cop_pos, params, gens[r]))

        def work(job):
            # regions do not interact in mobilisation, and the kernel releases the GIL, so
            # regions run side by side on the machine's cores
            r, idx, width, height, cop_pos, params, gen = job
            status, jail, pos = people.status[idx], people.jail[idx], people.position[idx]
            counts = mobilisation.mobilise_spatial(
                status, people.hardship[idx], legit[idx], people.risk_aversion[idx],
                people.tendency[idx], jail, pos, cop_pos, width, height, gen, params)
            return r, idx, width, height, cop_pos, status, jail, pos, counts

        largest_first = sorted(jobs, key=lambda job: -job[1].size)
        with ThreadPoolExecutor(max_workers=SPATIAL_THREADS) as pool:
            done = list(pool.map(work, largest_first))
        for r, idx, width, height, cop_pos, status, jail, pos, counts in sorted(
                done, key=lambda d: d[0]):
            people.status[idx], people.jail[idx], people.position[idx] = status, jail, pos
            self.grids[r] = (width, height, cop_pos)
            for k in mobilisation.COUNTS:
                row[k][r] = counts[k][0]
        return row

    def _grid(self, r: int, agents: int, density: float) -> tuple[int, int, np.ndarray]:
        """Region r's torus: kept while it has room, rebuilt (everyone re-placed) when not."""
        if r in self.grids:
            width, height, cops = self.grids[r]
            if width * height >= agents:
                return width, height, cops
        side = int(np.ceil(np.sqrt(agents / density * 1.2)))
        people = self.sim.people
        mask = people.region[: people.n] == r
        people.position[: people.n][mask] = -1
        return side, side, np.full(0, -1, dtype=np.int32)

    def update_prestige(self) -> None:
        """World prestige D moves with terror, pillage, occupation, reforms and withdrawals."""
        sim = self.sim
        persons = (sim.owners + sim.dispossessed).sum(axis=1) * sim.people_per_agent
        ws = np.isin(self.authority, (BUREAUCRACY, COUNCILS))
        occ = self.authority == OCCUPATION
        terror = self.terror_deaths[ws].sum() * sim.people_per_agent / max(
            persons[ws].sum(), 1.0) / sim.dt
        out = sim.flows.output.sum(axis=1)
        pill = sim.flows.pillage_out[occ].sum() / max(out[occ].sum(), 1e-12) if occ.any() else 0.0
        reform = (float(np.mean(sim.lever["agrarian_reform_rate"][occ]
                                + sim.lever["nationalisation_rate"][occ])) / 2
                  if occ.any() else 0.0)
        self.D = prestige.step(self.D, sim.pars, sim.dt, terror_per_capita=terror,
                               pillage_share=pill,
                               occupied_share=persons[occ].sum() / max(persons.sum(), 1.0),
                               reform_intensity=reform, withdrawals=self.withdrawals)



def _agitation_by_region(sim: Sim, authority: np.ndarray) -> np.ndarray:
    """Anti-Soviet agitation reaching each region: the strongest agitation of any finance-capital
    government (it is broadcast world-wide: seed ¶1)."""
    finance = authority == FINANCE
    level = float(sim.lever["agitation"][finance].max()) if finance.any() else 0.0
    return np.full(sim.n_regions, level)


__all__ = ["MODES", "THEORY_DEFAULT", "Politics"]
