"""The catalogue: `sovsim runs` finds every folder with what its meta.json says, and
`sovsim query` sees every table of every complete folder, each row with its folder.

The folders are real: a run of the tiny test world, an ensemble of it (two draws) and a claims
folder (C3, two draws), all small; an interrupted write and a stranger's folder beside them.
The five queries of docs/OUTPUTS.md are read from the page and checked against the same
numbers read with pyarrow.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from typer.testing import CliRunner

from sovsim.cli import app
from sovsim.io.catalogue import (
    CatalogueError,
    catalogue,
    kind_of,
    query,
)
from sovsim.io.report_data import read

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory, tiny_path: Path) -> Path:
    from sovsim.claims.command import claims_command
    from sovsim.claims.ensemble import ensemble_command

    root = tmp_path_factory.mktemp("catalogue") / "runs"
    result = runner.invoke(app, ["run", str(tiny_path), "--agents", "300", "--end", "1947",
                                 "--out", str(root / "tiny-run")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["run", str(tiny_path), "--agents", "300", "--end", "1946",
                                 "--format", "csv", "--out", str(root / "csv-run")])
    assert result.exit_code == 0, result.output
    quiet = Console(quiet=True)
    ensemble_command(str(tiny_path), 2, agents=300, seed=3, out=root / "ens",
                     console=quiet, progress=False)
    claims_command(only="C3", runs=2, agents=200, seed=1, out=root / "nested" / "claims",
                   console=quiet, progress=False)
    # a write interrupted before its rename: a temporary folder without meta.json
    shutil.copytree(root / "tiny-run", root / ".tiny-run.abc123",
                    ignore=shutil.ignore_patterns("meta.json"))
    # a folder of someone else's, and a sovsim folder whose regions table is gone
    (root / "other").mkdir()
    (root / "other" / "meta.json").write_text('{"name": "not sovsim"}')
    shutil.copytree(root / "tiny-run", root / "broken")
    (root / "broken" / "regions.parquet").unlink()
    return root


def by_folder(root: Path) -> dict[str, object]:
    return {e.folder: e for e in catalogue(root)}


def test_listing_reads_every_folder(store: Path) -> None:
    got = by_folder(store)
    assert set(got) == {"tiny-run", "csv-run", "ens", "ens/run-0000", "ens/run-0001",
                        "nested/claims", ".tiny-run.abc123", "broken"}
    run = got["tiny-run"]
    meta = json.loads((store / "tiny-run" / "meta.json").read_text())
    assert (run.kind, run.scenario, run.seed, run.agents, run.version, run.status) == (
        "run", "tiny", 0, 300, meta["sovsim_version"], "complete")
    ens = got["ens"]
    assert (ens.kind, ens.scenario, ens.theory, ens.seed, ens.status) == (
        "ensemble", "tiny", "dws", 3, "complete")
    assert ens.time == json.loads((store / "ens" / "meta.json").read_text())["started"]
    for k in (0, 1):
        sub = got[f"ens/run-000{k}"]
        seed = json.loads((store / "ens" / f"run-000{k}" / "meta.json").read_text())["seed"]
        assert (sub.kind, sub.seed, sub.status) == ("run", seed, "complete")
    claims = got["nested/claims"]
    assert (claims.kind, claims.scenario, claims.agents, claims.seed) == (
        "claims", "claims C3", 200, 1)
    assert got[".tiny-run.abc123"].status.startswith("incomplete: a temporary folder")
    assert got["broken"].status == "incomplete: no regions table"


def test_kind_comes_from_meta_before_layout(tmp_path: Path) -> None:
    (tmp_path / "regions.parquet").write_bytes(b"")
    assert kind_of(tmp_path, None) == "run"
    assert kind_of(tmp_path, {"kind": "history"}) == "history"
    (tmp_path / "regions.parquet").unlink()
    (tmp_path / "verdicts.parquet").write_bytes(b"")
    assert kind_of(tmp_path, {"sovsim_version": "0"}) == "claims"
    (tmp_path / "verdicts.parquet").unlink()
    assert kind_of(tmp_path, None) is None


def test_views_hold_every_complete_folder(store: Path) -> None:
    counts = query(store, "SELECT folder, count(*) AS n FROM regions GROUP BY folder").to_pylist()
    got = {r["folder"]: r["n"] for r in counts}
    complete = ("tiny-run", "ens/run-0000", "ens/run-0001")
    expect = {f: pq.read_metadata(store / f / "regions.parquet").num_rows for f in complete}
    expect["csv-run"] = pacsv.read_csv(store / "csv-run" / "regions.csv").num_rows
    assert got == expect
    runs = query(store, "SELECT folder, run_folder, claim FROM runs ORDER BY ALL").to_pylist()
    assert [(r["folder"], r["run_folder"]) for r in runs if r["claim"] is None] == [
        ("ens", "ens/run-0000"), ("ens", "ens/run-0001")]
    assert sum(r["claim"] == "C3" for r in runs) == 2


def sql_blocks() -> list[str]:
    text = (ROOT / "docs" / "OUTPUTS.md").read_text()
    section = text.split("## The catalogue", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def last_value(folder: Path, variable: str, region: str) -> float:
    t = pq.read_table(folder / "regions.parquet")
    t = t.filter(pc.and_(pc.equal(t["variable"].cast("string"), variable),
                         pc.equal(t["region"].cast("string"), region)))
    steps = t["step"].to_numpy()
    return float(t["value"].to_numpy()[np.argmax(steps)])


def test_the_five_documented_queries(store: Path) -> None:
    blocks = sql_blocks()
    assert len(blocks) == 5
    kinds, final, drawn, verdicts, labels = (query(store, q).to_pylist() for q in blocks)

    listing = catalogue(store)
    expect: dict[tuple[str, str], int] = {}
    for e in listing:
        expect[e.kind, e.status] = expect.get((e.kind, e.status), 0) + 1
    assert {(r["kind"], r["status"]): r["folders"] for r in kinds} == expect

    runs = ("csv-run", "ens/run-0000", "ens/run-0001", "tiny-run")
    assert sorted({r["folder"] for r in final}) == list(runs)
    for r in final:
        if r["folder"] == "csv-run":
            continue      # read from CSV: its tables are counted in test_views_...
        assert r["output_per_head"] == last_value(store / r["folder"], "output_per_capita",
                                                  r["region"])

    ens = pq.read_table(store / "ens" / "runs.parquet").to_pylist()
    assert [r["run_folder"] for r in drawn] == [
        f"ens/{e['folder']}" for e in sorted(ens, key=lambda e: e["eta"])]
    for r in drawn:
        assert r["collective_share"] == last_value(store / r["run_folder"], "collective_share",
                                                   "Plan")

    written = pq.read_table(store / "nested" / "claims" / "verdicts.parquet").to_pylist()
    assert [(r["claim"], r["folder"], r["label"], r["n_runs"]) for r in verdicts] == [
        (w["claim"], "nested/claims", w["label"], w["n_runs"]) for w in written]

    count: dict[str, int] = {}
    for folder in ("tiny-run", "csv-run"):     # the run folders that were classified
        for row in read(store / folder, "labels").to_pylist():
            if row["kind"] == "region":
                count[row["label"]] = count.get(row["label"], 0) + 1
    assert {r["label"]: r["region_years"] for r in labels} == count
    assert [r["region_years"] for r in labels] == sorted(count.values(), reverse=True)


def test_bad_input_is_one_line_and_exit_2(store: Path, tmp_path: Path) -> None:
    for args in (["query", str(store), "SELEC 1"],
                 ["query", str(store), "SELECT * FROM no_such_table"],
                 ["query", str(tmp_path / "nowhere"), "SELECT 1"],
                 ["runs", str(tmp_path / "nowhere")],
                 ["query", str(store), "SELECT 1", "--out", str(tmp_path / "x.xlsx")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") <= 2 and "Traceback" not in result.output
        assert "error:" in result.output
    with pytest.raises(CatalogueError, match="query failed"):
        query(store, "SELECT nope FROM regions")


def test_out_writes_and_never_overwrites_without_force(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "kinds.csv"
    args = ["query", str(store), "SELECT folder, kind FROM folders ORDER BY folder",
            "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    written = pacsv.read_csv(out).to_pylist()
    assert [r["folder"] for r in written] == sorted(e.folder for e in catalogue(store))
    out.write_text("mine")
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and out.read_text() == "mine"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert out.read_text() != "mine"
    listing = tmp_path / "listing.parquet"
    assert runner.invoke(app, ["runs", str(store), "--out", str(listing)]).exit_code == 0
    assert pq.read_table(listing).num_rows == len(catalogue(store))


def test_cells_are_printed_as_literal_text(store: Path) -> None:
    result = runner.invoke(app, ["query", str(store), "SELECT '[bold]x[/bold]' AS cell"])
    assert result.exit_code == 0
    assert "[bold]x[/bold]" in result.output


def test_a_damaged_table_is_one_line(store: Path, tmp_path: Path) -> None:
    root = tmp_path / "runs"
    shutil.copytree(store / "tiny-run", root / "damaged")
    (root / "damaged" / "classes.parquet").write_bytes(b"PAR1 not really")
    result = runner.invoke(app, ["query", str(root), "SELECT count(*) FROM regions"])
    assert result.exit_code == 2
    assert "a table cannot be read" in " ".join(result.output.split())   # however it wraps
    assert "Traceback" not in result.output
