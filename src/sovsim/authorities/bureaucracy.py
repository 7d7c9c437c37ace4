"""The Soviet bureaucracy: three rival theories of it, and a shocks-only baseline (seed ¶10-11).

All four are one kind of authority ("bureaucracy") and share everything but their theory:

- the course x in [-1, 1] (MODEL.md §4.6): +1 a LEFT turn, a crackdown on private accumulation
  (high procurement, collectivisation pressure, repression aimed at restorationist action, psi_right
  up); -1 a RIGHT turn, concessions to private accumulation (low procurement, private plots and
  markets, repression aimed at the proletarian opposition, psi_left up). The economy reads the
  course itself (it moves property toward private forms when x < 0, back when x > 0);
- one map from the course to procurement, collectivisation and repression targeting, so that the
  theories differ only in what moves the course, never in what the course does;
- one response to the exogenous shocks (harvest, war), and one relaxation of the course toward
  neutral:  dx/dt = drive + shock_push - eps x;
- one perception lag: every theory sees its inputs as they were `bureau_perception_lag` months ago.

The theories differ in `drive`, the endogenous part of the course:

- DWS, the Bonapartist caste (Trotsky; seed ¶11): drive = kappa (f(P^) - g(W^)). Its privileges
  come from collective property, which the pro-capitalist tendency P threatens, and from its
  political monopoly, which the proletarian tendency W threatens; it turns against the stronger.
  Reading of MODEL.md §4.6: a strong P pushes x UP (a left turn against private accumulation: the
  caste "is forced in the end to defend the collective ownership", seed ¶11); a strong W pushes x
  DOWN (a right turn: it leans on the petty bourgeoisie and the better-off peasants against the
  workers, with concessions to them and psi_left up against the proletarian opposition). f is
  steep near the restoration threshold P*: f(P) = P + gain * logistic((P - P*) / width).
  Nothing here oscillates by itself: with constant observables the course moves monotonically to
  its equilibrium. Zigzags can only emerge from the loop through the economy and the agents
  (x > 0 collectivises property and lowers P; x < 0 raises it; hardship and privileges move W).
- State capitalism: a collective capitalist under military competition; drive = kappa *
  tanh(pressure), the pressure being its output and growth gap to its rival (the strongest
  independent finance-capital region by output). It also raises lam and the accumulation share
  with the pressure. P does not enter.
- Bureaucratic collectivism, a new exploiting class: maximises its own consumption (privilege_share,
  and a budget fed by procurement) subject to order. While unrest (left + right action) is under its
  tolerance it squeezes (x up, privileges up); above it, it concedes (x down, privileges down) and
  represses (more enforcers). Its property is secure: P does not enter.
- Shocks-only: drive = 0. Only the shared shock response moves the course, so that zigzags caused
  by harvests and wars alone are not credited to a theory.
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.observables import Observables
from sovsim.world.names import AUTHORITIES
from sovsim.world.pars import Pars

PROCUREMENT_MAX = 0.9      # procurement can never take the whole harvest: the producers must eat
LAM_RANGE = (0.05, 0.95)   # a plan always gives both departments something


def logistic(z: float) -> float:
    """The standard logistic function, safe for large |z|."""
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0))))


class Delayed:
    """A perception lag: returns what was pushed `lag` steps ago (the first value before that)."""

    def __init__(self, lag_steps: int) -> None:
        self.lag = max(0, int(lag_steps))
        self.buffer: deque[tuple[float, ...]] = deque(maxlen=self.lag + 1)

    def __call__(self, value: tuple[float, ...]) -> tuple[float, ...]:
        if not self.buffer:
            # before the lag has passed, the authority assumes things were as it first finds them
            self.buffer.extend([value] * self.lag)
        self.buffer.append(value)
        return self.buffer[0]


class Bureaucracy(Authority):
    """The Soviet bureaucracy, a theory of it to be chosen: the course and what it does."""

    kind: ClassVar[str] = "bureaucracy"
    theory: ClassVar[str]

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.relaxation = pars.bureau_relaxation               # eps, 1/year
        self.perception_lag = pars.bureau_perception_lag       # months
        self.harvest_response = pars.bureau_harvest_response   # 1/year per unit of harvest
        self.war_response = pars.bureau_war_response           # 1/year while at war
        self.procurement_swing = pars.bureau_procurement_swing
        self.collectivisation_push = pars.bureau_collectivisation_push  # 1/year at x = +1
        self.psi_swing = pars.bureau_psi_swing
        self.x = float(np.clip(initial.get("course", 0.0), -1.0, 1.0))
        self._perceive: Delayed | None = None

    # --- what the theories share ---------------------------------------------------------
    def perceived(self, obs: Observables, value: tuple[float, ...]) -> tuple[float, ...]:
        """`value` as the bureaucracy sees it: `bureau_perception_lag` months late."""
        if self._perceive is None:
            self._perceive = Delayed(round(self.perception_lag / (12.0 * obs.dt)))
        return self._perceive(value)

    def shock_push(self, obs: Observables) -> float:
        """Push of the exogenous shocks on the course (1/year), the same under every theory."""
        r = self.r
        return (self.harvest_response * (float(obs.harvest[r]) - 1.0)
                + self.war_response * float(bool(obs.at_war[r])))

    def drive(self, obs: Observables) -> float:
        """The theory's endogenous push on the course (1/year)."""
        return 0.0

    def set_other_levers(self, obs: Observables, lever: dict[str, np.ndarray]) -> None:
        """Levers a theory sets besides the course (none unless it says so)."""

    def decide(self, obs: Observables, lever: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        """Move the course one step, set what follows from it and the theory's other levers."""
        push = self.drive(obs) + self.shock_push(obs)
        self.x = float(np.clip(self.x + obs.dt * (push - self.relaxation * self.x), -1.0, 1.0))
        self.set_other_levers(obs, lever)
        self.apply_course(lever)

    def apply_course(self, lever: dict[str, np.ndarray]) -> None:
        """The course and its levers: procurement, collectivisation, repression targeting."""
        r, x, base = self.r, self.x, self.initial
        left, right = max(x, 0.0), max(-x, 0.0)
        lever["course"][r] = x
        lever["procurement"][r] = np.clip(base["procurement"] + self.procurement_swing * x,
                                          0.0, PROCUREMENT_MAX)
        lever["collectivisation_rate"][r] = (base["collectivisation_rate"]
                                             + self.collectivisation_push * left)
        # a left turn strikes at restorationist action, a right turn at the proletarian opposition
        lever["psi_right"][r] = base["psi_right"] * (1.0 + self.psi_swing * left)
        lever["psi_left"][r] = base["psi_left"] * (1.0 + self.psi_swing * right)


class ShocksOnly(Bureaucracy):
    """Baseline: harvests and wars alone move the course; no feedback from P, W, unrest, rivals."""

    theory: ClassVar[str] = "shocks-only"


class DegeneratedWorkersState(Bureaucracy):
    """Bonapartist caste of a degenerated workers' state (Trotsky; seed ¶10-11): it turns
    against the stronger of the pro-capitalist (P) and proletarian (W) tendencies it perceives."""

    theory: ClassVar[str] = "dws"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.kappa = pars.dws_kappa                            # 1/year
        self.threshold = pars.dws_restoration_threshold        # P*
        self.width = pars.dws_restoration_width
        self.gain = pars.dws_restoration_gain
        self.proletarian_weight = pars.dws_proletarian_weight

    def restoration_threat(self, p: float) -> float:
        """f(P): the threat to collective property, steepest at the restoration threshold."""
        return p + self.gain * logistic((p - self.threshold) / self.width)

    def monopoly_threat(self, w: float) -> float:
        """g(W): the threat of the proletarian tendency to the caste's political monopoly."""
        return self.proletarian_weight * w

    def drive(self, obs: Observables) -> float:
        p, w = self.perceived(obs, (float(obs.pro_capitalist[self.r]),
                                    float(obs.proletarian[self.r])))
        return self.kappa * (self.restoration_threat(p) - self.monopoly_threat(w))


def strongest_rival(obs: Observables, r: int) -> int | None:
    """The independent finance-capital region with the largest total output, other than r."""
    idx = np.arange(len(obs.names))
    total = obs.output_per_capita * obs.persons.sum(axis=1)
    rivals = ((obs.authority == AUTHORITIES.index("finance_capital"))
              & (obs.controller == idx) & (idx != r))
    if not rivals.any():
        return None
    return int(idx[rivals][np.argmax(total[rivals])])


class StateCapitalism(Bureaucracy):
    """A collective capitalist under military competition: it accumulates to close its output
    and growth gap to its strongest imperialist rival; the restoration tendency plays no part."""

    theory: ClassVar[str] = "state-capitalism"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.kappa = pars.statecap_kappa                       # 1/year
        self.output_weight = pars.statecap_output_weight       # per unit of log output gap
        self.growth_weight = pars.statecap_growth_weight       # per unit of growth gap, years
        self.lam_gain = pars.statecap_lam_gain
        self.accumulation_gain = pars.statecap_accumulation_gain
        self.rival_growth = pars.statecap_rival_growth        # 1/year, with no rival region
        self.pressure = 0.0

    def competitive_pressure(self, obs: Observables) -> float:
        """tanh of the weighted output and growth gap to the rival, in (-1, 1); 0 without one."""
        r, rival = self.r, strongest_rival(obs, self.r)
        if rival is None:
            # a world of one region (ussr1921): the rival is the capitalist world outside it,
            # known only by its growth rate
            return float(np.tanh(self.growth_weight * (self.rival_growth - float(obs.growth[r]))))
        total = obs.output_per_capita * obs.persons.sum(axis=1)
        gap = np.log(max(total[rival], 1e-9) / max(total[r], 1e-9))
        growth_gap = float(obs.growth[rival] - obs.growth[r])
        return float(np.tanh(self.output_weight * gap + self.growth_weight * growth_gap))

    def drive(self, obs: Observables) -> float:
        (self.pressure,) = self.perceived(obs, (self.competitive_pressure(obs),))
        return self.kappa * self.pressure

    def set_other_levers(self, obs: Observables, lever: dict[str, np.ndarray]) -> None:
        r, base = self.r, self.initial
        lever["lam"][r] = np.clip(base["lam"] + self.lam_gain * self.pressure, *LAM_RANGE)
        ceiling = 1.0 - float(lever["privilege_share"][r])
        lever["accumulation_share"][r] = np.clip(
            base["accumulation_share"] + self.accumulation_gain * self.pressure, 0.0, ceiling)


class BureaucraticCollectivism(Bureaucracy):
    """A new exploiting class (seed ¶10): it maximises its own consumption subject to order,
    squeezing while unrest is tolerable and conceding and repressing when it is not."""

    theory: ClassVar[str] = "bureaucratic-collectivism"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.tolerance = pars.bc_unrest_tolerance              # share of the living active
        self.kappa = pars.bc_kappa                             # 1/year
        self.privilege_speed = pars.bc_privilege_speed         # 1/year
        self.privilege_max = pars.bc_privilege_max
        self.repression_gain = pars.bc_repression_gain
        self.privilege = float(initial["privilege_share"])
        self.margin = 1.0

    def order_margin(self, unrest: float) -> float:
        """(tolerance - unrest) / tolerance: 1 when all is quiet, < 0 past the tolerance."""
        return (self.tolerance - unrest) / max(self.tolerance, 1e-9)

    def drive(self, obs: Observables) -> float:
        r = self.r
        (unrest,) = self.perceived(obs, (float(obs.active_left[r] + obs.active_right[r]),))
        self.margin = self.order_margin(unrest)
        return self.kappa * float(np.tanh(self.margin))

    def set_other_levers(self, obs: Observables, lever: dict[str, np.ndarray]) -> None:
        r = self.r
        ceiling = min(self.privilege_max, 1.0 - float(lever["accumulation_share"][r]))
        self.privilege = float(np.clip(
            self.privilege + obs.dt * self.privilege_speed * np.tanh(self.margin), 0.0, ceiling))
        lever["privilege_share"][r] = self.privilege
        excess = max(0.0, -self.margin)
        lever["enforcers_per_pop"][r] = (self.initial["enforcers_per_pop"]
                                         * (1.0 + self.repression_gain * excess))


THEORIES: dict[str, type[Bureaucracy]] = {
    "dws": DegeneratedWorkersState,
    "state-capitalism": StateCapitalism,
    "bureaucratic-collectivism": BureaucraticCollectivism,
    "shocks-only": ShocksOnly,
}
