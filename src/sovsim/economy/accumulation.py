"""Accumulation: real investment limited by HEAVY output; plan, reinvestment, export of capital.

Marx's condition of expanded reproduction: new means of production can come only from
Department I (HEAVY) output and imported capital goods (MODEL.md §4.3). Each step the HEAVY
output of a region is spent in this order:

1. the plan: the state's accumulation fund, split lambda to HEAVY, the rest to LIGHT and AGRI
   (with one planned region and abundant labour this is the Feldman-Mahalanobis model); what
   HEAVY output is left unsold at the end the plan invests too (`absorb_idle_heavy`);
2. the owners of HEAVY capital, who replace what wore out and reinvest a share of their net
   surplus (Department I serves itself first);
3. the owners of LIGHT and AGRI capital, likewise; in Marx's schema this is exactly the rule that
   Department II accumulates what Department I's output leaves it.

When HEAVY output is short, demands in the same tier are cut pro rata; when it is left over, it is
recorded as unsold (`idle_heavy`). A capitalist who reinvests must also advance wages for the
extra hands: of each unit of net reinvestment only K/(K + wage_advance * wL) buys machines.
Savings that find no capital goods at home become exported capital where the region governs
others (seed ¶5: export of capital), else idle savings.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sovsim.economy.productivity import (
    DemandTrend,
    catch_up_growth,
    industrial_output,
    verdoorn_learning,
)
from sovsim.world.economy import Economy, Flows
from sovsim.world.module import Module, Variable
from sovsim.world.names import Klass, Owner, Sector
from sovsim.world.pars import Pars
from sovsim.world.state import World

REINVESTING = [Owner.PRIVATE, Owner.FOREIGN, Owner.LANDLORD, Owner.SMALL, Owner.COLLECTIVE]


def saving_rates(pars: Pars, n_regions: int = 1,
                 capitalist: float | np.ndarray | None = None) -> np.ndarray:
    """Share of net surplus each owner reinvests (STATE is planned, not here), (R, O).

    `capitalist` is the capitalists' share by region where regions differ (None: the shared
    parameter)."""
    s = np.zeros((n_regions, len(Owner)))
    s[:, Owner.PRIVATE] = pars.saving_capitalist if capitalist is None else capitalist
    s[:, Owner.FOREIGN] = 1.0 - pars.repatriation
    s[:, Owner.LANDLORD] = pars.saving_landlord
    # small producers and collectives replace what wears out and no more (assumption in ODD)
    return s


def accumulate(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
               pars: Pars) -> np.ndarray:
    """Decide real gross investment by region, sector and owner; return exported capital
    as (exporter R, host R, S) rates. Capital stocks are changed by `apply_investment`."""
    R = econ.n_regions
    tech, K = econ.tech, econ.K
    inv = flows.investment
    inv[:] = 0.0
    avail = flows.output[:, Sector.HEAVY].copy()

    # 1. the plan
    plan = np.minimum(flows.accumulation_fund, avail)
    avail -= plan
    lam = lever["lam"]
    to_agri = (1 - lam) * pars.planned_agri_share
    coll_K = K[:, Sector.AGRI, Owner.COLLECTIVE]
    agri_owner_collective = coll_K > 0.5 * K[:, Sector.AGRI].sum(axis=1)
    inv[:, Sector.HEAVY, Owner.STATE] = lam * plan
    inv[:, Sector.LIGHT, Owner.STATE] = (1 - lam - to_agri) * plan
    inv[np.arange(R), Sector.AGRI,
        np.where(agri_owner_collective, Owner.COLLECTIVE, Owner.STATE)] += to_agri * plan

    # 2-3. owners' replacement and reinvestment
    s = saving_rates(pars, R, tech.saving_capitalist)
    depreciation = tech.delta[None, :, None] * K
    net = np.maximum(0.0, flows.surplus - depreciation)
    Ks = K.sum(axis=2)
    advanced = Ks + pars.wage_advance * flows.wages
    machines = np.divide(Ks, advanced, out=np.ones_like(Ks), where=advanced > 0)
    desired_net = s[:, None, :] * net * machines[:, :, None]
    # Where the market rules, owners add capacity only as far as consumer goods sell: with
    # LIGHT capacity idle for want of demand they hold back that share of their net
    # reinvestment (in every sector: machines are wanted to make what consumers buy). The
    # savings so held back are what a region "cannot invest at home" (seed ¶5).
    selling = utilisation(flows, pars)
    selling[econ.planned] = 1.0
    withheld = desired_net * (1.0 - np.clip(selling, 0.0, 1.0))[:, None, None]
    withheld[:, :, [Owner.SMALL, Owner.COLLECTIVE, Owner.STATE]] = 0.0
    desired_net = desired_net - withheld
    barred = plan_barred_reinvestment(econ, desired_net, pars)
    desired_net = desired_net - barred
    export_share = _export_share(econ, flows, lever, pars)
    exportable = export_share[:, None, None] * desired_net
    exportable[:, :, [Owner.SMALL, Owner.COLLECTIVE, Owner.STATE]] = 0.0
    desired_net = desired_net - exportable
    demand = np.minimum(flows.surplus, depreciation) + desired_net
    demand[:, :, Owner.STATE] = 0.0
    investment_demand = flows.accumulation_fund + demand.sum(axis=(1, 2))
    for tier in ([Sector.HEAVY], [Sector.LIGHT, Sector.AGRI]):
        want = demand[:, tier, :]
        total = want.sum(axis=(1, 2))
        fill = np.divide(np.minimum(avail, total), total, out=np.zeros(R), where=total > 0)
        inv[:, tier, :] += want * fill[:, None, None]
        avail -= total * fill
        demand[:, tier, :] = want * (1 - fill)[:, None, None]
    unfilled = _trade_capital_goods(econ, flows, demand, avail)
    absorb_idle_heavy(econ, flows, lever, pars, avail)
    flows.idle_heavy[:] = avail

    # export of capital to the regions a region governs: the exportable share of savings
    # plus what could not be invested at home
    held = unfilled + withheld.sum(axis=(1, 2)) + barred.sum(axis=(1, 2))
    # history issue: savings a market region cannot invest at home also seek a return in the
    # regions open to them, not only where it governs (a share `open_export`; the plan's
    # refused private savings stay idle: a planned region has no capital market)
    seeking = np.where((export_share > 0) | econ.planned, 0.0,
                       pars.get("open_export", 0.0) * held)
    to_export = (exportable.sum(axis=(1, 2)) + np.where(export_share > 0, held, 0.0)
                 + seeking)
    flows.idle_savings[:] = np.where(export_share > 0, 0.0, held - seeking)
    placed = _place_exports(econ, flows, to_export, pars, selling)
    if pars.effective_demand > 0:
        new = _next_demand(econ, flows, investment_demand, pars)
        if econ.demand is None:
            econ.demand = new
        else:
            # orders and production plans follow demand over `demand_adjustment` months: with
            # production answering last month's demand at once, the lag alone makes market
            # output swing month by month
            step = min(1.0, 1.0 / pars.demand_adjustment)
            econ.demand = econ.demand + step * (new - econ.demand)
    return placed


def utilisation(flows: Flows, pars: Pars) -> np.ndarray:
    """Share of capacity that sells, by region (R,): of LIGHT alone (consumer goods), or with
    `utilisation_heavy` on, of industry (HEAVY + LIGHT) as a whole."""
    sectors = [Sector.HEAVY, Sector.LIGHT] if pars.get("utilisation_heavy", 0.0) > 0 \
        else [Sector.LIGHT]
    cap = flows.capacity[:, sectors].sum(axis=1)
    out = flows.output[:, sectors].sum(axis=1)
    return np.divide(out, cap, out=np.ones_like(cap), where=cap > 0)


def absorb_idle_heavy(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
                      pars: dict[str, float], avail: np.ndarray) -> None:
    """Where the plan rules, it invests the capital goods nobody else took (changes `avail`
    and `flows.investment` in place).

    Kornai (1980, Economics of Shortage, ch. 9-10; 1992, The Socialist System, ch. 9): under
    the plan, investment hunger and the soft budget constraint leave no means of production
    unused; every capital good made is put to work, split between the departments as the plan
    splits its fund (lambda). A share `plan_absorbs_heavy` of the unsold HEAVY output is so
    invested (0: it stays idle, MODEL.md §4.3 as first written). The investment share of a
    planned region then rises with the HEAVY department's share of output, and its growth meets
    the labour bound once the rural reserve is drawn in (the limit of extensive growth)."""
    share = pars.get("plan_absorbs_heavy", 0.0)
    if share <= 0:
        return
    extra = np.where(econ.planned, share * avail, 0.0)
    if not extra.any():
        return
    lam = lever["lam"]
    to_agri = (1 - lam) * pars["planned_agri_share"]
    R = econ.n_regions
    coll_K = econ.K[:, Sector.AGRI, Owner.COLLECTIVE]
    agri_owner = np.where(coll_K > 0.5 * econ.K[:, Sector.AGRI].sum(axis=1),
                          Owner.COLLECTIVE, Owner.STATE)
    flows.investment[:, Sector.HEAVY, Owner.STATE] += lam * extra
    flows.investment[:, Sector.LIGHT, Owner.STATE] += (1 - lam - to_agri) * extra
    flows.investment[np.arange(R), Sector.AGRI, agri_owner] += to_agri * extra
    avail -= extra


PLAN_BARRED = [Owner.PRIVATE, Owner.FOREIGN, Owner.LANDLORD]


def plan_barred_reinvestment(econ: Economy, desired_net: np.ndarray,
                             pars: dict[str, float]) -> np.ndarray:
    """The part of owners' desired net reinvestment a plan refuses, (R, S, O).

    Where the plan rules, means of production are allocated by the plan, not sold (Kornai 1992,
    The Socialist System, ch. 5-7: the state monopoly of investment goods; seed ¶11: the caste
    defends the collective property its privileges come from): private, foreign and landlord
    owners may replace what wears out but get no capital goods to expand, a share
    `plan_capital_goods` of their net reinvestment refused. Their savings stay money (idle
    savings). With 0 the plan sells capital goods to anyone (MODEL.md §4.3 as first written)."""
    barred = np.zeros_like(desired_net)
    share = pars.get("plan_capital_goods", 0.0)
    if share > 0:
        rows = np.flatnonzero(econ.planned)
        for o in PLAN_BARRED:
            barred[rows, :, o] = share * desired_net[rows, :, o]
    return barred


def _next_demand(econ: Economy, flows: Flows, investment_demand: np.ndarray,
                 pars: Pars) -> np.ndarray:
    """Demand for each sector's output, for the next step: investment demand (home plan and
    owners, plus exported capital goods) for HEAVY; for LIGHT, its share of consumption out of
    every income plus public consumption; AGRI's harvest is always consumed."""
    heavy = investment_demand + flows.exported
    salaries = flows.class_income[:, [Klass.BUREAUCRAT, Klass.ENFORCER]].sum(axis=1)
    public = np.maximum(0.0, flows.administration - salaries)
    consumption = flows.class_income.sum(axis=1) + public
    demand = np.empty_like(flows.output)
    demand[:, Sector.HEAVY] = heavy
    # the harvest is eaten whoever grows it (peasants eat their own); consumer spending is
    # shared between food and manufactures in proportion to what can be supplied
    cap = flows.capacity[:, [Sector.LIGHT, Sector.AGRI]]
    light_share = np.divide(cap[:, 0], cap.sum(axis=1), out=np.zeros(len(cap)),
                            where=cap.sum(axis=1) > 0)
    demand[:, Sector.AGRI] = flows.capacity[:, Sector.AGRI]
    demand[:, Sector.LIGHT] = consumption * light_share
    return demand * pars.effective_demand + flows.capacity * (1 - pars.effective_demand)


