"""The mechanisms of the history issue, each on the tiny world (Plan, Power, Colony): closed
forms, the zero that switches each off, and the provenance of the fitted elasticities."""

from __future__ import annotations

import numpy as np
import pytest

from sovsim.economy import accumulation, demography, production, productivity, property_forms
from sovsim.validate import history_data
from sovsim.world.build import build_world
from sovsim.world.economy import Flows
from sovsim.world.loading import load
from sovsim.world.names import Owner, Sector
from sovsim.world.pars import PARS


@pytest.fixture
def world(tiny_path):
    start = build_world(load(tiny_path))
    geo, econ, lever, pars = start.geo, start.econ, start.lever, start.pars
    flows = Flows(econ.n_regions)
    persons = geo.population * pars["participation"]
    production.produce(econ, 0.5 * persons, 0.5 * persons, flows)
    return geo, econ, lever, pars, flows


def test_elasticities_in_the_scenario_are_the_fit_on_1950_1970() -> None:
    fitted = history_data.transition_elasticities()
    base = load("world1946").resolved["pars"]
    assert base["birth_income_elasticity"]["value"] == pytest.approx(fitted["birth"][0],
                                                                     abs=5e-4)
    assert base["death_income_elasticity"]["value"] == pytest.approx(fitted["death"][0],
                                                                     abs=5e-4)
    assert fitted["birth"][0] < -2 * fitted["birth"][1]  # falls with income, beyond noise


def test_transition_closed_form() -> None:
    t = demography.Transition(np.array([0.03, 0.02]), np.array([0.01, 0.01]))
    pars = {"birth_income_elasticity": -0.5, "death_income_elasticity": -0.25}
    b, d = t.rates(np.array([1000.0, 2000.0]), pars, 1 / 12)
    assert b == pytest.approx([0.03, 0.02]) and d == pytest.approx([0.01, 0.01])
    for _ in range(600):  # fifty years at twice the income: the memory has converged
        b, d = t.rates(np.array([2000.0, 2000.0]), pars, 1 / 12)
    assert b == pytest.approx([0.03 * 2 ** -0.5, 0.02], rel=1e-6)
    assert d == pytest.approx([0.01 * 2 ** -0.25, 0.01], rel=1e-6)
    off = demography.Transition(np.array([0.03]), np.array([0.01]))
    off.rates(np.array([1000.0]), {}, 1 / 12)
    assert off.rates(np.array([5000.0]), {}, 1 / 12) == (pytest.approx([0.03]),
                                                          pytest.approx([0.01]))


def test_catch_up_zero_at_frontier_and_when_off(world) -> None:
    _, econ, _, pars, flows = world
    flows.investment[:, Sector.HEAVY, Owner.PRIVATE] = 0.3 * flows.output.sum(axis=1)
    growth = productivity.catch_up_growth(econ, flows, {**pars, "catch_up_rate": 0.02})
    frontier = np.argmax(econ.a[:, [Sector.HEAVY, Sector.LIGHT]].mean(axis=1))
    assert growth[frontier] == 0.0
    assert (growth >= 0).all() and growth.sum() > 0
    off = productivity.catch_up_growth(econ, flows, {**pars, "catch_up_rate": 0.0})
    assert (off == 0).all()
    # more extractive property, less capability
    cap = productivity.absorptive_capacity(econ, flows, pars)
    econ.K[:, :, Owner.LANDLORD] += econ.K.sum(axis=2)
    assert (productivity.absorptive_capacity(econ, flows, pars) <= cap + 1e-12).all()


def test_plan_refuses_private_reinvestment(world) -> None:
    _, econ, _, _, _ = world
    desired = np.ones_like(econ.K)
    barred = accumulation.plan_barred_reinvestment(econ, desired, {"plan_capital_goods": 1.0})
    plan = np.flatnonzero(econ.planned)
    market = np.flatnonzero(~econ.planned)
    assert plan.size and market.size
    assert (barred[plan][:, :, accumulation.PLAN_BARRED] == 1.0).all()
    assert (barred[plan][:, :, Owner.STATE] == 0.0).all()
    assert (barred[market] == 0.0).all()
    none = accumulation.plan_barred_reinvestment(econ, desired, {})
    assert (none == 0.0).all()


def test_concessions_stop_at_the_defended_share(world) -> None:
    _, econ, _, _, _ = world
    c = property_forms.collective_share(econ.K)
    assert (property_forms.defended_concession(econ.K, {}) == 1.0).all()
    scaled = property_forms.defended_concession(econ.K, {"property_defence_share": 0.5})
    assert scaled == pytest.approx(np.clip((c - 0.5) / 0.5, 0, 1))
    above = property_forms.defended_concession(econ.K, {"property_defence_share": 0.99})
    assert (above[c <= 0.99] == 0.0).all()


def test_capital_seeks_open_regions_by_expected_return(world) -> None:
    geo, econ, _, pars, flows = world
    flows.profit_rate[:] = 0.1
    power = geo.names.index("Power")
    hosts, weights = accumulation._open_hosts(econ, flows, power,
                                              {**pars, "expropriation_risk": 0.5})
    assert power not in hosts
    assert not econ.planned[hosts].any()
    assert weights.sum() == pytest.approx(1.0)
    colony = geo.names.index("Colony")
    assert colony in hosts  # governed by Power: no expropriation discount


