"""`sovsim run`: the run folder, determinism, the documented variables, and bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sovsim.cli import app
from sovsim.engine.results import (
    CLASS_VARIABLES,
    LINK_VARIABLES,
    POLITICS_CLASS_VARIABLES,
    POLITICS_REGION_VARIABLES,
    REGION_VARIABLES,
    WORLD_VARIABLES,
)

runner = CliRunner(env={"COLUMNS": "200"})
DOCS = Path(__file__).resolve().parents[1] / "docs" / "OUTPUTS.md"


def run(args: list[str]):
    return runner.invoke(app, ["run", *args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, tiny_path):
    root = tmp_path_factory.mktemp("runs")
    outs = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        out = root / name
        res = run([str(tiny_path), "--agents", "3000", "--seed", str(seed), "--out", str(out)])
        assert res.exit_code == 0, res.output
        outs.append(out)
    return outs


def test_run_folder_has_the_documented_files(two_runs):
    out = two_runs[0]
    for name in ("meta.json", "regions.parquet", "classes.parquet", "links.parquet",
                 "events.parquet", "labels.parquet"):
        assert (out / name).is_file(), name
    meta = json.loads((out / "meta.json").read_text())
    assert meta["seed"] == 7 and meta["agents"] == 3000 and meta["steps"] == 60
    assert len(meta["scenario_sha256"]) == 64
    assert meta["people_per_agent"] == pytest.approx(6_000_000 / 3000)


def test_same_seed_same_bytes_other_seed_differs(two_runs):
    a, b, c = two_runs
    for name in ("regions.parquet", "classes.parquet", "links.parquet", "events.parquet"):
        assert digest(a / name) == digest(b / name), name
    assert digest(a / "regions.parquet") != digest(c / "regions.parquet")


def test_every_variable_written_is_documented_with_its_unit(two_runs):
    text = DOCS.read_text()
    table = pq.read_table(two_runs[0] / "regions.parquet").to_pydict()
    written = set(table["variable"])
    documented = {**REGION_VARIABLES, **POLITICS_REGION_VARIABLES, **WORLD_VARIABLES,
                  **CLASS_VARIABLES, **POLITICS_CLASS_VARIABLES, **LINK_VARIABLES}
    assert written <= set(documented)
    for name, (unit, _) in documented.items():
        assert f"`{name}`" in text and unit in text, name


def test_tidy_long_form(two_runs):
    regions = pq.read_table(two_runs[0] / "regions.parquet")
    assert regions.column_names == ["step", "date", "region", "variable", "value"]
    classes = pq.read_table(two_runs[0] / "classes.parquet")
    assert classes.column_names == ["step", "date", "region", "class", "variable", "value"]
    rows = regions.to_pydict()
    assert "world" in set(rows["region"])  # prestige
    assert {"1946-01", "1950-12"} <= set(rows["date"])


def test_start_writes_the_same_run_from_that_year_on(tmp_path, two_runs, tiny_path):
    # --start trims the outputs, not the run: the rows it writes are the full run's own
    out = tmp_path / "from1948"
    res = run([str(tiny_path), "--agents", "3000", "--seed", "7", "--start", "1948",
               "--out", str(out)])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["first_recorded_step"] == 24
    for name in ("regions.parquet", "classes.parquet", "links.parquet"):
        full = pq.read_table(two_runs[0] / name).to_pylist()
        trimmed = pq.read_table(out / name).to_pylist()
        assert min(r["date"] for r in trimmed) == "1948-01"
        assert max(r["date"] for r in trimmed) == "1950-12"
        expected = [r for r in full if r["date"] >= "1948-01"]
        assert len(trimmed) == len(expected) > 0, name
        assert trimmed == expected, name


@pytest.mark.parametrize("start", ["1940", "1951"])
def test_start_outside_the_horizon_exits_2(tmp_path, tiny_path, start):
    out = tmp_path / "never"
    res = run([str(tiny_path), "--agents", "1000", "--start", start, "--out", str(out)])
    assert res.exit_code == 2 and "--start" in res.output
    assert not out.exists()


def test_a_whole_run_in_spatial_mode(tmp_path, tiny_path):
    """Mobilisation on the grid, the whole step plan, through the command: the run is seeded
    (the same bytes twice), its counts stay within the population, and the grid is used (the
    same seed well mixed gives another run)."""
    outs = {}
    for name, mode in (("a", "spatial"), ("b", "spatial"), ("w", "well-mixed")):
        outs[name] = tmp_path / name
        res = run([str(tiny_path), "--agents", "2000", "--seed", "3", "--end", "1948",
                   "--mode", mode, "--out", str(outs[name])])
        assert res.exit_code == 0, res.output
    assert digest(outs["a"] / "regions.parquet") == digest(outs["b"] / "regions.parquet")
    assert digest(outs["a"] / "regions.parquet") != digest(outs["w"] / "regions.parquet")
    rows = pq.read_table(outs["a"] / "regions.parquet").to_pandas()
    rows["variable"] = rows["variable"].astype(str)
    rows["region"] = rows["region"].astype(str)
    rows = rows[rows["region"] != "world"]   # the world's rows hold prestige only
    wide = rows.pivot_table(index=["step", "region"], columns="variable", values="value")
    held = wide["active_left"] + wide["active_right"] + wide["jailed"]
    assert (wide[["active_left", "active_right", "jailed"]] >= 0).all().all()
    assert (held <= wide["population"] * (1 + 1e-9)).all()
    assert held.sum() > 0   # someone acted or was jailed: the grid kernel ran


def test_csv_format_writes_the_same_tables(tmp_path, tiny_path):
    res = run([str(tiny_path), "--agents", "2000", "--end", "1947", "--format", "csv",
               "--out", str(tmp_path / "csv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "csv" / "regions.csv").read_text().startswith(
        "\"step\",\"date\",\"region\",\"variable\",\"value\"")
    assert (tmp_path / "csv" / "labels.csv").is_file()


@pytest.mark.parametrize("theory", ["dws", "state-capitalism", "bureaucratic-collectivism"])
def test_each_theory_runs_and_prints_labels_and_reversals(tmp_path, tiny_path, theory):
    res = run([str(tiny_path), "--agents", "2000", "--end", "1948", "--theory", theory,
               "--out", str(tmp_path / theory)])
    assert res.exit_code == 0, res.output
    assert "course reversals" in res.output and f"theory of the bureaucracy: {theory}" in \
        res.output


@pytest.mark.parametrize(("args", "needle"), [
    (["no_such_scenario"], "unknown scenario"),
    (["--agents", "0"], "agents"),
    (["--theory", "market-socialism"], "market-socialism"),
    (["--format", "xlsx"], "xlsx"),
    (["--end", "2100"], "outside"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, needle):
    out = tmp_path / "never"
    res = run([*args, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert needle in res.output
    assert not out.exists()


def test_broken_scenario_names_file_and_key(tmp_path, tiny_path):
    text = tiny_path.read_text().replace("WORKER = 0.3, PEASANT = 0.2",
                                         "WORKER = 0.4, PEASANT = 0.2")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    res = runner.invoke(app, ["check", str(bad)])
    assert res.exit_code == 2
    assert "bad.toml" in res.output and "regions.Plan.classes" in res.output
    assert "sum to 1" in res.output


def test_an_existing_foreign_folder_is_not_overwritten(tmp_path, tiny_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_text("precious")
    res = run([str(tiny_path), "--agents", "1000", "--out", str(out)])
    assert res.exit_code == 2
    assert (out / "thesis.txt").read_text() == "precious"
    assert not (out / "meta.json").exists()


def test_plan_lists_the_step_plan_in_order():
    res = run(["--plan"])
    assert res.exit_code == 0
    order = [line for line in res.output.splitlines() if "│" in line]
    text = "\n".join(order)
    assert text.index("apply_schedule") < text.index("decide") < text.index("produce") \
        < text.index("mobilise") < text.index("renew") < text.index("record")


def test_thread_count_does_not_change_the_output(two_runs, tiny_path, tmp_path):
    # the agent kernels run in parallel over fixed chunks: one thread must give the same bytes
    import os
    import subprocess
    import sys

    out = tmp_path / "one_thread"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "sovsim.cli", "run", str(tiny_path), "--agents",
                    "3000", "--seed", "7", "--out", str(out)], env=env, check=True,
                   capture_output=True)
    for name in ("regions.parquet", "classes.parquet"):
        assert digest(out / name) == digest(two_runs[0] / name), name