def _trade_capital_goods(econ: Economy, flows: Flows, demand: np.ndarray,
                         avail: np.ndarray) -> np.ndarray:
    """Unsold HEAVY output of one region buys for the unmet demand of another, within each of
    the two markets (planned regions among themselves, market regions among themselves).
    Changes `avail` and `flows.investment` in place; returns the demand still unmet."""
    want = demand.sum(axis=(1, 2))
    flows.sold_heavy[:] = 0.0
    flows.bought_heavy[:] = 0.0
    for market in (econ.planned, ~econ.planned):
        pool, need = float(avail[market].sum()), float(want[market].sum())
        if pool <= 0 or need <= 0:
            continue
        traded = min(pool, need)
        bought = np.where(market, want * traded / need, 0.0)
        sold = np.where(market, avail * traded / pool, 0.0)
        share = np.divide(bought, want, out=np.zeros_like(want), where=want > 0)
        flows.investment += demand * share[:, None, None]
        avail -= sold
        want = want - bought
        flows.sold_heavy[:] += sold
        flows.bought_heavy[:] += bought
    return want


def _export_share(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
                  pars: Pars) -> np.ndarray:
    """Share of reinvested savings a region sends abroad: the policy's share plus a response to
    the gap between the profit rate in its dependencies and at home."""
    R = econ.n_regions
    share = np.zeros(R)
    for r in range(R):
        hosts = (econ.controller == r) & (np.arange(R) != r)
        if not hosts.any():
            continue
        if lever["export_share"][r] <= 0:
            continue  # a government that does not export capital (the plan has no savings)
        gap = max(0.0, float(flows.profit_rate[hosts].mean()) - float(flows.profit_rate[r]))
        share[r] = min(1.0, float(lever["export_share"][r]) + pars.export_gap_response * gap)
    return share


