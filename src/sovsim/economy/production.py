"""Production and distribution (MODEL.md §4.1-4.2; seed ¶5-7).

Production is Leontief, bound by capital or by labour (Goodwin; a shortage economy):
Y[r,s] = a[r,s] L[r,s], with L[r,s] = min(labour available to s, K[r,s] / (sigma_s a[r,s])).
HEAVY and LIGHT share the industrial labour force (workers); AGRI is worked by peasants and
collective farmers, whose numbers beyond AGRI's capacity are the rural reserve that accumulation
pulls into industry.

Distribution follows ownership: the part of a sector's output produced on capital of owner o is
Y[r,s] K[r,s,o]/K[r,s]. On SMALL and COLLECTIVE capital the producers own what they make (less
procurement); on every other owner's capital the wage share goes to labour and the rest is that
owner's gross surplus: profit (PRIVATE), rent (LANDLORD), the state budget (STATE), or profit of a
foreign owner (FOREIGN), part of it repatriated.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.economy.population import labour_supply
from sovsim.world.economy import Economy, Flows
from sovsim.world.module import Module, Variable
from sovsim.world.names import Klass, Owner, Sector
from sovsim.world.pars import Pars
from sovsim.world.state import World

INDUSTRY = [Sector.HEAVY, Sector.LIGHT]
OWNER_WORKED = [Owner.SMALL, Owner.COLLECTIVE]  # owners who work their own means of production
WAGE_SHARE_CEILING = 0.98  # a wage above output would make surplus negative: capped just below


def produce(econ: Economy, industrial_labour: np.ndarray, agri_labour: np.ndarray,
            flows: Flows, substitution: float = 0.0, capital_weight: float = 0.5) -> None:
    """Output and employment by region and sector; the industrial employment rate.
    `substitution` > 0: planned industry is a CES of that elasticity (`planned_substitution`)."""
    tech = econ.tech
    Ks = econ.K.sum(axis=2)                                   # (R, S)
    demand = Ks / (tech.sigma * econ.a)                       # persons capital can employ
    flows.labour_demand[:] = demand
    ind_demand = demand[:, INDUSTRY].sum(axis=1)
    # when labour binds, HEAVY and LIGHT are short of hands in proportion to their demand
    ind_fill = np.divide(np.minimum(industrial_labour, ind_demand), ind_demand,
                         out=np.zeros_like(ind_demand), where=ind_demand > 0)
    flows.labour[:, INDUSTRY] = demand[:, INDUSTRY] * ind_fill[:, None]
    flows.labour[:, Sector.AGRI] = np.minimum(agri_labour, demand[:, Sector.AGRI])
    flows.capacity[:] = econ.a * flows.labour
    planned_substitution(econ, industrial_labour, flows, substitution, capital_weight)
    if econ.output_factor is not None:
        flows.capacity *= econ.output_factor
        flows.labour *= np.minimum(1.0, econ.output_factor)
    flows.output[:] = flows.capacity
    if econ.demand is not None:
        # a market region sells no more than is demanded; what it cannot sell it does not make
        sold = np.minimum(flows.capacity, econ.demand)
        market = ~econ.planned
        flows.output[market] = sold[market]
        flows.labour[market] = np.divide(sold[market], econ.a[market],
                                         out=np.zeros_like(sold[market]),
                                         where=econ.a[market] > 0)
    employed = flows.labour[:, INDUSTRY].sum(axis=1)
    econ.employment[:] = np.divide(employed, industrial_labour,
                                   out=np.ones_like(employed), where=industrial_labour > 0)


def planned_substitution(econ: Economy, industrial_labour: np.ndarray, flows: Flows,
                         substitution: float, capital_weight: float) -> None:
    """Planned industry as a CES of capital and labour (history issue; departs from MODEL.md
    §4.1's Leontief where a plan rules).

    Weitzman (1970, AER 60:676) and Easterly and Fischer (1995, World Bank Econ. Rev. 9:341):
    Soviet industry's elasticity of substitution between capital and labour was about 0.4, so
    that capital piled up faster than labour bought ever less output: the limit of extensive
    growth. Where the plan rules (and `substitution` s > 0), industrial output is

        Y = [w X_K^r + (1 - w) X_L^r]^(1/r),   r = (s - 1) / s,

    X_K = sum over HEAVY and LIGHT of K / sigma (what capital could make, Leontief's capital
    bound) and X_L = a * industrial labour (what every worker could make), w =
    `planned_capital_weight`. At X_K = X_L it equals Leontief's output; as capital deepens
    (X_K / X_L rising) output grows with labour and productivity, little with capital. The plan
    employs every industrial worker (Kornai: the shortage economy has no unemployment), each
    sector in proportion to its capital. s = 0: Leontief everywhere."""
    if substitution <= 0 or not econ.planned.any():
        return
    rows = np.flatnonzero(econ.planned)
    sigma = np.broadcast_to(econ.tech.sigma, econ.a.shape)
    capital_bound = econ.K.sum(axis=2)[rows][:, INDUSTRY] / sigma[rows][:, INDUSTRY]
    x_k = capital_bound.sum(axis=1)
    weights = np.divide(capital_bound, x_k[:, None], out=np.full_like(capital_bound, 0.5),
                        where=x_k[:, None] > 0)
    a_ind = (econ.a[rows][:, INDUSTRY] * weights).sum(axis=1)
    x_l = a_ind * industrial_labour[rows]
    r = (substitution - 1.0) / substitution
    w = capital_weight
    ok = (x_k > 0) & (x_l > 0)
    y = np.zeros_like(x_k)
    y[ok] = (w * x_k[ok] ** r + (1 - w) * x_l[ok] ** r) ** (1.0 / r)
    for j, sector in enumerate(INDUSTRY):
        flows.capacity[rows, sector] = y * weights[:, j]
        flows.labour[rows, sector] = industrial_labour[rows] * weights[:, j]


def wage_shares(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
                agri_wage_share: float) -> np.ndarray:
    """Wage share of output by region and sector, after the colonial ceiling."""
    u = np.divide(econ.wage[:, None], econ.a, out=np.zeros_like(econ.a), where=econ.a > 0)
    u[:, Sector.AGRI] = agri_wage_share
    dependent = econ.controller != np.arange(econ.n_regions)
    ceiling = np.where(dependent, lever["colonial_wage_share"], 1.0)
    return np.clip(np.minimum(u, ceiling[:, None]), 0.0, WAGE_SHARE_CEILING)


def distribute(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
               pars: Pars, persons: np.ndarray) -> None:
    """Split output into wages and surplus by owner; the state budget; incomes by class.

    `persons` is (R, K): living persons by region and class who are not dispossessed (the
    dispossessed of a propertied class are counted with the workers' households).
    """
    R = econ.n_regions
    Ks = econ.K.sum(axis=2, keepdims=True)
    theta = np.divide(econ.K, Ks, out=np.zeros_like(econ.K), where=Ks > 0)   # (R, S, O)
    part = flows.output[:, :, None] * theta                                   # (R, S, O)
    u = wage_shares(econ, flows, lever, pars.agri_wage_share)
    hired = np.ones(part.shape[2], dtype=bool)
    hired[OWNER_WORKED] = False
    wages = part[:, :, hired] * u[:, :, None]
    flows.wages[:] = wages.sum(axis=2)
    flows.surplus[:] = 0.0
    flows.surplus[:, :, hired] = part[:, :, hired] - wages
    flows.surplus[:, :, ~hired] = part[:, :, ~hired]
    total = flows.output.sum(axis=1)
    flows.wage_share[:] = np.divide(flows.wages.sum(axis=1), total,
                                    out=np.zeros(R), where=total > 0)

    S = flows.surplus
    own_agri = S[:, Sector.AGRI, Owner.SMALL] + S[:, Sector.AGRI, Owner.COLLECTIVE]
    flows.procurement[:] = lever["procurement"] * own_agri
    budget = S[:, :, Owner.STATE].sum(axis=1) + flows.procurement
    flows.state_budget[:] = budget
    flows.privileges[:] = lever["privilege_share"] * budget
    flows.accumulation_fund[:] = lever["accumulation_share"] * budget
    flows.administration[:] = budget - flows.privileges - flows.accumulation_fund

    # Repatriation: a share of FOREIGN net surplus leaves for the owner regions.
    delta = econ.tech.delta
    foreign_net = np.maximum(0.0, S[:, :, Owner.FOREIGN]
                             - delta[None, :] * econ.K[:, :, Owner.FOREIGN])   # (R, S)
    out = pars.repatriation * foreign_net                                   # (R, S)
    F_tot = econ.F.sum(axis=1)                                                 # (R, S)
    owner_w = np.divide(econ.F, F_tot[:, None, :], out=np.zeros_like(econ.F),
                        where=F_tot[:, None, :] > 0)                            # (host, own, S)
    flows.repatriation[:] = np.einsum("hos,hs->ho", owner_w, out)
    flows.repatriated_out[:] = flows.repatriation.sum(axis=1)
    flows.repatriated_in[:] = flows.repatriation.sum(axis=0)

    _class_incomes(econ, flows, lever, pars, persons)
    priv_K = econ.K[:, :, Owner.PRIVATE].sum(axis=1)
    flows.profit_rate[:] = np.divide(S[:, :, Owner.PRIVATE].sum(axis=1), priv_K,
                                     out=np.zeros(R), where=priv_K > 0)


def _class_incomes(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
                   pars: Pars, persons: np.ndarray) -> None:
    """Total income by region and class (GK$/year), what the agents will share."""
    S, delta, K = flows.surplus, econ.tech.delta, econ.K
    inc = flows.class_income
    inc[:] = 0.0
    peas, coll = persons[:, Klass.PEASANT], persons[:, Klass.COLLECTIVE_FARMER]
    rural = peas + coll
    peas_w = np.divide(peas, rural, out=np.full_like(peas, 0.5), where=rural > 0)
    agri_wages = flows.wages[:, Sector.AGRI]
    keep = 1.0 - lever["procurement"]
    inc[:, Klass.WORKER] = flows.wages[:, INDUSTRY].sum(axis=1)
    inc[:, Klass.PEASANT] = agri_wages * peas_w + keep * S[:, Sector.AGRI, Owner.SMALL]
    inc[:, Klass.COLLECTIVE_FARMER] = (agri_wages * (1 - peas_w)
                                       + keep * S[:, Sector.AGRI, Owner.COLLECTIVE])
    inc[:, Klass.ARTISAN] = (S[:, INDUSTRY, Owner.SMALL].sum(axis=1)
                             + S[:, INDUSTRY, Owner.COLLECTIVE].sum(axis=1))
    rent_net = np.maximum(0.0, S[:, :, Owner.LANDLORD] - delta * K[:, :, Owner.LANDLORD])
    inc[:, Klass.LANDLORD] = (1 - pars.saving_landlord) * rent_net.sum(axis=1)
    profit_net = np.maximum(0.0, S[:, :, Owner.PRIVATE] - delta * K[:, :, Owner.PRIVATE])
    inc[:, Klass.CAPITALIST] = (1 - capitalist_saving(econ, pars)) * (
        profit_net.sum(axis=1) + flows.repatriated_in)
    # The administration pays bureaucrats and enforcers a worker's wage where it can;
    # what is left is public consumption (army, services), nobody's private income.
    staff = persons[:, Klass.BUREAUCRAT] + persons[:, Klass.ENFORCER]
    wage_pp = _wage_per_person(flows, persons)
    salaries = np.minimum(flows.administration, staff * wage_pp)
    bur_w = np.divide(persons[:, Klass.BUREAUCRAT], staff, out=np.zeros_like(staff),
                      where=staff > 0)
    inc[:, Klass.BUREAUCRAT] = salaries * bur_w + flows.privileges
    inc[:, Klass.ENFORCER] = salaries * (1 - bur_w)


def capitalist_saving(econ: Economy, pars: Pars) -> float | np.ndarray:
    """Share of profit capitalists reinvest: the region's own where the scenario sets one per
    region (an (R,) array), else the shared parameter."""
    own = econ.tech.saving_capitalist
    return pars.saving_capitalist if own is None else own


def _wage_per_person(flows: Flows, persons: np.ndarray) -> np.ndarray:
    workers = persons[:, Klass.WORKER]
    ind_wages = flows.wages[:, INDUSTRY].sum(axis=1)
    return np.divide(ind_wages, workers, out=np.zeros_like(workers), where=workers > 0)


# --- the production module of the step plan -------------------------------------------------

RIGHT_LOSS_CAP = 0.5  # sabotage and revolt never stop more than half of production


def output_factor(world: World) -> np.ndarray:
    """Share of capacity each sector can use: the harvest, and right action's sabotage."""
    living = np.maximum(world.living(), 1e-12)
    f = np.ones((world.n_regions, 3))
    f[:, Sector.AGRI] = world.regions["harvest"]
    f *= (1.0 - np.minimum(RIGHT_LOSS_CAP, world.pars.right_output_loss
                           * world.regions["active_right"] / living))[:, None]
    return f


class Production(Module):
    """Production bound by capital, labour or demand; its distribution into incomes. Where state
    and collective property dominate, or an authority imposes it, the plan sets wages and
    production runs to capacity (Kornai's resource-constrained economy)."""

    shared: ClassVar[dict[str, str]] = {
        "plan_imposed": "bool: an authority or a federation imposes the plan, whatever "
        "the property (set by the politics)"}
    region_results: ClassVar[dict[str, Variable]] = {
        "output_per_capita": Variable("1990 GK$/person/year", "output (GDP) per person, the "
                                      "unit of Maddison 2010 and MPD2013"),
        "output_heavy": Variable("1990 GK$/year",
                                 "output of HEAVY (Department I, means of production)"),
        "output_light": Variable("1990 GK$/year",
                                 "output of LIGHT (Department II, consumer goods)"),
        "output_agri": Variable("1990 GK$/year", "output of AGRI (agriculture)"),
        "employment_rate": Variable("share", "employed / industrial labour force"),
        "wage_share": Variable("share", "wages / output"),
        "repatriated_profit": Variable("1990 GK$/year", "FOREIGN profit sent out of this region"),
        "repatriated_in": Variable("1990 GK$/year",
                                   "profit received from capital owned abroad"),
        "state_budget": Variable("1990 GK$/year", "state surplus plus procurement"),
        "privileges": Variable("1990 GK$/year",
                               "privileges of the bureaucracy (Pi x state budget)"),
        "procurement_value": Variable("1990 GK$/year",
                                      "value procured from peasants and collectives"),
    }
    link_results: ClassVar[dict[str, Variable]] = {
        "profit_repatriation": Variable("1990 GK$/year", "profit of capital owned by `target` "
                                        "sent home from `source`"),
    }

    def init(self, world: World) -> None:
        world.regions["plan_imposed"] = world.econ.planned.copy()

    def produce(self, world: World) -> None:
        """Leontief production bound by capital or labour (seed ¶6: productive forces)."""
        econ = world.econ
        K = econ.K.sum(axis=1)
        collective = (K[:, Owner.STATE] + K[:, Owner.COLLECTIVE]) / np.maximum(K.sum(axis=1),
                                                                               1e-12)
        econ.planned[:] = world.regions["plan_imposed"] | (collective >= world.pars.plan_share)
        econ.output_factor = output_factor(world)
        # planned industry is a CES of elasticity `planned_substitution` (history issue, E5)
        produce(econ, *labour_supply(world), world.flows, world.pars.planned_substitution,
                world.pars.planned_capital_weight)

    def distribute(self, world: World) -> None:
        """Output split into wages, profit, rent, repatriation, state budget, procurement."""
        distribute(world.econ, world.flows, world.lever, world.pars,
                   world.owners * world.people_per_agent)

    def record(self, world: World) -> None:
        t, f, reg = world.t, world.flows, world.results.regions
        living = world.living() * world.people_per_agent
        total = f.output.sum(axis=1)
        reg["output_per_capita"][t] = np.divide(total, living, out=np.zeros_like(total),
                                                where=living > 0)
        reg["output_heavy"][t] = f.output[:, Sector.HEAVY]
        reg["output_light"][t] = f.output[:, Sector.LIGHT]
        reg["output_agri"][t] = f.output[:, Sector.AGRI]
        reg["employment_rate"][t] = world.econ.employment
        reg["wage_share"][t] = f.wage_share
        reg["repatriated_profit"][t] = f.repatriated_out
        reg["repatriated_in"][t] = f.repatriated_in
        reg["state_budget"][t] = f.state_budget
        reg["privileges"][t] = f.privileges
        reg["procurement_value"][t] = f.procurement
        world.results.links["profit_repatriation"][t] = f.repatriation
