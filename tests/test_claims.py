"""The claims laboratory: registry, experiments, verdicts, the `sovsim claims` command."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.stats import binomtest
from typer.testing import CliRunner

from conftest import SHARED, needs_shared
from sovsim.claims.command import SCHEMAS, is_claims_dir
from sovsim.claims.ensemble import Draw, Variant
from sovsim.claims.experiments import (
    EXPERIMENTS,
    ClaimsMeasure,
    c4,
    groups,
    plan,
    variant_scenario,
)
from sovsim.claims.experiments.c2 import flip_rate
from sovsim.claims.registry import RegistryError, load_registry, parse, select
from sovsim.claims.verdicts import (
    VERDICT_COLUMNS,
    chance_rho,
    label,
    median_interval,
    min_decisive_runs,
    sensitivity,
    spearman,
    verdict,
    wilson,
)
from sovsim.cli import app
from sovsim.engine.sim import Sim

SEED_TEXT = SHARED / "seed" / "germain-1946.md"
IDS = [f"C{i}" for i in range(1, 10)]


# --- verdicts -------------------------------------------------------------------------------
def test_wilson_against_hand_computation() -> None:
    # 8 of 10, z = 1.96: centre (0.8 + z^2/20) / (1 + z^2/10) = 0.71673, half-width
    # z / (1 + z^2/10) * sqrt(0.016 + z^2/400) = 0.22656 -> (0.49016, 0.94329)
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.49016, abs=1e-4)
    assert high == pytest.approx(0.94329, abs=1e-4)
    assert wilson(0, 32)[0] == 0.0 and wilson(32, 32)[1] == 1.0
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(3, 2)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 3), (8, 10), (0, 32), (31, 32), (35, 35),
                                      (17, 40)])
def test_wilson_agrees_with_scipy(k: int, n: int) -> None:
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson(k, n)
    assert low == pytest.approx(ci.low, abs=1e-12) and high == pytest.approx(ci.high, abs=1e-12)


def test_labels_at_their_boundaries() -> None:
    assert label(0.9, 1.0) == "supported"
    assert label(0.8999, 1.0) == "undecided"
    assert label(0.0, 0.1) == "refuted"
    assert label(0.0, 0.1001) == "undecided"
    # unanimity decides only from 35 runs on: n / (n + z^2) >= 0.9 needs n >= 9 z^2 = 34.6
    assert label(*wilson(35, 35)) == "supported" and label(*wilson(0, 35)) == "refuted"
    assert label(*wilson(32, 32)) == "undecided" and label(*wilson(0, 32)) == "undecided"
    assert min_decisive_runs() == 35


def test_verdict_counts_only_decided_runs() -> None:
    v = verdict("C0", "t", "s", "e", "u", [True, None, False, True], [1.0, math.nan, -1.0, 2.0])
    assert (v.n_runs, v.n_support) == (3, 2)
    assert v.effect_median == 1.0 and v.effect_low <= 1.0 <= v.effect_high
    assert tuple(v.row()) == VERDICT_COLUMNS == tuple(SCHEMAS["verdicts"].names)


def test_spearman_and_sensitivity() -> None:
    x = np.arange(10.0)
    assert spearman(x, x ** 3) == pytest.approx(1.0)
    assert spearman(x, -x) == pytest.approx(-1.0)
    assert math.isnan(spearman(x, np.ones(10)))
    rng = np.random.default_rng(1)
    y = x + rng.normal(0, 3, 10)
    top = sensitivity({"a": list(x), "b": list(rng.random(10)), "c": [1.0] * 10}, list(y))
    assert top[0][0] == "a" and all(name != "c" for name, _ in top)
    assert chance_rho(32) == pytest.approx(0.352, abs=1e-3) and math.isnan(chance_rho(2))
    med, low, high = median_interval([1, 2, 3, 4, 100])
    assert med == 3 and low <= med <= high
    # ties share their mean rank: rho of (3, 1, 3, 2) with (4, 1, 3, 2) is the Pearson
    # correlation of the ranks (3.5, 1, 3.5, 2) and (4, 1, 3, 2): 4.5 / sqrt(4.5 * 5)
    assert spearman([3, 1, 3, 2], [4, 1, 3, 2]) == pytest.approx(4.5 / math.sqrt(4.5 * 5))
    assert math.isnan(spearman([1.0, 2.0], [2.0, 1.0]))          # fewer than three pairs
    assert spearman([1, 2, math.nan, 3], [1, 2, 0, 3]) == pytest.approx(1.0)  # nan pair left out


def test_bootstrap_interval_of_the_median() -> None:
    assert median_interval([5.0]) == (5.0, 5.0, 5.0)
    assert median_interval([2.0] * 8) == (2.0, 2.0, 2.0)
    assert all(math.isnan(v) for v in median_interval([math.nan]))
    # the interval is seeded (a verdict is a function of the runs alone), covers the median,
    # and lies within the sample's range: a percentile interval of resampled medians
    x = np.random.default_rng(4).normal(10.0, 2.0, 41)
    med, low, high = median_interval(x)
    assert median_interval(x) == (med, low, high)
    assert x.min() <= low < med < high <= x.max()
    # the median of n = 41 normal values has s.e. about 1.2533 * 2 / sqrt(41) = 0.39: a 95%
    # interval about 1.5 wide, not 0.15 nor 15
    assert 0.7 < high - low < 3.0


# --- registry -------------------------------------------------------------------------------
def test_registry_has_nine_claims_with_quotations() -> None:
    reg = load_registry()
    assert reg.ids == IDS
    for claim in reg.claim:
        assert claim.paragraphs and claim.quotation and claim.cited in claim.paragraphs
        assert claim.hypothesis.effect_unit and claim.design
    assert set(EXPERIMENTS) == set(reg.ids)


@needs_shared("seed", "germain-1946.md")
def test_quotations_are_verbatim_in_the_paragraph_cited() -> None:
    text = SEED_TEXT.read_text(encoding="utf-8")
    for claim in load_registry().claim:
        para = re.search(rf"^¶{claim.cited}\. (.*)$", text, re.MULTILINE)
        assert para is not None and claim.quotation in para.group(1), claim.id


def test_registry_schema_refuses_bad_files() -> None:
    good = (Path(__file__).parents[1] / "src/sovsim/claims/registry.toml").read_text()
    with pytest.raises(RegistryError, match="Extra inputs"):
        parse(good.replace('cited = 5\n', 'cited = 5\ncolour = "red"\n', 1))
    with pytest.raises(RegistryError, match="unique"):
        parse(good.replace('id = "C2"', 'id = "C1"'))
    with pytest.raises(RegistryError, match="paragraph"):
        parse(good.replace("cited = 7", "cited = 8"))
    assert [c.id for c in select("c4, C7")] == ["C4", "C7"]
    with pytest.raises(ValueError, match="valid: C1, C2"):
        select("C4,C10")


# --- experiments ----------------------------------------------------------------------------
def test_every_variant_validates_with_its_overrides() -> None:
    p = plan(IDS, {"ussr1921": "world1946"})
    names = [v.name for vs in p.groups.values() for v in vs]
    assert len(names) == len(set(names))
    for variants in p.groups.values():
        for v in variants:
            loaded = variant_scenario(v)
            assert loaded.model.scenario.end == v.overrides["scenario"]["end"]
    # the actual world and the four ussr1921 theories are shared between claims
    assert {u.claim for u in p.uses["world1946"]} == {"C1", "C2", "C3", "C7", "C8", "C9"}
    assert {u.claim for u in p.uses["ussr1921-dws"]} == {"C4", "C5", "C9"}


def test_counterfactuals_change_what_they_say() -> None:
    p = plan(["C1", "C2", "C8"])
    by_name = {v.name: variant_scenario(v) for vs in p.groups.values() for v in vs}
    g = groups()
    restored = by_name["world1946-restored"].model.regions
    for name in g.buffer:
        assert restored[name].authority == "finance_capital" and restored[name].controller == name
        assert restored[name].ownership.HEAVY.vector()[0] <= 0.1 + 1e-9   # STATE
    swapped = by_name["world1946-swapped"].model.regions
    assert all(swapped[n].authority == "colonial" for n in g.buffer)
    assert all(swapped[n].authority == "occupation" for n in g.west_deps)
    independent = by_name["world1946-independent"].model.regions
    assert all(independent[n].controller == n for n in g.colonies)


@pytest.fixture(scope="module")
def short_runs() -> dict[str, tuple[Variant, Sim]]:
    """Every planned variant, run for a year or two at a few hundred agents."""
    p = plan(IDS, {"ussr1921": "world1946"})
    sims = {}
    for variants in p.groups.values():
        for v in variants:
            end = 1922 if v.scenario == "ussr1921" else 1947
            sim = Sim(variant_scenario(v), agents=300, seed=3, theory=v.theory, end=end)
            sim.run()
            sims[v.name] = (v, sim)
    return sims


def test_measures_and_rules_run_on_short_horizons(
        short_runs: dict[str, tuple[Variant, Sim]]) -> None:
    p = plan(IDS, {"ussr1921": "world1946"})
    measure = p.measure()
    results: dict[str, dict] = {}
    for name, (variant, sim) in short_runs.items():
        got = measure(sim, Draw(0, 3, {}), variant, 0.0)["claims"]
        assert set(got) == {u.claim for u in p.uses[name]}
        for claim, roles in got.items():
            for role, res in roles.items():
                assert set(res) >= {"metrics", "series"}
                assert all(isinstance(v, float) for v in res["metrics"].values())
                results.setdefault(claim, {})[role] = res
    for claim in IDS:
        exp = EXPERIMENTS[claim]
        assert set(results[claim]) == {role for role, _ in exp.roles}
        supports, effect, _ = exp.judge(results[claim])
        # a rule that cannot decide says so with no effect; one that decides has an effect
        assert (supports is None) == math.isnan(effect), (claim, supports, effect)
    assert results["C1"]["actual"]["labels"]  # expansions labelled in 1947
    assert len(c4.rows(0, results["C4"])) == len(c4.THEORY_ORDER)


def test_measure_reads_the_variant_it_is_given(
        short_runs: dict[str, tuple[Variant, Sim]]) -> None:
    variant, sim = short_runs["world1946"]
    measure = ClaimsMeasure({"elsewhere": (("C9", "buffer", "1953-12"),)})
    assert measure(sim, Draw(0, 3, {}), variant, 0.0) == {"claims": {}}
    # the same run passed as the variant the plan names is measured: the identity is the
    # variant's, not anything in the run's scenario
    renamed = Variant("elsewhere", variant.scenario, variant.theory, variant.overrides)
    got = measure(sim, Draw(0, 3, {}), renamed, 0.0)["claims"]
    assert set(got) == {"C9"} and set(got["C9"]) == {"buffer"}


def m(**metrics: float) -> dict[str, dict[str, float]]:
    """A role's result with these metrics, as a measure returns it."""
    return {"metrics": dict(metrics)}


