"""`sovsim history`: the scorecard against 1946-1989.

The pattern functions are checked on a world that *is* history (Maddison's own series, WPP's
birth rates, a flat wage share): every row must pass, and the benchmarks the rows quote must be
those of HISTORY.md. Breaking one property of that world must fail exactly its row. The command
itself runs on a small configuration of the default world (the table's shape, the folder, the
report page) and on a deliberately broken world, which must fail with exit code 1.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sovsim.cli import app
from sovsim.validate import history as h
from sovsim.validate import history_data as hd

REGIONS = list(hd.OUTPUT_CODES)
YEARS = np.arange(1946, 1990)
EAST_SHARE = 0.28  # the scenario's split of Germany's population between the zones


def _filled(series: dict[int, float]) -> np.ndarray:
    """A series on YEARS, a missing year taking the nearest year's figure."""
    known = np.array(sorted(series))
    return np.array([series[int(known[np.argmin(np.abs(known - y))])] for y in YEARS])


def historical_world(label: str = "history") -> h.Trajectory:
    """A trajectory equal to the data: what a perfect model would produce."""
    _, pop = hd.maddison()
    n, r = len(YEARS), len(REGIONS)
    s = {name: np.zeros((n, r)) for name in h.MEAN_VARIABLES + h.SUM_VARIABLES}
    for j, region in enumerate(REGIONS):
        s["output_per_capita"][:, j] = _filled(hd.output_per_head(region))
        if region == "India":
            people = sum(_filled(pop[c]) for c in ("IND", "PAK", "BGD"))
        elif region.startswith("Germany"):
            share = EAST_SHARE if region == "Germany_East" else 1 - EAST_SHARE
            people = share * _filled(pop["DEU"])
        else:
            people = _filled(pop[hd.OUTPUT_CODES[region]])
        s["population"][:, j] = people
        cbr = np.array([hd.region_rates(region, 1950 + 5 * max(0, (y - 1950) // 5))[0]
                        for y in YEARS])
        if region == "USSR":
            cbr = np.linspace(26.0, 18.0, n)  # not scored (no WPP figure): any falling rate
        s["births"][:, j] = people * cbr / 1000.0
    output = s["output_per_capita"] * s["population"]
    s["output_heavy"] = output
    s["wage_share"][:] = 0.65
    s["capital_state"] = 3.0 * output
    s["collective_share"][:] = 0.2
    s["collective_share"][:, REGIONS.index("USSR")] = 0.99
    s["investment"] = output * np.linspace(0.2, 0.35, n)[:, None]
    return h.Trajectory(label, YEARS.copy(), list(REGIONS), s)


def rows_of(*runs: h.Trajectory) -> dict[str, h.Row]:
    rows, _, _ = h.score(list(runs))
    return {r.id: r for r in rows}


def test_benchmarks_are_history_md_s() -> None:
    naive = h.naive_rmsle()
    expected = {"USSR": 0.255, "buffer": 0.228, "western": 0.207, "colonies": 0.159,
                "all": 0.215}
    for key, value in expected.items():
        assert naive[key] == pytest.approx(value, abs=6e-4)
    assert h.catch_up_rho(None) == pytest.approx(-0.89, abs=0.005)
    ratio = h.data_growth("USSR", 1970, 1989) / h.data_growth("USSR", 1950, 1970)
    assert ratio == pytest.approx(1.28 / 3.37, abs=0.005)
    groups = {g.label: g for g in hd.POPULATION_GROUPS}
    assert hd.group_population(groups["British India"], 1989) == pytest.approx(1042.37e6)
    assert hd.group_population(groups["Germany (both zones)"], 1989) == pytest.approx(78.645e6)


def test_history_itself_passes_every_row() -> None:
    rows = rows_of(historical_world())
    assert list(rows) == [f"E{i}" for i in range(1, 9)]
    failed = {k: r.model for k, r in rows.items() if not r.passed}
    assert not failed
    assert rows["E1"].value == pytest.approx(0.0, abs=1e-12)
    assert rows["E2"].value == pytest.approx(0.0, abs=1e-12)
    assert rows["E3"].value == pytest.approx(-0.8857, abs=1e-3)


@pytest.mark.parametrize(("row", "breaks"), [
    ("E6", lambda s, j: s["wage_share"].__setitem__((slice(30, 35), j("Italy")), 0.3)),
    ("E8", lambda s, j: s["collective_share"].__setitem__((slice(20, 30), j("USSR")), 0.6)),
    ("E7", lambda s, j: s["population"].__setitem__((slice(None), j("USA")),
                                                      1.2 * s["population"][:, j("USA")])),
    ("E5", lambda s, j: s["output_per_capita"].__setitem__(
        (slice(24, None), j("USSR")),
        s["output_per_capita"][24, j("USSR")] * np.exp(0.034 * np.arange(20)))),
])
def test_a_broken_property_fails_its_row(row: str, breaks) -> None:
    world = historical_world()
    breaks(world.series, REGIONS.index)
    rows = rows_of(world)
    assert not rows[row].passed
    assert all(r.passed for k, r in rows.items() if k not in (row, "E1", "E2"))


def test_seeds_summary_and_range() -> None:
    a, b = historical_world("a"), historical_world("b")
    b.series["output_per_capita"] = b.series["output_per_capita"] * math.exp(0.2)
    rows = rows_of(a, b)
    # geometric mean of output per head: exp(0.1) above the data, so RMSLE 0.1 exactly
    assert rows["E2"].value == pytest.approx(0.1, abs=1e-9)
    assert rows["E2"].low == pytest.approx(0.0, abs=1e-9)
    assert rows["E2"].high == pytest.approx(0.2, abs=1e-9)
    # 0.1 everywhere is below every bloc's naive error and below 0.15 overall
    assert rows["E1"].passed
    assert rows["E1"].value == pytest.approx(0.1, abs=1e-9)


def test_runs_must_cover_the_years() -> None:
    short = historical_world()
    keep = short.years <= 1980
    short.years = short.years[keep]
    short.series = {k: v[keep] for k, v in short.series.items()}
    with pytest.raises(h.HistoryError, match="1946-1989"):
        h.score([short])


# --- the command -----------------------------------------------------------------------------

SMALL = ["--seeds", "1", "--agents", "1500"]


@pytest.fixture(scope="module")
def default_card(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("h") / "history"
    result = CliRunner().invoke(app, ["history", *SMALL, "--json", "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout), out


def test_command_table_shape_and_folder(default_card: tuple[dict, Path]) -> None:
    card, out = default_card
    ids = [r["id"] for r in card["rows"]]
    assert ids == [f"E{i}" for i in range(1, 9)]
    for r in card["rows"]:
        assert set(r) == {"id", "what", "data", "model", "tolerance", "passed", "value", "low",
                          "high"}
        assert isinstance(r["passed"], bool)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["kind"] == "history"
    assert "sovsim_version" in meta
    import pyarrow.parquet as pq

    rows = pq.read_table(out / "rows.parquet")
    assert rows.num_rows == 8
    series = pq.read_table(out / "series.parquet")
    assert set(series.column("variable").to_pylist()) == set(h.SERIES_DRAWN)
    assert series.num_rows == len(h.SERIES_DRAWN) * len(REGIONS) * len(YEARS)


def test_broken_world_fails(default_card: tuple[dict, Path], tmp_path: Path) -> None:
    card, _ = default_card
    world = tmp_path / "broken.toml"
    world.write_text(
        '[scenario]\nname = "broken"\ndescription = "world1946 with an absurd US birth rate"\n'
        'start = "1946-01"\nend = "1991-12"\ninherits = "world1946"\n\n'
        '[regions.USA]\nbirth_rate = { value = 45.0, unit = "per 1000 per year", '
        'assumed = true, reason = "test: a deliberately broken world" }\n')
    result = CliRunner().invoke(app, ["history", *SMALL, "--scenario", str(world), "--json",
                                      "--out", str(tmp_path / "h")])
    assert result.exit_code == 1, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)["rows"]}
    assert not rows["E7"]["passed"]
    default = {r["id"]: r for r in card["rows"]}["E7"]["value"]
    assert rows["E7"]["value"] > default + 1.0  # the USA alone is several times too big


def test_bad_input_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "h"
    result = CliRunner().invoke(app, ["history", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 2
    assert "not a sovsim folder" in " ".join(result.output.split())
    assert not out.exists()


def test_report_draws_the_history_folder(default_card: tuple[dict, Path]) -> None:
    from sovsim.io.report import build_report

    _, out = default_card
    page, charts = build_report(out)
    assert charts == len(h.SERIES_DRAWN)
    assert "Scorecard" in page
    for row_id in ("E1", "E8"):
        assert f"<td>{row_id}</td>" in page


def test_run_folder_scores_as_the_run_itself(default_card: tuple[dict, Path],
                                             tmp_path: Path) -> None:
    # the same seed and agents through `sovsim run` and its folder: the same rows
    card, _ = default_card
    run = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "world1946", "--agents", "1500", "--seed", "0",
                                      "--end", "1989", "--out", str(run)])
    assert result.exit_code == 0, result.output
    scored = CliRunner().invoke(app, ["history", str(run), "--json", "--out",
                                      str(tmp_path / "h")])
    assert scored.exit_code in (0, 1), scored.output
    rows = {r["id"]: r for r in json.loads(scored.stdout)["rows"]}
    for r in card["rows"]:
        assert rows[r["id"]]["passed"] == r["passed"]
        if r["value"] is not None:
            assert rows[r["id"]]["value"] == pytest.approx(r["value"], rel=1e-9, abs=1e-12)