def _place_exports(econ: Economy, flows: Flows, to_export: np.ndarray,
                   pars: Pars, selling: np.ndarray | None = None) -> np.ndarray:
    """Place each region's exported capital in its hosts, (exporter, host, S). Where
    `selling` (each region's share of LIGHT capacity that sells) is given and
    `export_realisation` is on, a host takes only that share of what is offered it:
    capital abroad meets the same realisation problem as at home (history issue, E6); the rest
    stays the exporter's idle savings."""
    R = econ.n_regions
    mix = np.array([1.0 - pars.export_to_agri - pars.export_to_light,
                    pars.export_to_light, pars.export_to_agri])
    mix = np.clip(mix, 0.0, None) / max(np.clip(mix, 0.0, None).sum(), 1e-12)
    placed = np.zeros((R, R, len(Sector)))
    host_output = flows.output.sum(axis=1)
    open_market = pars.get("open_export", 0.0) > 0
    for r in range(R):
        if open_market:
            hosts, weights = _open_hosts(econ, flows, r, pars)
        else:
            hosts = np.flatnonzero((econ.controller == r) & (np.arange(R) != r))
            weights = host_output[hosts] / max(host_output[hosts].sum(), 1e-12)
        if hosts.size == 0 or to_export[r] <= 0:
            flows.idle_savings[r] += to_export[r] if hosts.size == 0 else 0.0
            continue
        offered = to_export[r] * weights
        if selling is not None and pars.get("export_realisation", 0.0) > 0:
            taken = offered * np.clip(selling[hosts], 0.0, 1.0)
            flows.idle_savings[r] += float((offered - taken).sum())
            offered = taken
        placed[r, hosts, :] = offered[:, None] * mix[None, :]
    flows.capital_export[:] = placed.sum(axis=2)
    flows.exported[:] = placed.sum(axis=(1, 2))
    flows.imported[:] = placed.sum(axis=(0, 2))
    return placed