def test_ces_equals_leontief_at_balance_and_bends_with_capital(world) -> None:
    _, econ, _, _, flows = world
    plan = int(np.flatnonzero(econ.planned)[0])
    sigma = np.broadcast_to(econ.tech.sigma, econ.a.shape)[plan]
    ind = [Sector.HEAVY, Sector.LIGHT]
    econ.a[plan, ind] = econ.a[plan, ind].mean()
    x_k = (econ.K[plan].sum(axis=1)[ind] / sigma[ind]).sum()
    labour = np.zeros(econ.n_regions)
    labour[plan] = x_k / econ.a[plan, Sector.HEAVY]
    production.planned_substitution(econ, labour, flows, 0.4, 0.4)
    assert flows.capacity[plan, ind].sum() == pytest.approx(x_k, rel=1e-9)
    econ.K[plan, ind] *= 2.0  # twice the capital, the same labour: far less than twice
    production.planned_substitution(econ, labour, flows, 0.4, 0.4)
    assert x_k < flows.capacity[plan, ind].sum() < 1.5 * x_k


def test_wages_follow_productivity_with_indexation(world) -> None:
    _, econ, lever, pars, flows = world
    market = ~econ.planned
    econ.employment[:] = 0.9
    econ.productivity_growth = np.full(econ.n_regions, 0.03)
    base = pars.replace(phillips_nonlinear=0.0, phillips_gamma=0.6, phillips_rho=0.0,
                        subsistence=PARS["subsistence"].low)
    w0 = econ.wage.copy()
    accumulation.update_wages(econ, flows, lever, base.replace(wage_indexation=0.0), 1.0)
    plain = econ.wage[market] / w0[market]
    econ.wage[:] = w0
    accumulation.update_wages(econ, flows, lever, base.replace(wage_indexation=1.0), 1.0)
    indexed = econ.wage[market] / w0[market]
    assert indexed == pytest.approx(plain * np.exp(0.03), rel=1e-9)


def test_verdoorn_learning_follows_the_output_trend() -> None:
    trend = productivity.DemandTrend(memory=12.0)
    dt = 1 / 12
    assert trend.update(np.array([100.0, 100.0]), dt) == pytest.approx([0.0, 0.0])
    g = np.array([0.06, -0.02])
    for m in range(1, 600):  # fifty years of steady exponential growth and decline
        growth = trend.update(100.0 * np.exp(g * m * dt), dt)
    assert growth == pytest.approx(g, rel=1e-6)  # the moving average grows as the series
    learning = productivity.verdoorn_learning(growth, {"verdoorn": 0.5})
    assert learning == pytest.approx([0.03, 0.0])  # half the output growth; no forgetting
    assert productivity.verdoorn_learning(growth, {"verdoorn": 0.0}) is None


def test_verdoorn_replaces_learning_from_investment(world) -> None:
    _, econ, _, _, flows = world
    flows.investment[:, Sector.HEAVY, Owner.STATE] = 0.2 * econ.K[:, Sector.HEAVY].sum(axis=1)
    a0 = econ.a.copy()
    accumulation.grow_productivity(econ, flows, 1.0)  # eta * I/K
    from_investment = np.log(econ.a / a0)
    econ.a[:] = a0
    learning = np.full(econ.n_regions, 0.01)
    accumulation.grow_productivity(econ, flows, 1.0, learning=learning)
    g0 = np.broadcast_to(econ.tech.g0, econ.a.shape)
    ind = [Sector.HEAVY, Sector.LIGHT]
    assert np.log(econ.a / a0)[:, ind] == pytest.approx(g0[:, ind] + 0.01, rel=1e-9)
    assert not np.allclose(from_investment, np.log(econ.a / a0))


def test_bargaining_with_hysteresis_holds_wages_at_steady_employment(world) -> None:
    _, econ, _, pars, _ = world
    v = np.full(econ.n_regions, 0.6)
    neutral = accumulation.phillips_neutral(pars)
    assert accumulation.phillips(np.array([neutral]), pars) == pytest.approx([0.0], abs=1e-12)
    off = accumulation.BargainedEmployment()
    assert off.read(v, pars.replace(wage_hysteresis=0.0)) is v  # Goodwin: v itself
    on = accumulation.BargainedEmployment()
    hyst = pars.replace(wage_hysteresis=12.0)
    for _ in range(240):  # twenty years at 0.6: the insiders' norm has settled there
        read = on.read(v, hyst)
    assert read == pytest.approx(neutral, abs=1e-9)
    assert accumulation.phillips(read, hyst) == pytest.approx(0.0, abs=1e-9)
    up = on.read(v + 0.01, hyst)  # a boom raises the bargained rate above the neutral one
    assert (up > neutral).all() and (accumulation.phillips(up, hyst) > 0).all()


def test_exported_capital_meets_the_hosts_realisation_problem(world) -> None:
    geo, econ, _, pars, flows = world
    flows.profit_rate[:] = 0.1
    power = geo.names.index("Power")
    to_export = np.zeros(econ.n_regions)
    to_export[power] = 100.0
    selling = np.full(econ.n_regions, 0.5)
    full = accumulation._place_exports(econ, flows, to_export,
                                       pars.replace(export_realisation=0.0), selling)
    assert full.sum() == pytest.approx(100.0)
    flows.idle_savings[:] = 0.0
    half = accumulation._place_exports(econ, flows, to_export,
                                       pars.replace(export_realisation=1.0), selling)
    assert half.sum() == pytest.approx(50.0)
    assert flows.idle_savings[power] == pytest.approx(50.0)  # nothing lost: kept as savings


def test_utilisation_reads_industry_or_consumer_goods(world) -> None:
    _, econ, _, pars, flows = world
    flows.capacity[:] = 100.0
    flows.output[:, Sector.LIGHT] = 80.0
    flows.output[:, Sector.HEAVY] = 40.0
    light = accumulation.utilisation(flows, pars.replace(utilisation_heavy=0.0))
    both = accumulation.utilisation(flows, pars.replace(utilisation_heavy=1.0))
    assert light == pytest.approx(np.full(econ.n_regions, 0.8))
    assert both == pytest.approx(np.full(econ.n_regions, 0.6))
