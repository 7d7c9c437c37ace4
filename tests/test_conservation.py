"""Conservation laws of the engine: people, value, capital."""

from __future__ import annotations

import numpy as np
import pytest

from sovsim.economy import population
from sovsim.engine.sim import DT, Sim
from sovsim.world.names import Owner, Status


@pytest.fixture()
def sim(tiny_path):
    return Sim(tiny_path, agents=5_000, seed=3)


def living(sim: Sim) -> np.ndarray:
    alive = sim.people.status[: sim.people.n] != Status.DEAD
    return np.bincount(sim.people.region[: sim.people.n][alive], minlength=sim.n_regions)


def test_people_change_only_by_births_deaths_and_emigration(sim):
    for _ in range(36):
        before = living(sim)
        sim.step()
        d = sim.demography
        expected = before + d["births"] - d["deaths_natural"] - d["deaths_famine"] - d["emigrants"]
        np.testing.assert_array_equal(living(sim), expected)
        # the census the population step keeps is the agents' own
        owners, dispossessed = population.census(sim.people, sim.n_regions)
        np.testing.assert_array_equal(sim.owners, owners)
        np.testing.assert_array_equal(sim.dispossessed, dispossessed)


def test_forced_collectivisation_kills_and_is_counted(tiny_path):
    # tiny.toml collectivises Plan at 0.3/year in 1946, above the forced threshold; with
    # collectivisation_deaths 0.02 about 1 in 2000 of its ~8,000 peasant agents die each month
    sim = Sim(tiny_path, agents=50_000, seed=3)
    for _ in range(12):
        sim.step()
    plan = sim.geo.index("Plan")
    assert sim.results.regions["deaths_famine"][:12, plan].sum() > 0
    assert sim.results.regions["deaths_famine"][:12, sim.geo.index("Power")].sum() == 0


def test_value_produced_equals_value_distributed(sim):
    for _ in range(24):
        sim.step()
        f = sim.flows
        produced = f.output.sum(axis=1)
        distributed = f.wages.sum(axis=1) + f.surplus.sum(axis=(1, 2))
        np.testing.assert_allclose(distributed, produced, rtol=1e-12)
        # the state budget is spent exactly: privileges, accumulation fund, administration
        np.testing.assert_allclose(f.privileges + f.accumulation_fund + f.administration,
                                   f.state_budget, rtol=1e-12)
        # repatriated profit leaves one region and arrives in another
        assert f.repatriated_out.sum() == pytest.approx(f.repatriated_in.sum(), rel=1e-12)


def test_capital_changes_only_by_investment_wear_destruction_and_pillage_losses(sim):
    loss = sim.pars["pillage_loss"]
    for _ in range(24):
        K0 = sim.econ.K.copy()
        sim.step()
        f = sim.flows
        worn = (sim.econ.tech.delta[None, :, None] * K0).sum() * DT
        added = (f.investment.sum() + f.imported.sum()) * DT
        removed = (f.destroyed.sum() + loss * f.pillage_out.sum()) * DT
        assert sim.econ.K.sum() == pytest.approx(K0.sum() - worn + added - removed, rel=1e-10)


def test_foreign_capital_matches_its_owners(sim):
    for _ in range(24):
        sim.step()
        gap = np.abs(sim.econ.K[:, :, Owner.FOREIGN] - sim.econ.F.sum(axis=1)).max()
        assert gap <= 1e-6 * max(1.0, sim.econ.K[:, :, Owner.FOREIGN].max())


def test_real_investment_never_exceeds_heavy_output_and_imports(sim):
    for _ in range(24):
        sim.step()
        f = sim.flows
        home = f.investment.sum(axis=(1, 2))
        bound = f.output[:, 0] + f.bought_heavy - f.sold_heavy
        assert np.all(home <= bound * (1 + 1e-12) + 1e-6)
