"""Authorities on synthetic observables: the theories of the bureaucracy, the other authorities,
and the measure of zigzags (MODEL.md §4.6, claim C4)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import sovsim.world
from conftest import SHARED, needs_shared
from sovsim.authorities.base import Authority
from sovsim.authorities.bureaucracy import THEORIES, DegeneratedWorkersState
from sovsim.authorities.course import (
    as_arrays,
    count_reversals,
    first_of_runs,
    mean_spacing,
    month_of,
    read_timeline,
    soviet_turns,
    timing_score,
)
from sovsim.authorities.observables import Observables
from sovsim.authorities.registry import KINDS, make_authority
from sovsim.world.names import AUTHORITIES, LEVERS, N_CLASSES, Klass
from sovsim.world.pars import Pars

BASE = tomllib.loads(
    (Path(sovsim.world.__file__).parent / "scenarios" / "base.toml").read_text(encoding="utf-8"))
PARS = Pars.from_mapping({k: v["value"] for k, v in BASE["pars"].items()})
INITIAL: dict[str, float] = {k: BASE["policy"].get(k, {"value": 0.0})["value"] for k in LEVERS}
SHARED_TIMELINE = SHARED / "data" / "history" / "soviet_policy_timeline_1917_1953.csv"
USSR, USA, COLONY = 0, 1, 2


def observables(**over: object) -> Observables:
    """Three regions: a bureaucracy (0), a finance-capital power (1) and its colony (2)."""
    R, K = 3, N_CLASSES
    auth = [AUTHORITIES.index(a) for a in ("bureaucracy", "finance_capital", "colonial")]
    fields: dict[str, object] = dict(
        step=0, month=1946 * 12, dt=1 / 12, names=["USSR", "USA", "Colony"],
        controller=np.array([0, 1, 1]), authority=np.array(auth),
        output_per_capita=np.array([2000.0, 8000.0, 600.0]), growth=np.zeros(R),
        collective_share=np.array([0.9, 0.1, 0.0]), private_share=np.array([0.1, 0.9, 1.0]),
        landlord_share=np.array([0.0, 0.05, 0.5]), employment=np.ones(R),
        wage_share=np.full(R, 0.6), investment_share=np.full(R, 0.2),
        hardship=np.full((R, K), 0.3), legitimacy=np.full((R, K), 0.5),
        tendency=np.zeros((R, K)), persons=np.full((R, K), 1e6),
        active_left=np.zeros(R), active_right=np.zeros(R), jailed=np.zeros(R),
        pro_capitalist=np.full(R, 0.3), proletarian=np.full(R, 0.3),
        harvest=np.ones(R), at_war=np.zeros(R, dtype=bool), prestige=0.7)
    fields.update(over)
    return Observables(**fields)  # type: ignore[arg-type]


def levers() -> dict[str, np.ndarray]:
    return {name: np.full(3, INITIAL[name]) for name in LEVERS}


def bureaucracy(theory: str, **pars: float) -> Authority:
    return make_authority("bureaucracy", USSR, PARS.replace(**pars), INITIAL, theory)


def run(auth: Authority, obs_at: Callable[[int], Observables], steps: int,
        watch: tuple[str, ...] = tuple(LEVERS)) -> dict[str, np.ndarray]:
    """Decide `steps` times on obs_at(t); the watched levers of the authority's region by step."""
    lever = levers()
    rng = np.random.default_rng(0)
    out = {name: np.zeros(steps) for name in watch}
    for t in range(steps):
        auth.decide(obs_at(t), lever, rng)
        for name in watch:
            out[name][t] = lever[name][auth.r]
    return out


def constant(**over: object) -> Callable[[int], Observables]:
    obs = observables(**over)
    return lambda t: obs


# --- DWS: the Bonapartist caste -----------------------------------------------------------
def test_dws_turns_left_against_a_strong_pro_capitalist_tendency() -> None:
    course = run(bureaucracy("dws"), constant(pro_capitalist=np.full(3, 0.7),
                                              proletarian=np.full(3, 0.3)), 36)["course"]
    assert course[-1] > 0.5 and np.all(np.diff(course) >= 0)


def test_dws_turns_right_when_the_proletarian_tendency_dominates() -> None:
    out = run(bureaucracy("dws"), constant(pro_capitalist=np.full(3, 0.1),
                                           proletarian=np.full(3, 0.8)), 36)
    assert out["course"][-1] < -0.5
    # a right turn: concessions (lower procurement) and repression aimed at the left
    assert out["procurement"][-1] < INITIAL["procurement"]
    assert out["psi_left"][-1] > out["psi_right"][-1]


