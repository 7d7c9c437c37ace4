"""Docking of the engine's economy with Feldman-Mahalanobis, Goodwin (1967) and Marx (1885)."""

from __future__ import annotations

import numpy as np
import pytest

from sovsim.validate import economy_cases as ec
from sovsim.validate.checks import Check


@pytest.fixture(scope="module")
def rows() -> list[Check]:
    return ec.cases()


def failures(rows: list[Check], case: str) -> list[str]:
    return [f"{r.quantity}: expected {r.expected:.12g}, got {r.got:.12g} (tol {r.tolerance:.3g})"
            for r in rows if r.case == case and not r.passed]


def test_every_case_has_rows(rows):
    assert {r.case for r in rows} == {ec.FM, ec.GOODWIN, ec.MARX}
    assert all(r.note for r in rows)


def test_feldman_mahalanobis_rows_pass(rows):
    assert failures(rows, ec.FM) == []


def test_marx_rows_pass(rows):
    assert failures(rows, ec.MARX) == []


def test_goodwin_rows_pass(rows):
    # the Sim's own order (checked against its step plan below) docks with Goodwin
    assert failures(rows, ec.GOODWIN) == []


def test_goodwin_with_wages_before_production_does_not_dock():
    """Wages set on the previous step's employment, before production, is explicit Euler in
    logs: Goodwin's closed cycle spirals outward and the first integral drifts. The check must
    see it (otherwise it could not tell the Sim's order from this one)."""
    rows = ec.goodwin_cases(order=ec.WAGES_BEFORE_PRODUCTION)
    assert failures(rows, ec.GOODWIN) != []


def test_case_order_is_the_sims(tiny_path):
    """The cases step the economy in the order of the Sim's step plan."""
    from sovsim.engine.sim import Sim

    plan = [e.name for e in Sim(tiny_path, agents=100).plan
            if e.module.startswith("sovsim.economy.")]
    assert "produce" in plan
    assert tuple(n for n in plan if n in ec.WAGES_AFTER_PRODUCTION) == ec.SIM_ECONOMY_ORDER


def test_goodwin_with_wages_after_production_docks():
    rows = ec.goodwin_cases(order=ec.WAGES_AFTER_PRODUCTION)
    assert failures(rows, ec.GOODWIN) == []


def test_goodwin_first_integral_converges_at_first_order():
    """Halving dt halves the oscillation of V (first order), within the O(dt) bound."""
    m = [ec.goodwin_measures(ec.goodwin_run(0.9, dt=dt, years=20.0,
                                            order=ec.WAGES_AFTER_PRODUCTION))
         for dt in (1 / 12, 1 / 24)]
    assert all(x.max_v < 1.0 and x.max_u < 0.98 for x in m)   # capital-bound, below the cap
    assert 1.8 < m[0].max_dev / m[1].max_dev < 2.2
    assert all(x.max_dev < x.dev_bound for x in m)


def test_goodwin_drift_check_catches_the_lagged_wage():
    """With wages set on the previous step's employment before production (explicit Euler in
    logs) the cycle spirals outward: the drift row fails by far, V leaves its bound."""
    m = ec.goodwin_measures(ec.goodwin_run(0.9, years=48.0, order=ec.WAGES_BEFORE_PRODUCTION))
    assert m.cycles == 2
    assert m.drift > 100 * m.drift_bound
    assert m.max_dev > m.dev_bound


def test_feldman_needs_the_real_bound_to_bind():
    """With a fund smaller than HEAVY output the plan invests the fund and leaves HEAVY output
    unsold: the closed form no longer holds."""
    run = ec.feldman_run(5, wage_share=0.97)
    assert run["unsold"][0] > 0
    I5, _ = ec.feldman_closed_form(5, 0.3, 0.2, 0.35, 5.0, 95.0)
    assert abs(run["I"][5] / I5 - 1) > 1e-3


def test_feldman_timing():
    run = ec.feldman_run(2)
    np.testing.assert_allclose(run["I"], [5.0, 5.3, 5.3 * 1.06], rtol=1e-12)


def test_marx_needs_department_two_to_want_what_department_one_leaves():
    """Marx's rule is the engine's only while II's capitalists want at least what I's output
    leaves them; saving less, they leave Department I output unsold."""
    engine = ec.marx_run(1, saving=0.2)
    # I takes 4000 + 0.2 * 1000 * 4/5, II wants 1500 + 0.2 * 750 * 2/3 of 6000
    assert engine[1]["unsold HEAVY"] == pytest.approx(6000 - 4160 - 1600)
