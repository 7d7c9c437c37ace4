"""Scenario events: war and restoration, withdrawal and succession, federation, and their errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sovsim.engine.sim import Sim
from sovsim.world.loading import LoadedScenario, ScenarioError, load, validate
from sovsim.world.names import AUTHORITIES, Owner


def with_events(path, events, pars=None, regions=None) -> LoadedScenario:
    base = load(path)
    data = copy.deepcopy(base.resolved)
    data["events"] = [{"assumed": True, "reason": "test", **e} for e in events]
    for name, value in (pars or {}).items():
        data["pars"][name] = {"value": value, "assumed": True, "reason": "test"}
    for name, fields in (regions or {}).items():
        data["regions"][name].update(fields)
    return LoadedScenario(validate(data, "test.toml"), "test.toml", data)


def test_a_defeated_workers_state_becomes_a_colony_of_the_victor(tiny_path):
    # Power attacks Plan; with war_noise tiny the side with more HEAVY output wins surely
    sc = with_events(tiny_path, [{"kind": "attack", "date": "1946-03", "attacker": "Power",
                                  "target": "Plan"}], pars={"war_months": 12, "war_noise": 0.01})
    sim = Sim(sc, agents=4000, seed=1)
    plan, power = sim.geo.index("Plan"), sim.geo.index("Power")
    state_before = sim.econ.K[plan, :, Owner.STATE].sum()
    sim.run()
    assert AUTHORITIES[sim.world.regions["authority"][plan]] == "colonial"
    assert sim.econ.controller[plan] == power
    assert sim.econ.K[plan, :, Owner.STATE].sum() < 0.05 * state_before
    assert sim.econ.F[plan, power].sum() > 0.5 * state_before * 0.5
    assert sim.results.regions["deaths_war"][:, plan].sum() > 0
    assert sim.results.regions["years_thrown_back"][:, plan].max() > 0
    kinds = [e[2] for e in sim.events]
    assert kinds[:1] == ["attack"] and "restoration" in kinds and "war_end" in kinds


def test_withdrawal_hands_over_to_a_provisional_authority_then_a_successor(tiny_path):
    regions = {"Colony": {"authority": "occupation", "controller": "Plan"}}
    sc = with_events(tiny_path, [{"kind": "withdraw", "date": "1946-06", "region": "Colony"}],
                     regions=regions, pars={"provisional_months": 6})
    sim = Sim(sc, agents=4000, seed=2)
    colony = sim.geo.index("Colony")
    sim.run()
    assert sim.econ.controller[colony] == colony
    kinds = [(e[2], e[4]) for e in sim.events if e[3] == "Colony"]
    assert kinds[0][0] == "authority" and kinds[0][1].startswith("provisional")
    assert kinds[1][1].split(":")[0] in ("councils", "finance_capital")


def test_a_federation_pools_its_investment_fund(tiny_path):
    sc = with_events(tiny_path, [{"kind": "federate", "date": "1946-01",
                                  "regions": ["Plan", "Colony"]}])
    sim = Sim(sc, agents=3000, seed=3)
    for _ in range(3):
        sim.step()
    fund = sim.flows.accumulation_fund
    persons = (sim.owners + sim.dispossessed).sum(axis=1)
    a, b = sim.geo.index("Plan"), sim.geo.index("Colony")
    assert fund[a] / persons[a] == pytest.approx(fund[b] / persons[b], rel=0.05)


def test_a_harvest_shock_cuts_agricultural_output_for_a_year(tiny_path):
    shock = {"kind": "shock", "date": "1947-01", "region": "Plan", "shock": "harvest",
             "size": {"value": 0.4, "assumed": True, "reason": "test"}}
    base = Sim(load(tiny_path), agents=3000, seed=4)
    hit = Sim(with_events(tiny_path, [shock]), agents=3000, seed=4)
    base.run()
    hit.run()
    plan = base.geo.index("Plan")
    jan47 = 12
    ratio = (hit.results.regions["output_agri"][jan47, plan]
             / base.results.regions["output_agri"][jan47, plan])
    assert ratio == pytest.approx(0.6, abs=0.05)
    # and it weighs on those who live off the land beyond their lost income
    peasant = 1
    assert (hit.results.classes["hardship"][jan47, plan, peasant]
            > base.results.classes["hardship"][jan47, plan, peasant] + 0.2)
    assert np.isclose(hit.world.regions["harvest"][plan], 1.0)  # over by the end


@pytest.mark.parametrize(("event", "needle"), [
    ({"kind": "attack", "date": "1947-01", "attacker": "Plan", "target": "Plan"},
     "cannot attack itself"),
    ({"kind": "withdraw", "date": "1947-01", "region": "Power"}, "not under occupation"),
    ({"kind": "invade", "date": "1947-01", "region": "Power"}, "unknown event kind"),
    ({"kind": "mobilise", "date": "1947-01", "region": "Atlantis", "months": 2},
     "unknown region `Atlantis`"),
    ({"kind": "attack", "date": "1990-01", "attacker": "Power", "target": "Plan"},
     "outside the horizon"),
])
def test_bad_events_get_one_clear_error(tiny_path, event, needle):
    with pytest.raises(ScenarioError, match=needle):
        with_events(tiny_path, [event])