def test_dws_restoration_threat_is_steepest_near_the_threshold() -> None:
    dws = bureaucracy("dws")
    assert isinstance(dws, DegeneratedWorkersState)
    h, star = 1e-3, PARS["dws_restoration_threshold"]

    def slope(p: float) -> float:
        return (dws.restoration_threat(p + h) - dws.restoration_threat(p - h)) / (2 * h)

    assert slope(star) > 5 * slope(star - 0.3)
    assert slope(star) > 5 * slope(star + 0.3)


def test_dws_perceives_a_step_of_p_only_after_the_lag() -> None:
    lag = 9

    def stepped(t: int) -> Observables:
        p = 0.8 if t >= 20 else 0.3
        return observables(pro_capitalist=np.full(3, p))

    def course(obs_at: Callable[[int], Observables]) -> np.ndarray:
        dws = bureaucracy("dws", bureau_perception_lag=float(lag))
        return run(dws, obs_at, 40, ("course",))["course"]

    moved, still = course(stepped), course(constant())
    np.testing.assert_array_equal(moved[: 20 + lag], still[: 20 + lag])
    assert moved[20 + lag] > still[20 + lag]


def test_dws_zigzags_emerge_from_the_feedback_loop_and_not_from_the_module() -> None:
    """In a toy loop where a left course lowers P and a right course raises it, the DWS course
    keeps reversing when it perceives P late, and settles when it perceives P at once; the
    shocks-only baseline in the same loop never reverses; with constant observables no theory
    reverses at all."""

    def loop(auth: Authority, years: int = 60) -> np.ndarray:
        lever, rng, p = levers(), np.random.default_rng(0), 0.5
        course = np.zeros(years * 12)
        for t in range(course.size):
            auth.decide(observables(pro_capitalist=np.full(3, p)), lever, rng)
            course[t] = lever["course"][USSR]
            p = float(np.clip(p - 0.5 * course[t] / 12, 0.0, 1.0))  # the economy's answer
        return course

    late = loop(bureaucracy("dws"))
    idx, dirs = count_reversals(late, 0.2)
    assert idx.size >= 4 and np.all(dirs[1:] == -dirs[:-1])
    assert np.ptp(late[-120:]) > 0.5                        # still zigzagging after 50 years
    at_once = loop(bureaucracy("dws", bureau_perception_lag=0.0))
    assert np.ptp(at_once[-120:]) < 0.05                    # damped: the delay sustains it
    assert count_reversals(loop(bureaucracy("shocks-only")), 0.2)[0].size == 0
    for theory in THEORIES:
        course = run(bureaucracy(theory), constant(), 240, ("course",))["course"]
        assert count_reversals(course, 0.01)[0].size == 0, theory


# --- the rival theories and the baseline ---------------------------------------------------
@pytest.mark.parametrize("theory", ["state-capitalism", "bureaucratic-collectivism", "shocks-only"])
def test_the_restoration_tendency_does_not_enter_the_rival_theories(theory: str) -> None:
    def at(p: float) -> Callable[[int], Observables]:
        def obs_at(t: int) -> Observables:
            return observables(pro_capitalist=np.full(3, p), growth=np.full(3, 0.01 * (t % 7)),
                               active_left=np.full(3, 0.001 * (t % 40)))
        return obs_at

    low, high = run(bureaucracy(theory), at(0.0), 60), run(bureaucracy(theory), at(0.9), 60)
    for name in LEVERS:
        np.testing.assert_array_equal(low[name], high[name], err_msg=name)


def test_shocks_only_ignores_everything_but_the_shocks() -> None:
    calm = run(bureaucracy("shocks-only"), constant(), 24)
    stirred = run(bureaucracy("shocks-only"), constant(
        proletarian=np.full(3, 0.9), active_left=np.full(3, 0.2), active_right=np.full(3, 0.2),
        output_per_capita=np.array([500.0, 20000.0, 600.0])), 24)
    for name in LEVERS:
        np.testing.assert_array_equal(calm[name], stirred[name], err_msg=name)
    famine = run(bureaucracy("shocks-only"), constant(harvest=np.full(3, 0.6)), 24)["course"]
    assert famine[-1] < -0.2   # a bad harvest moves the course (concessions by default)


def test_state_capitalism_accumulates_harder_the_further_behind_its_rival() -> None:
    near = run(bureaucracy("state-capitalism"), constant(
        output_per_capita=np.array([7000.0, 8000.0, 600.0])), 24)
    far = run(bureaucracy("state-capitalism"), constant(
        output_per_capita=np.array([1000.0, 8000.0, 600.0])), 24)
    for name in ("course", "lam", "accumulation_share"):
        assert far[name][-1] > near[name][-1], name


