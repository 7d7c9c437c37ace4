"""The claims laboratory: registry, experiments, verdicts, the `sovsim claims` command."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sovsim.claims import c4
from sovsim.claims.command import SCHEMAS, is_claims_dir
from sovsim.claims.experiments import (
    EXPERIMENTS,
    ClaimsMeasure,
    Use,
    flip_rate,
    groups,
    plan,
    variant_scenario,
)
from sovsim.claims.registry import RegistryError, load_registry, parse, select
from sovsim.claims.verdicts import (
    VERDICT_COLUMNS,
    chance_rho,
    label,
    median_interval,
    min_decisive_runs,
    ranks,
    sensitivity,
    spearman,
    verdict,
    wilson,
)
from sovsim.cli import app
from sovsim.engine.sim import Sim

SEED_TEXT = Path("/work/shared/seed/germain-1946.md")
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
    assert list(ranks(np.array([3.0, 1.0, 3.0, 2.0]))) == [3.5, 1.0, 3.5, 2.0]
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


# --- registry -------------------------------------------------------------------------------
def test_registry_has_nine_claims_with_quotations() -> None:
    reg = load_registry()
    assert reg.ids == IDS
    text = SEED_TEXT.read_text(encoding="utf-8") if SEED_TEXT.exists() else None
    for claim in reg.claim:
        assert claim.paragraphs and claim.quotation and claim.cited in claim.paragraphs
        assert claim.hypothesis.effect_unit and claim.design
        if text is not None:   # verbatim, in the paragraph it is cited from
            para = re.search(rf"^¶{claim.cited}\. (.*)$", text, re.MULTILINE)
            assert para is not None and claim.quotation in para.group(1), claim.id
    assert set(EXPERIMENTS) == set(reg.ids)


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
def short_runs() -> dict[str, Sim]:
    """Every planned variant, run for a year or two at a few hundred agents."""
    p = plan(IDS, {"ussr1921": "world1946"})
    sims = {}
    for variants in p.groups.values():
        for v in variants:
            end = 1922 if v.scenario == "ussr1921" else 1947
            sim = Sim(variant_scenario(v), agents=300, seed=3, theory=v.theory, end=end)
            sim.run()
            sims[v.name] = sim
    return sims


def test_measures_and_rules_run_on_short_horizons(short_runs: dict[str, Sim]) -> None:
    p = plan(IDS, {"ussr1921": "world1946"})
    measure = p.measure()
    results: dict[str, dict] = {}
    for name, sim in short_runs.items():
        got = measure(sim)["claims"]
        assert set(got) == {u.claim for u in p.uses[name]}
        for claim, roles in got.items():
            for role, res in roles.items():
                assert set(res) >= {"metrics", "series"}
                assert all(isinstance(v, float) for v in res["metrics"].values())
                results.setdefault(claim, {})[role] = res
    for claim in IDS:
        exp = EXPERIMENTS[claim]
        assert set(results[claim]) == {role for role, _ in exp.roles}
        supports, effect, details = exp.judge(results[claim])
        assert supports in (True, False, None) and isinstance(effect, float)
        assert isinstance(details, dict)
    assert results["C1"]["actual"]["labels"]  # expansions labelled in 1947
    assert len(c4.rows(0, results["C4"])) == len(c4.THEORY_ORDER)


def test_measure_ignores_runs_it_does_not_know(short_runs: dict[str, Sim]) -> None:
    measure = ClaimsMeasure({"elsewhere": (("C9", "ussr", "1933-12"),)})
    assert measure(short_runs["world1946"]) == {"claims": {}}
    assert Use("C9", "ussr", "1933-12").claim == "C9"


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
    # an earlier claims folder is replaced only with --force
    again = invoke("--only", "C9", "--runs", "1", "--agents", "2000", "--out", str(out))
    assert again.exit_code == 2 and "--force" in again.output
    again = invoke("--only", "C9", "--runs", "1", "--agents", "2000", "--out", str(out),
                   "--force")
    assert again.exit_code == 0, again.output
    assert json.loads((out / "meta.json").read_text())["runs"] == 1