NAN = math.nan
C1_RIGHT = m(ussr_soviet=1.0, ussr_imperialist=0.0, west_soviet=0.0, west_imperialist=1.0)
C1_FLIPPED = m(ussr_soviet=0.0, ussr_imperialist=1.0, west_soviet=1.0, west_imperialist=0.0)
C1_HALF = m(ussr_soviet=0.5, ussr_imperialist=0.5, west_soviet=0.0, west_imperialist=1.0)
C2_SWEEP = {"pillage=0": m(y1955=110.0), "pillage=0.02": m(y1955=100.0),
            "pillage=0.05": m(y1955=90.0)}
C4_SCORES = {"dws": 0.6, "state-capitalism": 0.3, "bureaucratic-collectivism": 0.5,
             "shocks-only": 0.1}
C6_ATTACK = {"defeated": 1.0, "foreign_share": 0.3, "years_thrown_back": 5.0,
             "output_before": 1000.0, "output_after": 900.0}
C7_OCCUPATION = m(left_pct=1.0, prestige=0.5, buffer_collective=0.6, buffer_councils=0.0)


def theories(**by_theory: dict[str, float]) -> dict[str, dict[str, dict[str, float]]]:
    return {th: {"metrics": metrics} for th, metrics in by_theory.items()}


# (claim, one draw's results by role, the rule's answer, its effect): inputs made by hand
VERDICT_CASES = [
    ("C1", {"actual": C1_RIGHT, "swapped": C1_FLIPPED}, True, 1.0),
    ("C1", {"actual": C1_RIGHT, "swapped": C1_HALF}, False, 0.5),        # not flipped
    ("C1", {"actual": m(**(C1_RIGHT["metrics"] | {"ussr_soviet": 0.5})),
            "swapped": C1_FLIPPED}, True, 0.5),                          # half is enough
    ("C1", {"actual": m(**(C1_RIGHT["metrics"] | {"ussr_imperialist": 0.2})),
            "swapped": C1_FLIPPED}, False, 1.0),                         # an imperialist USSR
    ("C1", {"actual": m(**(C1_RIGHT["metrics"] | {"west_imperialist": NAN})),
            "swapped": C1_FLIPPED}, None, NAN),
    ("C2", {"reforms": m(y1955=110.0, y1965=120.0), "restored": m(y1955=100.0, y1965=100.0),
            **C2_SWEEP}, True, 20.0),
    ("C2", {"reforms": m(y1955=110.0, y1965=90.0), "restored": m(y1955=100.0, y1965=100.0)},
     False, -10.0),
    ("C2", {"reforms": m(y1955=NAN, y1965=120.0), "restored": m(y1955=100.0, y1965=100.0)},
     None, NAN),
    ("C3", {"actual": m(soviet_gap=0.05, imperialist_gap=-0.01)}, True, 6.0),
    ("C3", {"actual": m(soviet_gap=0.05, imperialist_gap=0.01)}, False, 4.0),
    ("C3", {"actual": m(soviet_gap=-0.02, imperialist_gap=-0.01)}, False, -1.0),
    ("C3", {"actual": m(soviet_gap=NAN, imperialist_gap=-0.01)}, None, NAN),
    ("C4", theories(**{th: {"score": v, "reversals": 3.0} for th, v in C4_SCORES.items()}),
     True, 0.1),
    ("C4", theories(**{th: {"score": v, "reversals": 3.0}
                       for th, v in (C4_SCORES | {"shocks-only": 0.6}).items()}), False, 0.0),
    ("C5", theories(**{th: {"start": 0.9, "end": e} for th, e in
                       (("dws", 0.6), ("state-capitalism", 0.2),
                        ("bureaucratic-collectivism", 0.1), ("shocks-only", 0.8))}), True, -0.3),
    ("C5", theories(**{th: {"start": 0.9, "end": 0.4} for th in C4_SCORES}), False, -0.5),
    ("C6", {"attack": m(**C6_ATTACK)}, True, 5.0),
    ("C6", {"attack": m(**(C6_ATTACK | {"foreign_share": 0.1}))}, False, 5.0),  # not colonised
    ("C6", {"attack": m(**(C6_ATTACK | {"output_after": 1100.0}))}, False, 5.0),  # not thrown back
    ("C6", {"attack": m(**(C6_ATTACK | {"defeated": 0.0}))}, False, 5.0),
    ("C7", {"occupation": C7_OCCUPATION,
            "withdrawal": m(left_pct=2.0, prestige=0.6, buffer_collective=0.57,
                            buffer_councils=3.0)}, True, 1.0),
    ("C7", {"occupation": C7_OCCUPATION,
            "withdrawal": m(left_pct=2.0, prestige=0.6, buffer_collective=0.5,
                            buffer_councils=3.0)}, False, 1.0),   # collective property lost
    ("C7", {"occupation": C7_OCCUPATION,
            "withdrawal": m(left_pct=0.5, prestige=0.6, buffer_collective=0.6,
                            buffer_councils=3.0)}, False, -0.5),
    ("C8", {"colonial": m(y_end=100.0, years=10.0),
            "independent": m(y_end=100.0 * math.exp(0.1), years=10.0)}, True, 1.0),
    ("C8", {"colonial": m(y_end=100.0, years=10.0),
            "independent": m(y_end=100.0 * math.exp(-0.2), years=10.0)}, False, -2.0),
    ("C8", {"colonial": m(y_end=0.0, years=10.0), "independent": m(y_end=100.0, years=10.0)},
     None, NAN),
    ("C9", {"ussr": m(victims=5e6, per_1000_year=7.0),
            "buffer": m(victims=1e5, per_1000_year=0.1)}, True, 4.9),
    ("C9", {"ussr": m(victims=1e5, per_1000_year=0.1),
            "buffer": m(victims=3e5, per_1000_year=0.3)}, False, -0.2),
]


