"""Catch-up: productivity growth toward the frontier at a rate set by absorptive capacity.

Nelson and Phelps (1966, AER 56:69) and Abramovitz (1986, J. Econ. Hist. 46:385): a follower's
productivity grows by the frontier's growth plus a share of its gap to the frontier, and how fast
the gap closes depends on its "social capability" to absorb the frontier's techniques. Here, for
industry (HEAVY and LIGHT; agriculture's gap reflects land as much as technique):

    g_catch[r] = catch_up_rate * capability[r] * ln(a_frontier / a[r])    (0 at the frontier)

with a the output per employed person, the frontier the highest a of any region, and

    capability[r] = min(1, (I/Y)[r] / absorption_investment_share)   (investment embodies it)
                    * (1 - extractive share of capital)                (landlord, foreign)
                    * (planned_absorption where a plan rules, else 1)  (property regime)

The extractive share (LANDLORD + FOREIGN capital over all capital) stands for the colonial and
semi-feudal property regime that Abramovitz's capability lacks (seed ¶5: imperialism a barrier
to the productive forces). `planned_absorption` is the planned economies' lower capacity to
absorb techniques from abroad (the CoCom embargo from 1949; Easterly and Fischer 1995, World
Bank Econ. Rev. 9:341, on falling Soviet TFP growth). The reconstruction of war-damaged
economies with their skills intact (West Germany, Italy) comes out of the same term: their
productivity in 1946 is far below the frontier and their investment share is high.

With `catch_up_rate` 0 productivity grows as MODEL.md §4.1 first wrote it (g0 + learning).
"""

from __future__ import annotations

import numpy as np

from sovsim.world.economy import Economy, Flows
from sovsim.world.names import Owner, Sector

INDUSTRY = [Sector.HEAVY, Sector.LIGHT]
EXTRACTIVE = [Owner.LANDLORD, Owner.FOREIGN]


def absorptive_capacity(econ: Economy, flows: Flows, pars: dict[str, float]) -> np.ndarray:
    """Each region's capability in [0, 1] to absorb the frontier's techniques, (R,)."""
    output = flows.output.sum(axis=1)
    invest = flows.investment.sum(axis=(1, 2))
    share = np.divide(invest, output, out=np.zeros_like(output), where=output > 0)
    reference = max(pars.get("absorption_investment_share", 0.25), 1e-9)
    capability = np.minimum(1.0, share / reference)
    by_owner = econ.K.sum(axis=1)
    total = by_owner.sum(axis=1)
    extractive = np.divide(by_owner[:, EXTRACTIVE].sum(axis=1), total,
                           out=np.zeros_like(total), where=total > 0)
    capability *= 1.0 - extractive
    return np.where(econ.planned, pars.get("planned_absorption", 1.0) * capability, capability)


def catch_up_growth(econ: Economy, flows: Flows, pars: dict[str, float]) -> np.ndarray:
    """Extra yearly growth of industrial productivity from closing the gap to the frontier,
    (R,); zero where `catch_up_rate` is 0."""
    rate = pars.get("catch_up_rate", 0.0)
    if rate <= 0:
        return np.zeros(econ.n_regions)
    a = econ.a[:, INDUSTRY].mean(axis=1)
    frontier = a.max()
    gap = np.log(np.maximum(frontier, 1e-9) / np.maximum(a, 1e-9))
    return rate * absorptive_capacity(econ, flows, pars) * gap


def industrial_output(flows: Flows) -> np.ndarray:
    """Industrial (HEAVY + LIGHT) output by region, (R,)."""
    return flows.output[:, INDUSTRY].sum(axis=1)


class DemandTrend:
    """The trend of each region's industrial output that Verdoorn's law reads: an exponential
    moving average over `memory` months, so that a month's swing of demand does not move
    productivity; `growth` is the trend's rate of growth (1/year)."""

    def __init__(self, memory: float = 12.0) -> None:
        self.memory = memory
        self.level: np.ndarray | None = None

    def update(self, output: np.ndarray, dt: float) -> np.ndarray:
        """Fold this step's output into the trend; return the trend's growth rate, (R,)."""
        out = np.maximum(output, 1e-9)
        if self.level is None:
            self.level = out.copy()
            return np.zeros_like(out)
        keep = 1.0 - 1.0 / max(self.memory, 1.0)
        new = keep * self.level + (1.0 - keep) * out
        growth = np.log(new / self.level) / dt
        self.level = new
        return growth


def verdoorn_learning(output_growth: np.ndarray,
                      pars: dict[str, float]) -> np.ndarray | None:
    """Learning by doing at the scale of industry, (R,), or None where the law is off.

    Verdoorn's law as Kaldor (1966, Causes of the Slow Rate of Economic Growth of the United
    Kingdom) read it: industrial productivity grows with the growth of industrial output,
    g_a = verdoorn * g_Y (increasing returns from the division of labour and from learning on
    the job; the coefficient is about 0.5 across industrial countries, McCombie and Thirlwall
    1994, ch. 2). Where the market rules, output is what is demanded, so productivity no longer
    runs ahead of demand on the strength of investment alone: employment follows output and
    the wage share can hold (Kaldor's facts, E6). Where the plan rules, output is the CES of
    capital and labour, so productivity follows output and not capital: once the rural reserve
    is spent, more capital buys little output and little learning (the limit of extensive
    growth, E5). Learning never turns into forgetting: a fall of output stops it (0).
    With `verdoorn` 0 productivity learns from heavy investment (eta, MODEL.md §4.1)."""
    b = pars.get("verdoorn", 0.0)
    if b <= 0:
        return None
    return b * np.maximum(output_growth, 0.0)