def test_bureaucratic_collectivism_squeezes_in_order_and_concedes_in_unrest() -> None:
    quiet = run(bureaucracy("bureaucratic-collectivism"), constant(), 36)
    unrest = run(bureaucracy("bureaucratic-collectivism"),
                 constant(active_left=np.full(3, 0.05), active_right=np.full(3, 0.03)), 36)
    assert quiet["privilege_share"][-1] > INITIAL["privilege_share"] > unrest["privilege_share"][-1]
    assert quiet["course"][-1] > 0 > unrest["course"][-1]
    assert unrest["enforcers_per_pop"][-1] > 2 * INITIAL["enforcers_per_pop"]


# --- the other authorities -----------------------------------------------------------------
def test_occupation_turns_on_left_action_past_the_tolerance_and_remembers() -> None:
    occ = make_authority("occupation", USSR, PARS, INITIAL, "dws")
    tol = PARS["occupation_left_tolerance"]

    def obs_at(t: int) -> Observables:
        left = 0.5 * tol if t < 12 else 3 * tol if t < 24 else 0.0
        return observables(active_left=np.full(3, left))

    psi = run(occ, obs_at, 48, ("psi_left",))["psi_left"]
    assert np.all(psi[:12] == INITIAL["psi_left"])               # leaning on left action
    assert psi[23] > 0.9 * PARS["occupation_psi_left_escalation"] * INITIAL["psi_left"]
    assert INITIAL["psi_left"] * 1.5 < psi[-1] < psi[23]         # fading slowly


def test_occupation_keeps_the_scheduled_rates_as_its_base() -> None:
    occ = make_authority("occupation", USSR, PARS, INITIAL, "dws")
    lever, rng = levers(), np.random.default_rng(0)
    obs = observables(landlord_share=np.full(3, 0.4))
    occ.decide(obs, lever, rng)
    assert lever["nationalisation_rate"][USSR] == PARS["occupation_nationalisation"]
    assert lever["agrarian_reform_rate"][USSR] == PARS["occupation_agrarian_reform"]
    lever["nationalisation_rate"][USSR] = 2.0   # the schedule: a dated decree
    lever["pillage_rate"][USSR] = 0.3
    for _ in range(3):
        occ.decide(obs, lever, rng)
    assert lever["nationalisation_rate"][USSR] == 2.0 and lever["pillage_rate"][USSR] == 0.3
    lever["nationalisation_rate"][USSR] = 0.0   # the decree carried out
    occ.decide(observables(landlord_share=np.zeros(3)), lever, rng)
    assert lever["nationalisation_rate"][USSR] == PARS["occupation_nationalisation"]
    assert lever["agrarian_reform_rate"][USSR] == 0.0   # no landlords left


def test_colonial_administration_rests_on_the_landlords() -> None:
    initial = INITIAL | {"agrarian_reform_rate": 0.5, "psi_left": 1.0, "psi_right": 1.0}
    col = make_authority("colonial", COLONY, PARS, initial, "dws")
    lever = levers()
    col.decide(observables(), lever, np.random.default_rng(0))
    assert lever["agrarian_reform_rate"][COLONY] == 0.0
    assert lever["colonial_wage_share"][COLONY] <= PARS["colonial_wage_ceiling"] < 1.0
    assert lever["expropriation_rate"][COLONY] > 0.0
    assert lever["psi_left"][COLONY] >= PARS["colonial_left_targeting"] * lever["psi_right"][COLONY]


def test_councils_take_no_privileges_and_answer_peasant_hardship() -> None:
    def procurement(hardship: float) -> dict[str, np.ndarray]:
        h = np.full((3, N_CLASSES), 0.2)
        h[:, [Klass.PEASANT, Klass.COLLECTIVE_FARMER]] = hardship
        councils = make_authority("councils", USSR, PARS, INITIAL, "dws")
        return run(councils, constant(hardship=h), 1)

    easy, hard = procurement(0.1), procurement(0.9)
    assert easy["privilege_share"][0] == hard["privilege_share"][0] == 0.0
    assert easy["terror_rate"][0] == 0.0
    assert hard["procurement"][0] < easy["procurement"][0] <= INITIAL["procurement"]
    assert easy["collectivisation_rate"][0] < PARS["forced_collectivisation"]


@pytest.mark.parametrize(("left", "right", "successor"), [
    (0.05, 0.01, "councils"), (0.01, 0.05, "finance_capital")])
def test_provisional_successor_is_decided_by_the_mobilised_balance(
        left: float, right: float, successor: str) -> None:
    prov = make_authority("provisional", USSR, PARS, INITIAL, "dws")
    obs = observables(active_left=np.full(3, left), active_right=np.full(3, right))
    lever, rng = levers(), np.random.default_rng(0)
    months = int(PARS["provisional_months"])
    for _ in range(months - 1):
        prov.decide(obs, lever, rng)
    assert prov.successor is None                      # type: ignore[attr-defined]
    prov.decide(obs, lever, rng)
    assert prov.successor == successor                 # type: ignore[attr-defined]


