"""Classification of a finished run: read its folder, label every region and expansion each year,
write the labels beside the run's tables, and explain them (MODEL.md §5).

Two files are written, in the run's own format (Parquet if it wrote regions.parquet, else CSV):

* `labels.<fmt>`: year, region, label, kind ("region" or "expansion"), controller (the governing
  region of an expansion; empty for a region), rule (the decision rule that applied, in words);
* `labels_criteria.<fmt>`: the explanation, one row per criterion of each label: year, kind,
  subject ("region" or "controller -> region"), region, controller, criterion, supports (the label
  the criterion speaks for), op, threshold, value, met.

They are two files because they have two shapes (one row per label, one per criterion); the
criteria table joins the labels table on (year, kind, region, controller).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sovsim.classify.criteria import Observed
from sovsim.classify.labels import Verdict, classify
from sovsim.io.outputs import write_table

LABELS_STEM = "labels"
CRITERIA_STEM = "labels_criteria"
_TEXT_COLUMNS = ("date", "region", "class", "variable", "source", "target")


def run_format(run_dir: Path) -> str:
    """The format a run folder was written in: "parquet" or "csv"."""
    for fmt in ("parquet", "csv"):
        if (run_dir / f"regions.{fmt}").is_file():
            return fmt
    raise ValueError(f"{run_dir}: no regions.parquet or regions.csv; not a sovsim run folder")


def _read(run_dir: Path, stem: str, fmt: str) -> pa.Table:
    path = run_dir / f"{stem}.{fmt}"
    if fmt == "parquet":
        return pq.read_table(path)
    with path.open("rb") as f:
        header = f.readline().decode().strip().split(",")
    types = {c: pa.string() for c in header if c in _TEXT_COLUMNS}
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))


def observe(run_dir: Path) -> Observed:
    """The measured observables of a run folder (regions, classes and links tables)."""
    run_dir = Path(run_dir)
    fmt = run_format(run_dir)
    names = None
    meta = run_dir / "meta.json"
    if meta.is_file():
        names = json.loads(meta.read_text()).get("regions")
    return Observed.from_tables(_read(run_dir, "regions", fmt), _read(run_dir, "classes", fmt),
                                _read(run_dir, "links", fmt), names)


def _tables(verdicts: list[Verdict]) -> tuple[pa.Table, pa.Table]:
    labels = pa.table({
        "year": pa.array([v.year for v in verdicts], pa.int32()),
        "region": pa.array([v.region for v in verdicts], pa.string()),
        "label": pa.array([v.label for v in verdicts], pa.string()),
        "kind": pa.array([v.kind for v in verdicts], pa.string()),
        "controller": pa.array([v.controller if v.kind == "expansion" else None
                                for v in verdicts], pa.string()),
        "rule": pa.array([v.rule for v in verdicts], pa.string()),
    })
    rows = [(v, m) for v in verdicts for m in v.measurements]
    criteria = pa.table({
        "year": pa.array([v.year for v, _ in rows], pa.int32()),
        "kind": pa.array([v.kind for v, _ in rows], pa.string()),
        "subject": pa.array([v.subject for v, _ in rows], pa.string()),
        "region": pa.array([v.region for v, _ in rows], pa.string()),
        "controller": pa.array([v.controller if v.kind == "expansion" else None
                                for v, _ in rows], pa.string()),
        "criterion": pa.array([m.criterion.name for _, m in rows], pa.string()),
        "supports": pa.array([m.criterion.supports for _, m in rows], pa.string()),
        "op": pa.array([m.criterion.op for _, m in rows], pa.string()),
        "threshold": pa.array([m.criterion.threshold for _, m in rows], pa.float64()),
        "value": pa.array([m.value for _, m in rows], pa.float64()),
        "met": pa.array([m.met for _, m in rows], pa.bool_()),
    })
    return labels, criteria


def classify_run(run_dir: Path) -> tuple[pa.Table, pa.Table]:
    """Labels of every region and expansion in every year of a run, and their criteria table."""
    return _tables(classify(observe(Path(run_dir))))


def write_labels(run_dir: Path) -> list[Path]:
    """Write labels and labels_criteria into the run folder, in the run's format."""
    run_dir = Path(run_dir)
    fmt = run_format(run_dir)
    labels, criteria = classify_run(run_dir)
    return [write_table(labels, run_dir, LABELS_STEM, fmt),
            write_table(criteria, run_dir, CRITERIA_STEM, fmt)]


def _select(obs: Observed, year: int | None, region: str | None) -> tuple[list[int], str | None]:
    years = obs.year_list()
    if region is not None and region not in obs.regions:
        raise ValueError(f"unknown region {region!r}; valid: {', '.join(obs.regions)}")
    if year is not None and year not in years:
        raise ValueError(f"year {year} is outside the run; valid: {years[0]}-{years[-1]}")
    return (years if year is None else [year]), region


def _fmt(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.3g}"


def _criteria_table(v: Verdict) -> Table:
    title = (f"{v.year}  {v.subject}: [bold]{v.label}[/bold]"
             + (f"  (governed by {v.controller})" if v.kind == "region" and v.controller else ""))
    table = Table(title=title, caption=v.rule, title_justify="left", caption_justify="left")
    for col, just in (("criterion", "left"), ("supports", "left"), ("measured", "left"),
                      ("value", "right"), ("threshold", "right"), ("met", "center")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for m in v.measurements:
        c = m.criterion
        mark = "—" if math.isnan(m.value) else ("yes" if m.met else "no")
        table.add_row(c.name, c.supports, escape(f"{c.measures} [{c.unit}] ({c.seed})"),
                      _fmt(m.value),
                      f"{c.op} {c.threshold:g}", mark)
    return table


def _summary(verdicts: list[Verdict]) -> Table:
    """Labels of each subject as runs of years with the same label."""
    table = Table(title="labels by year", title_justify="left")
    table.add_column("subject")
    table.add_column("labels")
    spans: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for v in verdicts:
        runs = spans.setdefault((v.kind, v.subject), [])
        if runs and runs[-1][2] == v.label and runs[-1][1] == v.year - 1:
            runs[-1] = (runs[-1][0], v.year, v.label)
        else:
            runs.append((v.year, v.year, v.label))
    for kind in ("region", "expansion"):
        for (k, subject), runs in spans.items():
            if k == kind:
                table.add_row(subject, "; ".join(f"{a}-{b} {lab}" if a != b else f"{a} {lab}"
                                                 for a, b, lab in runs))
    return table


def explain(run_dir: Path, year: int | None, region: str | None, console: Console) -> None:
    """Print the label and the criteria table of each selected region and year, and of each
    expansion into or out of it. `year`/`region` None: all of them. Raises ValueError for a
    region not in the run or a year outside it."""
    obs = observe(Path(run_dir))
    years, region = _select(obs, year, region)
    verdicts = [v for v in classify(obs, years)
                if region is None or region in (v.region, v.controller if v.kind == "expansion"
                                                else None)]
    if len(years) > 1:
        console.print(_summary(verdicts))
    for y in years:
        for kind in ("region", "expansion"):
            for v in verdicts:
                if v.year == y and v.kind == kind:
                    console.print(_criteria_table(v))