@pytest.mark.parametrize(("claim", "results", "supports", "effect"), VERDICT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(VERDICT_CASES)])
def test_each_claims_rule_on_hand_made_inputs(claim: str, results: dict, supports: bool | None,
                                             effect: float) -> None:
    got, got_effect, details = EXPERIMENTS[claim].judge(results)
    assert got is supports or got == supports, (got, supports)
    if math.isnan(effect):
        assert math.isnan(got_effect)
    else:
        assert got_effect == pytest.approx(effect, abs=1e-9)
    assert isinstance(details, dict)


def test_every_claim_has_hand_made_rule_cases() -> None:
    assert {c[0] for c in VERDICT_CASES} == set(IDS)
    # each claim's rule is seen both supporting and not supporting
    for claim in IDS:
        answers = {c[2] for c in VERDICT_CASES if c[0] == claim}
        assert {True, False} <= answers, claim


def test_c2_details_give_the_pillage_rate_where_reforms_fall_behind() -> None:
    results = {"reforms": m(y1955=110.0, y1965=120.0), "restored": m(y1955=100.0, y1965=100.0),
               **C2_SWEEP}
    details = EXPERIMENTS["C2"].judge(results)[2]
    # gap 0.1 at no pillage, 0 at 0.02: reforms fall behind at 0.02 a year
    assert details["pillage_flip_rate"] == pytest.approx(0.02)
    assert details["gap_1955_pct_at_pillage_0.05"] == pytest.approx(-10.0)


