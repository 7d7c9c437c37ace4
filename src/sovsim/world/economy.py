"""The economy's state: capital by region, sector and owner; productivity; wages.

All flows are annual rates in 1990 international Geary-Khamis dollars (GK$ per year); stocks are
GK$. A step of length `dt` years adds `rate * dt` to a stock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sovsim.world.names import N_CLASSES, N_OWNERS, N_SECTORS


@dataclass
class Technology:
    """Sector parameters (MODEL.md §4.1), shared by all regions or set region by region.

    `sigma` and `g0` are (S,) when every region shares them and (R, S) where a scenario sets
    them per region (`[regions.X.pars]`, e.g. a calibration by bloc); `eta` is then (R,) and
    `saving_capitalist` (R,). The economy broadcasts, so both shapes work everywhere.
    """

    sigma: np.ndarray   # (S,) or (R, S) capital-output ratio, years
    delta: np.ndarray   # (S,) depreciation, 1/year
    g0: np.ndarray      # (S,) or (R, S) autonomous productivity growth, 1/year
    eta: float | np.ndarray  # productivity growth per unit I_heavy / K_heavy; scalar or (R,)
    landlord_drag: float
    # (R,) share of profit capitalists reinvest, where regions differ; None: pars everywhere
    saving_capitalist: np.ndarray | None = None


@dataclass
class Economy:
    """Stocks and slow variables of the world economy."""

    K: np.ndarray             # (R, S, O) capital by region, sector, owner
    F: np.ndarray             # (R, R, S) FOREIGN capital by host, owning region, sector
    a: np.ndarray             # (R, S) output per employed person, GK$/year
    wage: np.ndarray          # (R,) industrial wage per employed person, GK$/year
    employment: np.ndarray    # (R,) industrial employment rate at the last step
    planned: np.ndarray       # (R,) bool: wages and the state fund set by a plan
    controller: np.ndarray    # (R,) int: index of the region whose authority governs it
    tech: Technology
    # Demand for each sector's output at the last step (GK$/year). Where it is set, market
    # regions produce no more than they can sell (Keynes, Kalecki); planned regions produce to
    # capacity (Kornai's resource-constrained economy). None: Say's law everywhere.
    demand: np.ndarray | None = None
    # Share of capacity each region and sector can use this step (harvests, sabotage): set by
    # the politics each step; None means all of it.
    output_factor: np.ndarray | None = None
    # Growth rate of industrial productivity at the last step (1/year, (R,)), what wage
    # bargaining indexes wages to (accumulation.update_wages); None before the first step.
    productivity_growth: np.ndarray | None = None

    @property
    def n_regions(self) -> int:
        return int(self.K.shape[0])



@dataclass
class Flows:
    """What happened in the economy during one step, as annual rates (GK$/year)."""

    n_regions: int
    output: np.ndarray = field(init=False)            # (R, S)
    labour: np.ndarray = field(init=False)            # (R, S) employed persons
    labour_demand: np.ndarray = field(init=False)     # (R, S) persons capital could employ
    wages: np.ndarray = field(init=False)             # (R, S)
    surplus: np.ndarray = field(init=False)           # (R, S, O) gross surplus by owner
    procurement: np.ndarray = field(init=False)       # (R,)
    state_budget: np.ndarray = field(init=False)      # (R,)
    privileges: np.ndarray = field(init=False)        # (R,)
    accumulation_fund: np.ndarray = field(init=False)  # (R,)
    administration: np.ndarray = field(init=False)    # (R,)
    repatriated_out: np.ndarray = field(init=False)   # (R,)
    repatriated_in: np.ndarray = field(init=False)    # (R,)
    investment: np.ndarray = field(init=False)        # (R, S, O) gross, real
    exported: np.ndarray = field(init=False)          # (R,) capital exported
    imported: np.ndarray = field(init=False)          # (R,) capital received
    idle_savings: np.ndarray = field(init=False)      # (R,) savings finding no capital goods
    idle_heavy: np.ndarray = field(init=False)        # (R,) HEAVY output nobody bought
    sold_heavy: np.ndarray = field(init=False)        # (R,) HEAVY output sold abroad
    bought_heavy: np.ndarray = field(init=False)      # (R,) capital goods bought abroad
    pillage_out: np.ndarray = field(init=False)       # (R,) capital shipped away
    pillage_in: np.ndarray = field(init=False)        # (R,) capital arriving
    destroyed: np.ndarray = field(init=False)         # (R,) capital destroyed (forced change)
    class_income: np.ndarray = field(init=False)      # (R, K) total income by class
    wage_share: np.ndarray = field(init=False)        # (R,) wages / output
    capacity: np.ndarray = field(init=False)          # (R, S) output capital and labour allow
    profit_rate: np.ndarray = field(init=False)       # (R,) private gross surplus / capital

    def __post_init__(self) -> None:
        R, S, W, C = self.n_regions, N_SECTORS, N_OWNERS, N_CLASSES
        # flows between regions, (from, to): profit repatriated host -> owner, capital
        # exported exporter -> host, equipment pillaged host -> controller
        self.repatriation = np.zeros((R, R))
        self.capital_export = np.zeros((R, R))
        self.pillage = np.zeros((R, R))
        for name, shape in (
            ("output", (R, S)), ("labour", (R, S)), ("labour_demand", (R, S)),
            ("wages", (R, S)), ("surplus", (R, S, W)), ("investment", (R, S, W)),
            ("class_income", (R, C)), ("capacity", (R, S)),
        ):
            setattr(self, name, np.zeros(shape))
        for name in ("procurement", "state_budget", "privileges", "accumulation_fund",
                     "administration", "repatriated_out", "repatriated_in", "exported",
                     "imported", "idle_savings", "idle_heavy", "sold_heavy", "bought_heavy",
                     "pillage_out", "pillage_in",
                     "destroyed", "wage_share", "profit_rate"):
            setattr(self, name, np.zeros(R))
