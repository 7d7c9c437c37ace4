"""Government of an imperialist or capitalist power: finance capital's state (seed ¶1-2, 5, 12).

It sets three things. The export of capital (seed ¶5): its export share rises above the scenario's
base with the profit opportunities of its dependencies, read from what it can observe of them, a
lower wage share (room for superexploitation) and faster growth than at home; the economy adds
its own response to the profit-rate gap on top. Anti-Soviet agitation (seed ¶1, "the moral
preparation for the third world war"): a base level, more as the prestige of the October conquests
falls (their "convenient pretext") and as left action at home grows. And a war decision on a
workers' state (seed ¶12), OFF unless `war_decision` is set: when on, it wishes to attack the
largest workers' state its output outweighs by `finance_war_superiority`, once the prestige D has
fallen to `finance_war_prestige` (opinion prepared). The wish is `wants_war_on` (a region index or
None); turning it into a war is the Sim's business.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.authorities.base import Authority
from sovsim.authorities.observables import Observables
from sovsim.world.names import AUTHORITIES
from sovsim.world.pars import Pars

# Regions governed by these authorities are workers' states (collective property, seed ¶12).
WORKERS_STATES = (AUTHORITIES.index("bureaucracy"), AUTHORITIES.index("councils"))


class FinanceCapital(Authority):
    """The government of a capitalist power and of the capital it exports."""

    kind: ClassVar[str] = "finance_capital"

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        super().__init__(r, pars, initial)
        self.export_gain = pars.finance_export_gain          # per unit of profit-share gap
        self.growth_weight = pars.finance_growth_weight      # years: growth gap to share gap
        self.export_max = pars.finance_export_max
        self.agitation_base = pars.finance_agitation_base
        self.agitation_pretext = pars.finance_agitation_pretext  # extra agitation at D = 0
        self.agitation_threat = pars.finance_agitation_threat    # per unit share active left
        self.war_decision = pars.war_decision                # 0 off, 1 on
        self.war_superiority = pars.finance_war_superiority  # output ratio needed
        self.war_prestige = pars.finance_war_prestige        # D at or below which it attacks
        self.wants_war_on: int | None = None

    def opportunity(self, obs: Observables) -> float:
        """Profit opportunity of the dependencies against home: output-weighted gap in profit
        share (1 - wage share) plus the growth gap scaled by `finance_growth_weight`."""
        r, deps = self.r, obs.governs(self.r)
        if deps.size == 0:
            return 0.0
        weight = obs.output_per_capita[deps] * obs.persons[deps].sum(axis=1)
        weight = weight / weight.sum() if weight.sum() > 0 else np.full(deps.size, 1 / deps.size)
        share_gap = float(weight @ (1.0 - obs.wage_share[deps])) - (1.0 - float(obs.wage_share[r]))
        growth_gap = float(weight @ obs.growth[deps]) - float(obs.growth[r])
        return share_gap + self.growth_weight * growth_gap

    def war_target(self, obs: Observables) -> int | None:
        """The workers' state it would attack now, if any (only with `war_decision` on)."""
        r = self.r
        if self.war_decision < 0.5 or bool(obs.at_war[r]) or obs.prestige > self.war_prestige:
            return None
        idx = np.arange(len(obs.names))
        total = obs.output_per_capita * obs.persons.sum(axis=1)
        targets = (np.isin(obs.authority, WORKERS_STATES) & (obs.controller == idx)
                   & ~obs.at_war.astype(bool) & (idx != r)
                   & (total[r] >= self.war_superiority * total))
        if not targets.any():
            return None
        return int(idx[targets][np.argmax(total[targets])])

    def decide(self, obs: Observables, lever: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        """Export share, agitation and the war wish of this step."""
        r = self.r
        lever["export_share"][r] = np.clip(
            self.initial["export_share"] + self.export_gain * self.opportunity(obs),
            0.0, max(self.export_max, self.initial["export_share"]))
        agitation = (self.agitation_base + self.agitation_pretext * (1.0 - obs.prestige)
                     + self.agitation_threat * float(obs.active_left[r]))
        lever["agitation"][r] = float(np.clip(agitation, 0.0, 1.0))
        self.wants_war_on = self.war_target(obs)