def test_flip_rate_of_the_pillage_sweep() -> None:
    assert flip_rate([(0.0, 0.2), (0.1, -0.2), (0.3, -0.5)]) == pytest.approx(0.05)
    assert flip_rate([(0.0, -0.1), (0.1, -0.2)]) == 0.0
    assert flip_rate([(0.0, 0.1), (0.1, 0.05)]) == math.inf
    assert math.isnan(flip_rate([(0.0, math.nan)]))


def test_c4_score_is_f1_of_the_two_shares() -> None:
    assert c4.f1(0.5, 0.5) == pytest.approx(0.5)
    assert c4.f1(1.0, math.nan) == 0.0
    months, dirs = c4.historical_turns(1921 * 12, 1953 * 12 + 11)
    assert months.size == dirs.size >= 10
    assert (np.diff(dirs) != 0).all()      # one turn per run of same-direction decrees
    flat = c4.zigzag_measures(np.zeros(60), 1921 * 12)
    assert flat["reversals"] == 0 and flat["score"] == 0.0


# --- the command ----------------------------------------------------------------------------
def invoke(*args: str):
    return CliRunner().invoke(app, ["claims", *args])


def test_list_prints_the_registry() -> None:
    result = invoke("--list")
    assert result.exit_code == 0 and "C9" in result.output and "seed ¶" in result.output