def _open_hosts(econ: Economy, flows: Flows, r: int,
                pars: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Where region r's exported capital goes when capital seeks the best expected return
    among the regions open to it (seed ¶5; Lenin's "export of capital" read as Hobson's and
    Nurkse's search for a return, discounted by the risk of expropriation).

    Open: every other region where the market rules (a plan admits no foreign owner). The
    expected return of host h is its profit rate times (1 - its collective share of capital:
    nationalisation already under way) times (1 - `expropriation_risk`) unless r governs h
    (a power protects its investors where it rules). Capital is shared in proportion to the
    expected returns; (hosts, weights) with weights summing to 1, or no hosts."""
    R = econ.n_regions
    others = np.arange(R) != r
    hosts = np.flatnonzero(others & ~econ.planned)
    if hosts.size == 0:
        return hosts, np.zeros(0)
    by_owner = econ.K[hosts].sum(axis=1)
    total = by_owner.sum(axis=1)
    collective = np.divide(by_owner[:, Owner.STATE] + by_owner[:, Owner.COLLECTIVE], total,
                           out=np.ones_like(total), where=total > 0)
    governed = econ.controller[hosts] == r
    risk = np.where(governed, 0.0, pars.get("expropriation_risk", 0.0))
    expected = np.maximum(flows.profit_rate[hosts], 0.0) * (1 - collective) * (1 - risk)
    if expected.sum() <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return hosts, expected / expected.sum()


def apply_investment(econ: Economy, flows: Flows, placed: np.ndarray, dt: float) -> None:
    """Add a step's investment and imported capital to the stocks; wear capital out."""
    tech = econ.tech
    wear = 1.0 - tech.delta * dt
    # FOREIGN capital reinvested at home by foreign owners keeps the owners' weights
    F_tot = econ.F.sum(axis=1)
    owner_w = np.divide(econ.F, F_tot[:, None, :], out=np.zeros_like(econ.F),
                        where=F_tot[:, None, :] > 0)
    foreign_inv = flows.investment[:, :, Owner.FOREIGN]
    econ.K *= wear[None, :, None]
    econ.F *= wear[None, None, :]
    econ.K += flows.investment * dt
    econ.F += owner_w * foreign_inv[:, None, :] * dt
    arriving = placed.transpose(1, 0, 2)  # (host, owner, S)
    econ.F += arriving * dt
    econ.K[:, :, Owner.FOREIGN] += arriving.sum(axis=1) * dt


def grow_productivity(econ: Economy, flows: Flows, dt: float,
                      catch_up: np.ndarray | None = None,
                      learning: np.ndarray | None = None) -> None:
    """Productivity grows at g0 plus learning, plus industry's catch-up to the frontier where
    given (`productivity.catch_up_growth`); landlords hold AGRI back. Learning is the given
    (R,) rate (Verdoorn's law, `productivity.verdoorn_learning`) or, without one, learning
    from heavy investment, eta * I_heavy / K_heavy."""
    tech = econ.tech
    if learning is None:
        K_heavy = econ.K[:, Sector.HEAVY].sum(axis=1)
        I_heavy = flows.investment[:, Sector.HEAVY].sum(axis=1)
        learning = tech.eta * np.divide(I_heavy, K_heavy, out=np.zeros_like(K_heavy),
                                        where=K_heavy > 0)
    g0 = np.broadcast_to(tech.g0, econ.a.shape)   # shared (S,) or per region (R, S)
    g = g0 + learning[:, None]
    if catch_up is not None:
        g[:, [Sector.HEAVY, Sector.LIGHT]] += catch_up[:, None]
    K_agri = econ.K[:, Sector.AGRI].sum(axis=1)
    landlord = np.divide(econ.K[:, Sector.AGRI, Owner.LANDLORD], K_agri,
                         out=np.zeros_like(K_agri), where=K_agri > 0)
    g[:, Sector.AGRI] = g0[:, Sector.AGRI] * (1 - tech.landlord_drag * landlord) + learning
    econ.a *= np.exp(g * dt)
    econ.productivity_growth = g[:, [Sector.HEAVY, Sector.LIGHT]].mean(axis=1)


def phillips(v: np.ndarray, pars: Pars) -> np.ndarray:
    """Growth rate of the wage (1/year) at employment rate v: Goodwin's linear Phillips curve
    -gamma + rho v, or, with `phillips_nonlinear` = 1, the curve of Grasselli and Costa Lima
    (2012), phi1 / (1 - v)^2 - phi0, under which wages never fall faster than phi0 a year
    however large the reserve army, and rise steeply as employment nears 1. Without the
    parameter the classic linear curve is used (the docking cases)."""
    if pars.phillips_nonlinear > 0:
        gap = np.maximum(1.0 - np.minimum(v, 0.999), 1e-3)
        return pars.phillips_phi1 / gap**2 - pars.phillips_phi0
    return -pars.phillips_gamma + pars.phillips_rho * v


def phillips_neutral(pars: Pars) -> float:
    """Employment rate at which the Phillips curve leaves the wage unchanged."""
    if pars.phillips_nonlinear > 0:
        return 1.0 - float(np.sqrt(pars.phillips_phi1 / max(pars.phillips_phi0, 1e-12)))
    return pars.phillips_gamma / max(pars.phillips_rho, 1e-12)


class BargainedEmployment:
    """The employment rate wage bargaining reads, with hysteresis.

    Blanchard and Summers (1986, NBER Macroeconomics Annual 1:15, "Hysteresis and the European
    unemployment problem"): wages are bargained by the employed (insiders); the long-term
    unemployed lose touch with the labour market and stop pressing on wages, so the employment
    rate that holds wages steady follows the actual rate with a lag. Wages then answer changes
    of employment, not its level: w'/w = indexation * g_a + phillips(v* + v - v_trend), with v*
    the curve's neutral rate and v_trend an exponential moving average of v over
    `wage_hysteresis` months. With steady employment the wage share stays where it is
    (Kaldor's facts, E6); a boom raises it, a slump lowers it, as in Goodwin's cycle.
    With `wage_hysteresis` 0 the curve reads v itself (Goodwin; the docking cases)."""

    def __init__(self) -> None:
        self.trend: np.ndarray | None = None

    def read(self, v: np.ndarray, pars: Pars) -> np.ndarray:
        """The employment rate the Phillips curve is given this step, (R,)."""
        memory = pars.get("wage_hysteresis", 0.0)
        if memory <= 0:
            return v
        if self.trend is None:
            self.trend = v.copy()
        keep = 1.0 - 1.0 / max(memory, 1.0)
        self.trend = keep * self.trend + (1.0 - keep) * v
        return np.clip(phillips_neutral(pars) + v - self.trend, 0.0, 0.999)


def update_wages(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
                 pars: Pars, dt: float, bargained: np.ndarray | None = None) -> None:
    """Wages: a Phillips curve (`phillips`) where the market sets them; the planned wage share
    where a plan does.

    Wage bargaining (Kaldor 1961; Lavoie 2014, Post-Keynesian Economics ch. 5): organised labour
    indexes money wages to the growth of productivity, a share `wage_indexation` of it, and the
    Phillips curve moves wages around that: w'/w = indexation * g_a + phillips(v). With
    indexation 1 the wage SHARE follows the Phillips curve alone, which is Goodwin's model with
    the curve shifted by productivity growth, so the share stays roughly constant where labour is
    scarce; with 0 (the docking case, `sovsim validate`) it is Goodwin's curve on the real wage.
    `bargained`, where given, is the employment rate bargaining reads (`BargainedEmployment`).
    Called after production, on this step's employment,
    and before distribution: wages then move on this step's v and capital on this step's new
    wage share, which makes the pair a symplectic Euler step of Goodwin's system (its first
    integral oscillates by O(dt) and does not drift; explicit Euler spirals outward)."""
    market = ~econ.planned
    v = econ.employment if bargained is None else bargained
    growth = phillips(v, pars)
    if econ.productivity_growth is not None:
        growth = growth + pars.get("wage_indexation", 0.0) * econ.productivity_growth
    econ.wage[market] *= np.exp(growth[market] * dt)
    # The value of labour power: a wage cannot stay below what keeps a worker's household
    # alive, however large the reserve army (without it, Goodwin's curve drives wages to 0).
    floor = pars.subsistence / pars.participation
    np.maximum(econ.wage, floor, out=econ.wage, where=market)
    ind = [Sector.HEAVY, Sector.LIGHT]
    Y_ind = flows.output[:, ind].sum(axis=1)
    L_ind = flows.labour[:, ind].sum(axis=1)
    a_ind = np.divide(Y_ind, L_ind, out=econ.a[:, ind].mean(axis=1), where=L_ind > 0)
    econ.wage[econ.planned] = (lever["planned_wage_share"] * a_ind)[econ.planned]


# --- the accumulation module of the step plan -----------------------------------------------

class Accumulation(Module):
    """Wages on the Phillips curve or by the plan; real investment, trade in capital goods,
    export of capital, depreciation and productivity; a federation's shared investment fund."""

    region_results: ClassVar[dict[str, Variable]] = {
        "investment": Variable("1990 GK$/year", "gross real investment at home (all owners)"),
        "exported_capital": Variable("1990 GK$/year",
                                     "capital exported to controlled regions"),
        "imported_capital": Variable("1990 GK$/year",
                                     "capital received from other regions' exports"),
        "idle_heavy": Variable("1990 GK$/year",
                               "HEAVY output for which no investment demand was found"),
        "capital_goods_sold": Variable("1990 GK$/year",
                                       "HEAVY output sold to other regions' investors"),
        "capital_goods_bought": Variable("1990 GK$/year",
                                         "capital goods bought from other regions"),
        "idle_savings": Variable("1990 GK$/year",
                                 "savings that found no capital goods and no export"),
    }
    link_results: ClassVar[dict[str, Variable]] = {
        "capital_export": Variable("1990 GK$/year",
                                   "capital exported by `source` into `target`"),
    }

    def init(self, world: World) -> None:
        # the trend of industrial output that Verdoorn's law reads (history issue, E5/E6)
        self.demand_trend = DemandTrend()
        # the employment rate wage bargaining reads, with hysteresis (history issue, E6)
        self.bargained = BargainedEmployment()

    def update_wages(self, world: World) -> None:
        """Wages move on Goodwin's Phillips curve, or are set by the plan."""
        v = self.bargained.read(world.econ.employment, world.pars)
        update_wages(world.econ, world.flows, world.lever, world.pars, world.dt, v)

    def accumulate(self, world: World) -> None:
        """Real investment from HEAVY output; export of capital; depreciation; productivity."""
        pool_federation_funds(world)
        placed = accumulate(world.econ, world.flows, world.lever, world.pars)
        apply_investment(world.econ, world.flows, placed, world.dt)
        # industry also closes part of its gap to the frontier (catch-up, history issue E3)
        catch_up = catch_up_growth(world.econ, world.flows, world.pars)
        # learning follows industrial output (Verdoorn's law) where `verdoorn` > 0
        trend = self.demand_trend.update(industrial_output(world.flows), world.dt)
        learning = verdoorn_learning(trend, world.pars)
        grow_productivity(world.econ, world.flows, world.dt, catch_up, learning)

    def record(self, world: World) -> None:
        t, f, reg = world.t, world.flows, world.results.regions
        reg["investment"][t] = f.investment.sum(axis=(1, 2))
        reg["exported_capital"][t] = f.exported
        reg["imported_capital"][t] = f.imported
        reg["idle_heavy"][t] = f.idle_heavy
        reg["idle_savings"][t] = f.idle_savings
        reg["capital_goods_sold"][t] = f.sold_heavy
        reg["capital_goods_bought"][t] = f.bought_heavy
        world.results.links["capital_export"][t] = f.capital_export


def pool_federation_funds(world: World) -> None:
    """A federation of Soviet republics shares one investment fund, by population (¶14)."""
    fed = world.regions["federation"]
    if (fed < 0).all():
        return
    persons = world.living()
    fund = world.flows.accumulation_fund
    for head in np.unique(fed[fed >= 0]):
        members = fed == head
        pool = fund[members].sum()
        fund[members] = pool * persons[members] / max(persons[members].sum(), 1e-12)
