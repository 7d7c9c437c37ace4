"""Ensembles: draws, variants sharing a draw, records, failures, the process pool, the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sovsim.claims.ensemble import (
    Draw,
    Variant,
    draws,
    end_state,
    merge,
    run_one,
    run_variants,
)
from sovsim.cli import app
from sovsim.engine.sim import Sim
from sovsim.world.loading import ScenarioError, load
from sovsim.world.priors import priors_of

AGENTS = 300


def trajectory(sim: Sim) -> dict:
    """The whole output-per-head series, and the values the run used for two drawn parameters."""
    return {"series": sim.results.regions["output_per_capita"].copy(),
            "used_eta": sim.pars["eta"], "used_dws_kappa": sim.pars["dws_kappa"]}


def test_draws_cover_every_prior_and_are_seeded(tiny_path: Path) -> None:
    plan = draws(str(tiny_path), 4, seed=11)
    names = set(priors_of(load(tiny_path)))
    assert [d.run_id for d in plan] == [0, 1, 2, 3]
    assert len({d.seed for d in plan}) == 4
    assert all(set(d.pars) == names for d in plan)
    assert plan == draws(str(tiny_path), 4, seed=11)
    assert plan != draws(str(tiny_path), 4, seed=12)


def test_same_draw_and_seed_give_identical_runs(tiny_path: Path) -> None:
    draw = draws(str(tiny_path), 1, seed=3)[0]
    a, b = run_variants([Variant("a", str(tiny_path)), Variant("b", str(tiny_path))], [draw],
                        agents=AGENTS, workers=1, measure=trajectory, progress=False)
    assert a["status"] == b["status"] == "ok"
    np.testing.assert_array_equal(a["series"], b["series"])
    again = run_one(Variant("a", str(tiny_path)), draw, AGENTS, trajectory)
    np.testing.assert_array_equal(a["series"], again["series"])


def test_records_carry_every_drawn_parameter_and_use_it(tiny_path: Path) -> None:
    plan = draws(str(tiny_path), 2, seed=5)
    records = run_variants([Variant("base", str(tiny_path))], plan, agents=AGENTS, workers=1,
                           measure=trajectory, progress=False)
    for draw, rec in zip(plan, records, strict=True):
        assert {"run_id", "variant", "seed", "status"} <= set(rec)
        assert rec["run_id"] == draw.run_id and rec["seed"] == draw.seed
        assert all(rec[name] == value for name, value in draw.pars.items())
        assert rec["used_eta"] == draw.pars["eta"]
        assert rec["used_dws_kappa"] == draw.pars["dws_kappa"]


def test_a_failing_run_is_recorded_not_raised(tiny_path: Path) -> None:
    bad = {"pars": {"eta": {"value": 99.0, "assumed": True, "reason": "test: off its domain"}}}
    records = run_variants([Variant("good", str(tiny_path)),
                            Variant("bad", str(tiny_path), overrides=bad)],
                           [Draw(0, 1, {})], agents=AGENTS, workers=1, measure=end_state,
                           progress=False)
    good, failed = records
    assert good["status"] == "ok" and "output_per_capita/Plan" in good
    assert failed["status"].startswith("ScenarioError") and "pars.eta" in failed["status"]


def test_bad_arguments_are_refused_before_running(tiny_path: Path) -> None:
    draw = [Draw(0, 1, {})]
    with pytest.raises(ValueError, match="unknown theory"):
        run_variants([Variant("x", str(tiny_path), theory="astrology")], draw, agents=AGENTS,
                     workers=1, progress=False)
    with pytest.raises(ScenarioError, match="unknown scenario"):
        run_variants([Variant("x", "atlantis")], draw, agents=AGENTS, workers=1,
                     progress=False)
    with pytest.raises(ValueError, match="picklable"):
        run_variants([Variant("x", str(tiny_path))], draw, agents=AGENTS, workers=2,
                     measure=lambda sim: {}, progress=False)
    with pytest.raises(ValueError, match="runs must be"):
        draws(str(tiny_path), 0, seed=1)


def test_process_pool_gives_the_inline_results(tiny_path: Path) -> None:
    plan = draws(str(tiny_path), 2, seed=9)
    variants = [Variant("base", str(tiny_path))]
    inline = run_variants(variants, plan, agents=AGENTS, workers=1, measure=end_state,
                          progress=False)
    pooled = run_variants(variants, plan, agents=AGENTS, workers=2, measure=end_state,
                          progress=False)
    for a, b in zip(inline, pooled, strict=True):
        a.pop("wall_seconds")
        b.pop("wall_seconds")
        assert a == b


def test_merge_appends_events_and_replaces_numbers() -> None:
    base = {"events": [{"kind": "a"}], "pars": {"x": {"value": 1, "source": "s"}},
            "regions": {"R": {"policy": {"y": {"value": 2, "source": "s"}}, "bloc": "colony"}}}
    over = {"events": [{"kind": "b"}], "pars": {"x": {"value": 3, "assumed": True}},
            "regions": {"R": {"policy": {"z": {"value": 4, "source": "s"}}}}}
    out = merge(base, over)
    assert out["events"] == [{"kind": "a"}, {"kind": "b"}]
    assert out["pars"]["x"] == {"value": 3, "assumed": True}
    assert set(out["regions"]["R"]["policy"]) == {"y", "z"}
    assert out["regions"]["R"]["bloc"] == "colony"
    assert base["events"] == [{"kind": "a"}]  # the input is left alone


# --- the `sovsim ensemble` command ------------------------------------------------------------
def test_ensemble_command_writes_its_folder(tmp_path: Path, tiny_path: Path) -> None:
    out = tmp_path / "ens"
    args = ["ensemble", str(tiny_path), "--runs", "2", "--agents", str(AGENTS), "--seed", "4",
            "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["kind"] == "ensemble" and "sovsim_version" in meta
    runs = pq.read_table(out / "runs.parquet").to_pylist()
    assert [r["run_id"] for r in runs] == [0, 1]
    assert all(r["status"] == "ok" and (out / r["folder"] / "regions.parquet").exists()
               for r in runs)
    assert set(priors_of(load(tiny_path))) <= set(runs[0])
    run_meta = json.loads((out / "run-0001" / "meta.json").read_text())
    assert run_meta["run_id"] == 1 and run_meta["seed"] == runs[1]["seed"]
    summary = pq.read_table(out / "summary.parquet").to_pylist()
    assert {(r["variable"], r["region"]) for r in summary} >= {("prestige", "world"),
                                                                ("population", "Colony")}
    assert all(r["q05"] <= r["q50"] <= r["q95"] for r in summary)
    assert CliRunner().invoke(app, ["classify", str(out / "run-0000"), "--year", "1950"]
                              ).exit_code == 0
    assert meta["complete"] is True and not (out / "parts").exists()
    # an earlier ensemble is replaced only with --force
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert CliRunner().invoke(app, [*args, "--force"]).exit_code == 0


@pytest.mark.parametrize("extra", [
    ["--runs", "0"],
    ["--runs", "1", "--workers", "0"],
    ["--runs", "1", "--theory", "astrology"],
    ["--runs", "1", "--agents", "0"],
])
def test_ensemble_command_refuses_bad_input(tmp_path: Path, tiny_path: Path,
                                            extra: list[str]) -> None:
    out = tmp_path / "ens"
    result = CliRunner().invoke(app, ["ensemble", str(tiny_path), *extra, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()


def test_ensemble_command_refuses_unknown_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ensemble", "atlantis", "--runs", "1", "--out",
                                      str(tmp_path / "ens")])
    assert result.exit_code == 2
    assert "atlantis" in result.output


def test_ensemble_command_does_not_overwrite_a_foreign_folder(tmp_path: Path,
                                                              tiny_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("do not delete")
    result = CliRunner().invoke(app, ["ensemble", str(tiny_path), "--runs", "1", "--agents",
                                      str(AGENTS), "--out", str(out)])
    assert result.exit_code == 2
    assert "not a sovsim folder" in result.output
    assert [p.name for p in out.iterdir()] == ["thesis.txt"]


def test_failed_runs_are_written_and_make_the_command_exit_1(
        tmp_path: Path, tiny_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sovsim.engine.sim import Sim

    real = Sim.run
    plan = draws(str(tiny_path), 3, 2)

    def sometimes(self: Sim, *args: object, **kwargs: object) -> object:
        if self.seed == plan[1].seed:
            raise FloatingPointError("a run that diverged")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Sim, "run", sometimes)
    out = tmp_path / "ens"
    result = CliRunner().invoke(app, ["ensemble", str(tiny_path), "--runs", "3", "--agents",
                                      str(AGENTS), "--seed", "2", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "error: 1 of 3 runs failed" in result.output
    runs = pq.read_table(out / "runs.parquet").to_pylist()
    assert [r["status"] for r in runs] == ["ok", "FloatingPointError: a run that diverged", "ok"]
    meta = json.loads((out / "meta.json").read_text())
    assert meta["complete"] is True and meta["runs_failed"] == 1
