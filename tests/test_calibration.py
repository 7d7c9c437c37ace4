"""Calibration per bloc against Maddison (2010): data, loss, per-region parameters, overlay."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED, needs_shared
from sovsim.calibration.data import WORLD1946_BLOCS, Bloc, maddison2010, targets_for
from sovsim.calibration.fit import calibrate
from sovsim.calibration.knobs import ACCUMULATION, SAVING, with_values
from sovsim.calibration.loss import losses, residuals
from sovsim.calibration.runs import Runner
from sovsim.calibration.write import overlay_text
from sovsim.world.build import build_world
from sovsim.world.loading import ScenarioError, builtin_path, load
from sovsim.world.names import Sector

# --- data ----------------------------------------------------------------------------------

def test_maddison_loader_reads_the_right_rows() -> None:
    data = maddison2010()
    assert data["SUN"][1946] == 1913
    assert data["USA"][1946] == 9197
    assert data["DEU"][1946] == 2217
    assert 1946 not in data["POL"] and data["POL"][1950] == 2447  # missing years stay missing
    assert {c for b in WORLD1946_BLOCS for c in b.codes} <= set(data)


@needs_shared("data", "history", "maddison_gdp_pc.csv")
def test_packaged_rows_equal_the_shared_maddison2010_rows() -> None:
    shared = SHARED / "data" / "history" / "maddison_gdp_pc.csv"
    full = maddison2010(shared)  # reads only the Maddison2010 release of the full file
    packaged = maddison2010()
    for code, series in packaged.items():
        for year, value in series.items():
            assert full[code][year] == value, (code, year)
    with shared.open(encoding="utf-8") as f:
        other = {(r["country_code"], int(r["year"])): float(r["gdp_pc"])
                 for r in csv.DictReader(f) if r["dataset"] == "MPD2013"}
    assert other[("ITA", 1946)] != packaged["ITA"][1946]  # the releases differ: none mixed in


def test_targets_map_both_german_zones_to_germany() -> None:
    targets = targets_for(WORLD1946_BLOCS, maddison2010())
    assert targets["Germany_East"] == targets["Germany_West"]
    assert targets["Indochina"][1950] == 658


# --- loss ----------------------------------------------------------------------------------

BLOC = Bloc("all", ("A", "B"), ("XA", "XB"))


def test_loss_is_zero_when_the_model_equals_the_data() -> None:
    data = {"A": {1950: 100.0, 1951: 110.0}, "B": {1950: 50.0, 1952: 60.0}}
    assert losses(data, data, [BLOC], (1950, 1952))["all"] == 0.0
    res, owner = residuals(data, data, [BLOC], (1950, 1952))
    assert not res.any() and len(res) == 4 and (owner == 0).all()


def test_loss_is_the_mean_squared_log_error_regions_weighted_equally() -> None:
    data = {"A": {1950: 100.0, 1951: 100.0}, "B": {1950: 100.0, 1952: 100.0}}
    sim = {"A": {1950: 100.0 * np.e, 1951: 100.0, 1952: 1.0},
           "B": {1950: 100.0, 1951: 7.0, 1952: 100.0 / np.e ** 2}}
    loss = losses(sim, data, [BLOC], (1950, 1952))
    # A: (1 + 0)/2; B: (0 + 4)/2; missing data years (A 1952, B 1951) skipped
    assert loss["all"] == pytest.approx((0.5 + 2.0) / 2)
    res, _ = residuals(sim, data, [BLOC], (1950, 1952))
    assert res @ res == pytest.approx(loss["all"])


# --- per-region parameters ---------------------------------------------------------------

def _with_region_pars(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "over.toml"
    path.write_text(f'[scenario]\nname = "over"\ndescription = "test"\nstart = "1946-01"\n'
                    f'end = "1950-12"\ninherits = "{Path(__file__).parent / "data/tiny.toml"}"\n'
                    f"{table}\n", encoding="utf-8")
    return path


def test_region_pars_override_the_shared_values(tmp_path: Path) -> None:
    path = _with_region_pars(tmp_path, '[regions.Power.pars]\n'
                             'g0_heavy = { value = 0.03, source = "test" }\n'
                             'sigma_light = { value = 2.0, source = "test" }\n'
                             'saving_capitalist = { value = 0.5, source = "test" }\n')
    start = build_world(load(path))
    geo, econ, pars = start.geo, start.econ, start.pars
    tech, p = econ.tech, geo.index("Power")
    assert tech.g0.shape == (3, 3) and tech.sigma.shape == (3, 3)
    assert tech.g0[p, Sector.HEAVY] == 0.03 and tech.g0[p, Sector.LIGHT] == pars["g0_light"]
    assert tech.g0[geo.index("Plan"), Sector.HEAVY] == pars["g0_heavy"]
    assert tech.saving_capitalist is not None and tech.saving_capitalist[p] == 0.5
    # the initial capital follows the region's own capital-output ratio
    shared = build_world(load(Path(__file__).parent / "data/tiny.toml")).econ
    ratio = econ.K[p, Sector.LIGHT].sum() / shared.K[p, Sector.LIGHT].sum()
    assert ratio == pytest.approx(2.0 / pars["sigma_light"])


def test_scenarios_without_region_pars_keep_shared_arrays() -> None:
    econ = build_world(load("ussr1921")).econ
    assert econ.tech.sigma.ndim == 1 and econ.tech.saving_capitalist is None


@pytest.mark.parametrize(("table", "message"), [
    ('[regions.Power.pars]\nphillips_rho = { value = 0.6, source = "x" }', "cannot be set per"),
    ('[regions.Power.pars]\neta = { value = 5.0, source = "x" }', "outside its domain"),
    ('[regions.Power.pars]\neta = { value = 0.5 }', "source"),
])
def test_bad_region_pars_are_refused(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)) as err:
        load(_with_region_pars(tmp_path, table))
    assert re.search(r"regions\.Power\b.*pars\.", str(err.value))


# --- the calibrated default world ------------------------------------------------------------

def test_default_world_carries_the_calibration_with_provenance() -> None:
    # the history issue folded the refitted values into world1946 itself (no overlay to know of)
    loaded = load("world1946")
    raw = tomllib.loads(builtin_path("world1946").read_text(encoding="utf-8"))
    numbers = [(region, name, number)
               for region, tables in raw["regions"].items()
               for table in ("pars", "policy")
               for name, number in tables.get(table, {}).items()
               if str(number.get("source", "")).startswith("calibrated by sovsim calibrate")]
    assert numbers
    for region, name, number in numbers:
        assert "Maddison2010 1946-1970" in number["source"], (region, name)
        assert "loss" in number["source"], (region, name)
    # every bloc region got its bloc's values, and the blocs differ
    calibrated = {r for r, _, _ in numbers}
    assert calibrated == {r for b in WORLD1946_BLOCS for r in b.regions}
    econ = build_world(loaded).econ
    assert econ.tech.g0.ndim == 2 and len({tuple(row) for row in econ.tech.g0}) > 1


# --- a tiny calibration --------------------------------------------------------------------

def test_a_tiny_calibration_lowers_the_loss(tiny_path: Path) -> None:
    tiny = load(tiny_path)
    bloc = Bloc("all", ("Plan", "Power", "Colony"), ("P", "W", "C"))
    knobs = {"all": (ACCUMULATION, SAVING)}
    truth = with_values(tiny, [bloc], knobs, {"all": [0.7, 0.4]})
    with Runner(400, (0,), workers=1) as run:
        targets = run(truth, 1950)  # synthetic data: the model itself at other values
    assert losses(targets, targets, [bloc], (1946, 1950))["all"] == 0.0
    cal = calibrate(tiny, blocs=[bloc], knobs=knobs, targets=targets, years=(1946, 1950),
                      agents=400, seeds=(0,), evaluations=6, workers=1)
    assert cal.evaluations <= 6
    assert cal.loss["all"] < cal.loss_start["all"]
    assert cal.loss["all"] == min(cal.history)
    text = overlay_text(cal, tiny, str(tiny_path), "tiny_calibrated", date="2000-01-01")
    over = tomllib.loads(text)
    value = over["regions"]["Power"]["pars"]["saving_capitalist"]
    assert value["value"] == pytest.approx(cal.values["all"][1], rel=1e-4)
    assert value["source"].startswith("calibrated by sovsim calibrate on 2000-01-01: loss")


# --- the command ---------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", ["no_such_world",
                                      str(Path(__file__).parent / "data" / "tiny.toml")])
def test_calibrate_command_refuses_a_world_without_the_blocs(scenario: str,
                                                             tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sovsim.cli import app

    out = tmp_path / "over.toml"
    result = CliRunner().invoke(app, ["calibrate", scenario, "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