@pytest.mark.parametrize("args,message", [
    (("--only", "C4,C12"), "valid: C1"),
    (("--runs", "0"), "--runs must be >= 1"),
])
def test_bad_input_exits_2(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    result = invoke(*args, "--out", str(tmp_path / "x"))
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "x").exists()


def test_refuses_a_folder_that_is_not_a_claims_folder(tmp_path: Path) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    result = invoke("--only", "C9", "--runs", "1", "--out", str(tmp_path))
    assert result.exit_code == 2 and "not a sovsim folder" in result.output
    assert keep.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt"]


def test_end_to_end_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "claims"
    result = invoke("--only", "C9", "--runs", "2", "--agents", "2000", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "C9" in result.output and "wrote" in result.output
    assert is_claims_dir(out)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["kind"] == "claims" and meta["claims"] == ["C9"] and meta["runs"] == 2
    assert {"sovsim_version", "agents", "seed", "workers", "wall_seconds"} <= set(meta)
    for name, schema in SCHEMAS.items():
        t = pq.read_table(out / f"{name}.parquet")
        assert t.schema.names == schema.names, name
    verdicts = pq.read_table(out / "verdicts.parquet").to_pylist()
    assert len(verdicts) == 1 and verdicts[0]["claim"] == "C9" and verdicts[0]["n_runs"] <= 2
    runs = pq.read_table(out / "runs.parquet")
    assert runs.num_rows == 2
    assert runs.column_names[:6] == ["claim", "run_id", "seed", "status", "supports", "effect"]
    assert any(c.startswith("par_") for c in runs.column_names)
    series = pq.read_table(out / "series.parquet").to_pylist()
    assert {r["region"] for r in series} == {"USSR", "buffer"}
    # the real output, not a synthetic folder, makes a report
    report = CliRunner().invoke(app, ["report", str(out)])
    assert report.exit_code == 0, report.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "C9" in page and verdicts[0]["title"] in page
    # an earlier claims folder is replaced only with --force
    again = invoke("--only", "C9", "--runs", "1", "--agents", "2000", "--out", str(out))
    assert again.exit_code == 2 and "--force" in again.output
    again = invoke("--only", "C9", "--runs", "1", "--agents", "2000", "--out", str(out),
                   "--force")
    assert again.exit_code == 0, again.output
    assert json.loads((out / "meta.json").read_text())["runs"] == 1