def test_finance_capital_exports_agitates_and_wages_war_only_when_told() -> None:
    lever, rng = levers(), np.random.default_rng(0)
    fc = make_authority("finance_capital", USA, PARS, INITIAL, "dws")
    fc.decide(observables(prestige=0.1), lever, rng)
    assert fc.wants_war_on is None                     # type: ignore[attr-defined]
    low_d = lever["agitation"][USA]
    fc.decide(observables(prestige=0.9), lever, rng)
    assert low_d > lever["agitation"][USA]

    cheap = observables(wage_share=np.array([0.6, 0.6, 0.2]))
    fc.decide(cheap, lever, rng)
    assert lever["export_share"][USA] > INITIAL["export_share"]

    hawk = make_authority("finance_capital", USA, PARS.replace(war_decision=1.0), INITIAL, "dws")
    hawk.decide(observables(prestige=0.9), lever, rng)
    assert hawk.wants_war_on is None                   # type: ignore[attr-defined]
    hawk.decide(observables(prestige=0.1), lever, rng)
    assert hawk.wants_war_on == USSR                   # type: ignore[attr-defined]
    even = observables(prestige=0.1, output_per_capita=np.array([8000.0, 8000.0, 600.0]))
    hawk.decide(even, lever, rng)
    assert hawk.wants_war_on is None                   # type: ignore[attr-defined]


def test_registry_covers_every_kind_and_names_the_valid_choices() -> None:
    assert set(KINDS) | {"bureaucracy"} == set(AUTHORITIES)
    for kind in AUTHORITIES:
        assert make_authority(kind, 0, PARS, INITIAL, "dws").kind == kind
    for theory, cls in THEORIES.items():
        assert isinstance(make_authority("bureaucracy", 0, PARS, INITIAL, theory), cls)
    with pytest.raises(ValueError, match="shocks-only"):
        make_authority("bureaucracy", 0, PARS, INITIAL, "new-class")
    with pytest.raises(ValueError, match="councils"):
        make_authority("soviet", 0, PARS, INITIAL, "dws")


# --- measuring zigzags ----------------------------------------------------------------------
def test_count_reversals_on_a_noisy_sine_counts_each_turning_point_once() -> None:
    period = 120
    t = np.arange(5 * period)
    noise = np.random.default_rng(1).normal(0.0, 0.05, t.size)
    course = np.sin(2 * np.pi * t / period) + noise
    idx, dirs = count_reversals(course, 0.5)
    assert idx.size == 10
    np.testing.assert_array_equal(dirs, np.tile([-1, 1], 5))   # down at maxima, up at minima
    expected = period / 4 + np.arange(10) * period / 2
    assert np.max(np.abs(idx - expected)) < period / 8
    assert mean_spacing(idx) == pytest.approx(period / 2, rel=0.05)
    assert count_reversals(course, 0.02)[0].size > 20           # without hysteresis, noise counts


def test_count_reversals_needs_a_full_swing_each_way() -> None:
    x = np.array([0.0, 1.0, 0.7, 1.2, 0.0, 0.4, 0.3, 1.0])
    idx, dirs = count_reversals(x, 0.5)
    np.testing.assert_array_equal(idx, [3, 4])
    np.testing.assert_array_equal(dirs, [-1, 1])
    assert count_reversals(np.zeros(0), 0.5)[0].size == 0


def test_timing_score_on_a_hand_made_example() -> None:
    historical = (np.array([100, 200, 300]), np.array([1, -1, 1]))
    simulated = (np.array([110, 190, 250, 400]), np.array([1, 1, 1, -1]))
    # 100 is matched by 110; 200 only has a reversal of the wrong direction near it; 300 none.
    # Of the simulated, only 110 matches.
    assert timing_score(simulated, historical, window=18) == pytest.approx((1 / 3, 1 / 4))
    assert timing_score(simulated, historical, window=50) == pytest.approx((2 / 3, 2 / 4))


def test_the_packaged_timeline_is_the_shared_one() -> None:
    turns = soviet_turns()
    assert len(turns) == 31
    assert all(t.direction in (-1, 1) for t in turns)
    assert [t.month for t in turns] == sorted(t.month for t in turns)
    first = next(t for t in turns if t.event_id == "SU05")
    assert (first.month, first.direction) == (month_of("1921-03"), -1)
    assert month_of("1932") == 1932 * 12 + 6
    months, dirs = first_of_runs(*as_arrays(turns))
    assert np.all(dirs[1:] != dirs[:-1]) and months[0] == turns[0].month


@needs_shared("data", "history", "soviet_policy_timeline_1917_1953.csv")
def test_the_packaged_timeline_equals_the_shared_file() -> None:
    assert read_timeline(SHARED_TIMELINE) == soviet_turns()

