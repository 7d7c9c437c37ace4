"""Global sensitivity (`sovsim sensitivity`): the Sobol' path docks with the Ishigami function's
analytic indices, the Morris path with the closed form of a linear function, and a claim runs
through the same path into a folder that the report and the catalogue read."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from SALib.analyze import sobol as sobol_analyze
from typer.testing import CliRunner

from sovsim.claims.sensitivity import (
    BOOTSTRAP_SEED,
    CONF_LEVEL,
    RESAMPLES,
    SensitivityError,
    analyse,
    claim_outcomes,
    design,
    indices,
    run_seed_of,
    sensitivity_command,
)
from sovsim.cli import app
from sovsim.world.priors import Prior

runner = CliRunner()
A, B = 7.0, 0.1
PI = math.pi


def ishigami(points: list[dict[str, float]]) -> np.ndarray:
    """Ishigami and Homma (1990): sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3."""
    x = np.array([[p["x1"], p["x2"], p["x3"]] for p in points])
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> dict[tuple[str, str], float]:
    """The analytic indices (Sobol' & Levitan 1999): V1 = (1 + b pi^4 / 5)^2 / 2,
    V2 = a^2 / 8, V13 = 8 b^2 pi^8 / 225, V = V1 + V2 + V13."""
    v1 = 0.5 * (1 + B * PI**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = 8 * B**2 * PI**8 / 225
    v = v1 + v2 + v13
    return {("x1", "S1"): v1 / v, ("x2", "S1"): v2 / v, ("x3", "S1"): 0.0,
            ("x1", "ST"): (v1 + v13) / v, ("x2", "ST"): v2 / v, ("x3", "ST"): v13 / v}


def uniform_priors(bounds: dict[str, tuple[float, float]]) -> dict[str, Prior]:
    return {n: Prior(dist="uniform", low=lo, high=hi) for n, (lo, hi) in bounds.items()}


def test_closed_form_is_the_published_one() -> None:
    quoted = {("x1", "S1"): 0.3139, ("x2", "S1"): 0.4424, ("x3", "S1"): 0.0,
              ("x1", "ST"): 0.5576, ("x2", "ST"): 0.4424, ("x3", "ST"): 0.2437}
    for key, value in ishigami_indices().items():
        assert value == pytest.approx(quoted[key], abs=1e-4)


def test_sobol_docks_with_ishigami() -> None:
    # N = 8192 base points, N (D + 2) = 40,960 evaluations. The estimators' standard error
    # falls as 1/sqrt(N); SALib's bootstrap gives its 95% half-width `ci` (1.96 s.e.), measured
    # 0.01-0.03 here (0.03-0.09 at N = 1024). Each index must lie within 2 ci (about 4 s.e.) of
    # the analytic value, and ci must be below 0.04, so that an error of 0.08 cannot pass.
    n = 8192
    priors = uniform_priors({f"x{i}": (-PI, PI) for i in (1, 2, 3)})
    result = analyse(priors, ishigami, "sobol", n, seed=11)
    assert len(result.points) == n * (3 + 2)
    assert result.blocks_dropped == 0
    got = {(r["parameter"], r["index"]): r for r in result.rows}
    for key, exact in ishigami_indices().items():
        assert got[key]["ci"] < 0.04, key
        assert abs(got[key]["value"] - exact) < 2 * got[key]["ci"], (key, got[key], exact)
    # ranked by total order: x1, x2, x3
    assert [got[f"x{i}", "ST"]["rank"] for i in (1, 2, 3)] == [1, 2, 3]


def test_morris_docks_with_a_linear_function() -> None:
    # f = sum c_i x_i with x_i uniform on [lo_i, hi_i]: every elementary effect per unit of
    # prior probability is c_i (hi_i - lo_i) exactly, so mu = that, mu* = |that|, sigma = 0
    bounds = {"a": (0.0, 2.0), "b": (-1.0, 3.0), "c": (10.0, 11.0)}
    coef = {"a": 2.0, "b": -1.5, "c": 0.0}

    def linear(points: list[dict[str, float]]) -> np.ndarray:
        return np.array([sum(coef[k] * p[k] for k in coef) for p in points])

    result = analyse(uniform_priors(bounds), linear, "morris", 20, seed=3)
    got = {(r["parameter"], r["index"]): r["value"] for r in result.rows}
    for name, (lo, hi) in bounds.items():
        ee = coef[name] * (hi - lo)
        assert got[name, "mu"] == pytest.approx(ee, abs=1e-9)
        assert got[name, "mu_star"] == pytest.approx(abs(ee), abs=1e-9)
        assert got[name, "sigma"] == pytest.approx(0.0, abs=1e-9)


def test_designs_have_their_shape() -> None:
    names = ["p", "q", "r"]
    sob = design(names, "sobol", 16, seed=0)
    assert sob.unit.shape == (16 * 5, 3) and sob.independent().sum() == 32
    assert sob.point[:5] == ["A", "AB:p", "AB:q", "AB:r", "B"]
    # AB_i is A with column i from B
    a, ab_q, b = sob.unit[0], sob.unit[2], sob.unit[4]
    assert np.array_equal(ab_q, [a[0], b[1], a[2]])
    mor = design(names, "morris", 5, seed=0)
    assert mor.unit.shape == (5 * 4, 3) and mor.independent().sum() == 5
    for t in range(5):
        rows = mor.unit[t * 4:(t + 1) * 4]
        steps = mor.point[t * 4 + 1:(t + 1) * 4]
        moved = [names[int(np.flatnonzero(rows[j] != rows[j - 1])[0])] for j in (1, 2, 3)]
        assert steps == [f"step:{m}" for m in moved] and sorted(moved) == names
    for method in ("sobol", "morris"):      # a design is a function of its seed (0 included)
        assert np.array_equal(design(names, method, 4, seed=0).unit,
                              design(names, method, 4, seed=0).unit)
        assert not np.array_equal(design(names, method, 4, seed=0).unit,
                                  design(names, method, 4, seed=1).unit)
    for bad in (("sobol", 12), ("sobol", 1), ("morris", 1), ("latin", 8)):
        with pytest.raises(SensitivityError):
            design(names, *bad, seed=0)


def test_an_undefined_effect_drops_its_whole_block() -> None:
    priors = uniform_priors({f"x{i}": (-PI, PI) for i in (1, 2, 3)})
    des = design(sorted(priors), "sobol", 64, seed=2)
    y = ishigami(des.values(priors))
    y[3 * 5 + 2] = np.nan                                # a point of block 3
    rows, dropped, note = indices(des, y)
    assert dropped == 1 and note == ""
    keep = des.block != 3
    problem = {"num_vars": 3, "names": sorted(priors), "bounds": [[0.0, 1.0]] * 3}
    ref = sobol_analyze.analyze(problem, y[keep], calc_second_order=False,
                                num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                                seed=BOOTSTRAP_SEED)
    got = {(r["parameter"], r["index"]): r["value"] for r in rows}
    for j, name in enumerate(sorted(priors)):
        assert got[name, "S1"] == ref["S1"][j] and got[name, "ST"] == ref["ST"][j]
    rows, dropped, note = indices(des, np.full(len(y), np.nan))
    assert dropped == 64 and "need at least 2" in note
    assert all(math.isnan(r["value"]) for r in rows)
    rows, _, note = indices(des, np.ones(len(y)))
    assert "same at every point" in note


def test_claim_point_is_the_claims_commands_draw() -> None:
    """The one function that evaluates a claim at a point gives the claims command's outcome
    for the same parameters and seed."""
    from sovsim.claims.command import run_claims
    from sovsim.claims.ensemble import draws
    from sovsim.claims.registry import select

    mine = claim_outcomes("C7", draws("world1946", 1, 5), agents=300, workers=1,
                          progress=False)[0]
    theirs = run_claims(select("C7"), runs=1, workers=1, agents=300, seed=5,
                        progress=False).outcomes["C7"][0]
    assert mine.status == theirs.status == "ok"
    assert (mine.effect, mine.supports, mine.pars) == (theirs.effect, theirs.supports,
                                                       theirs.pars)


@pytest.fixture(scope="module")
def sens_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sens") / "C7-morris"
    sensitivity_command("C7", "morris", 2, pars="prestige_pull", agents=300, seed=4, out=out,
                        console=Console(quiet=True), progress=False)
    return out


def test_claim_folder_holds_the_design_and_its_indices(sens_dir: Path) -> None:
    meta = json.loads((sens_dir / "meta.json").read_text())
    assert (meta["kind"], meta["method"], meta["claims"], meta["parameters"]) == (
        "sensitivity", "morris", ["C7"], ["prestige_pull"])
    runs = pq.read_table(sens_dir / "runs.parquet").to_pylist()
    des = design(["prestige_pull"], "morris", 2, seed=4)
    assert len(runs) == meta["evaluations"] == 4
    assert {r["seed"] for r in runs} == {run_seed_of(4)}      # common random numbers
    assert [r["point"] for r in runs] == des.point
    assert all(r["status"] == "ok" for r in runs)
    from sovsim.claims.sensitivity import claim_priors

    values = des.values(claim_priors("C7", ["prestige_pull"]))
    assert [r["par_prestige_pull"] for r in runs] == [v["prestige_pull"] for v in values]
    # the indices are those of the effects written
    rows, _, _ = indices(des, np.array([r["effect"] for r in runs]))
    sens = pq.read_table(sens_dir / "sensitivity.parquet").to_pylist()
    assert [(s["parameter"], s["index"], s["value"]) for s in sens] == [
        (r["parameter"], r["index"], r["value"]) for r in rows]
    verdicts = pq.read_table(sens_dir / "verdicts.parquet").to_pylist()
    assert verdicts[0]["claim"] == "C7" and verdicts[0]["n_runs"] == 2   # trajectory starts


def test_two_workers_give_the_same_folder(sens_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "two"
    sensitivity_command("C7", "morris", 2, pars="prestige_pull", agents=300, seed=4, out=out,
                        workers=2, console=Console(quiet=True), progress=False)
    for stem in ("runs", "sensitivity", "verdicts"):
        one = pq.read_table(sens_dir / f"{stem}.parquet").to_pylist()
        two = pq.read_table(out / f"{stem}.parquet").to_pylist()
        assert json.dumps(one, default=str) == json.dumps(two, default=str), stem  # NaN == NaN


def test_report_and_catalogue_read_it(sens_dir: Path) -> None:
    from sovsim.io.catalogue import catalogue
    from sovsim.io.report import build_report

    text, charts = build_report(sens_dir)
    assert "Which assumptions decide it" in text and "By Morris screening" in text
    assert "prestige_pull" in text and charts >= 2
    (entry,) = catalogue(sens_dir)
    assert (entry.kind, entry.status) == ("sensitivity", "complete")


def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "s"
    for args in (["C7", "--n", "3"], ["C12"], ["C2,C3"], ["C7", "--pars", "nope"],
                 ["C7", "--agents", "0"]):
        result = runner.invoke(app, ["sensitivity", *args, "--out", str(out)])
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output and "Traceback" not in result.output
        assert not out.exists()
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["sensitivity", "C7", "--n", "2", "--out", str(out)])
    assert result.exit_code == 2 and (out / "keep.txt").read_text() == "mine"


def test_the_report_names_decisive_parameters_only_when_the_design_decides() -> None:
    import pyarrow as pa

    from sovsim.io.report_sensitivity import decided_by

    def table(rows: list[tuple[str, str, float, float, int]]) -> pa.Table:
        return pa.Table.from_pylist([{"claim": "C7", "method": "sobol", "parameter": p,
                                      "index": i, "value": v, "ci": c, "rank": r}
                                     for p, i, v, c, r in rows])

    clear = table([("a", "S1", 0.6, 0.05, 1), ("a", "ST", 0.7, 0.05, 1),
                   ("b", "S1", 0.2, 0.05, 2), ("b", "ST", 0.3, 0.05, 2),
                   ("c", "S1", 0.0, 0.01, 3), ("c", "ST", 0.01, 0.01, 3)])
    text = decided_by(clear)
    assert "decided by <b>a</b>" in text and "<b>b</b>" in text and "<b>c</b>" not in text
    assert "remaining 0.20 of the variance" in text and "1 of 3 parameters" in text
    noisy = table([("a", "S1", 0.6, 1.3, 1), ("a", "ST", 1.9, 1.8, 1),
                   ("b", "S1", 0.5, 0.6, 2), ("b", "ST", 0.6, 0.8, 2)])
    assert "Not decided at this size of design" in decided_by(noisy)
