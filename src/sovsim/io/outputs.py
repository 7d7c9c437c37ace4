"""Writing a run's folder: meta.json and tidy long tables (Parquet or CSV).

Tables are written to a temporary folder beside the target and moved into place only when all
of them are complete, so that a failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sovsim.engine.results import Results
from sovsim.world.names import CLASSES

FORMATS = ("parquet", "csv")
META_FILE = "meta.json"


def default_run_dir(scenario: str, seed: int, root: Path = Path("runs")) -> Path:
    """runs/<scenario>-s<seed>-<UTC timestamp>/"""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return root / f"{scenario}-s{seed}-{stamp}"


def region_table(results: Results, regions: list[str], dates: list[str],
                 first: int = 0) -> pa.Table:
    """Long table: step, date, region, variable, value."""
    T, R = results.n_steps - first, results.n_regions
    steps = np.arange(first, results.n_steps)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("step", "date", "region", "variable",
                                                          "value")}
    date_arr = np.array(dates[first:])
    region_arr = np.array(regions)
    for name, arr in results.regions.items():
        cols["step"].append(np.repeat(steps, R))
        cols["date"].append(np.repeat(date_arr, R))
        cols["region"].append(np.tile(region_arr, T))
        cols["variable"].append(np.full(T * R, name))
        cols["value"].append(arr[first:].reshape(-1))
    for name, arr in results.world.items():
        cols["step"].append(steps)
        cols["date"].append(date_arr)
        cols["region"].append(np.full(T, "world"))
        cols["variable"].append(np.full(T, name))
        cols["value"].append(arr[first:])
    return _table(cols)


def class_table(results: Results, regions: list[str], dates: list[str],
                first: int = 0) -> pa.Table:
    """Long table: step, date, region, class, variable, value."""
    T, R, K = results.n_steps - first, results.n_regions, results.n_classes
    steps = np.arange(first, results.n_steps)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("step", "date", "region", "class",
                                                          "variable", "value")}
    for name, arr in results.classes.items():
        cols["step"].append(np.repeat(steps, R * K))
        cols["date"].append(np.repeat(np.array(dates[first:]), R * K))
        cols["region"].append(np.tile(np.repeat(np.array(regions), K), T))
        cols["class"].append(np.tile(np.array(CLASSES), T * R))
        cols["variable"].append(np.full(T * R * K, name))
        cols["value"].append(arr[first:].reshape(-1))
    return _table(cols)


def link_table(results: Results, regions: list[str], dates: list[str],
               first: int = 0) -> pa.Table:
    """Long table of flows between regions: step, date, source, target, variable, value.
    Only pairs with a nonzero flow at that step are listed."""
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("step", "date", "source", "target",
                                                          "variable", "value")}
    names = np.array(regions)
    date_arr = np.array(dates)
    for name, arr in results.links.items():
        t, i, j = np.nonzero(arr[first:])
        t = t + first
        cols["step"].append(t)
        cols["date"].append(date_arr[t])
        cols["source"].append(names[i])
        cols["target"].append(names[j])
        cols["variable"].append(np.full(len(t), name))
        cols["value"].append(arr[t, i, j])
    return _table(cols)


def event_table(events: list[tuple[int, str, str, str, str]]) -> pa.Table:
    """The log of events: step, date, kind, region, detail."""
    cols = list(zip(*events, strict=True)) if events else [[], [], [], [], []]
    return pa.table({
        "step": pa.array(cols[0], type=pa.int32()),
        "date": pa.array(cols[1], type=pa.string()),
        "kind": pa.array(cols[2], type=pa.string()),
        "region": pa.array(cols[3], type=pa.string()),
        "detail": pa.array(cols[4], type=pa.string()),
    })


def _table(cols: dict[str, list[np.ndarray]]) -> pa.Table:
    data = {}
    for key, parts in cols.items():
        arr = np.concatenate(parts) if parts else np.array([])
        if key == "step":
            data[key] = pa.array(arr.astype(np.int32))
        elif key == "value":
            data[key] = pa.array(arr.astype(np.float64))
        else:
            data[key] = pa.array(arr.astype(str)).dictionary_encode()
    return pa.table(data)


def write_table(table: pa.Table, folder: Path, stem: str, fmt: str) -> Path:
    """Write one table as `<stem>.parquet` or `<stem>.csv`."""
    if fmt == "parquet":
        path = folder / f"{stem}.parquet"
        pq.write_table(table, path, compression="zstd")
    else:
        path = folder / f"{stem}.csv"
        plain = pa.table({name: (col.cast(col.type.value_type)
                                 if pa.types.is_dictionary(col.type) else col)
                          for name, col in zip(table.column_names, table.columns, strict=True)})
        pacsv.write_csv(plain, path)
    return path


def is_run_dir(path: Path) -> bool:
    """Whether `path` is a folder written by sovsim (it has a meta.json of ours)."""
    meta = path / META_FILE
    if not meta.is_file():
        return False
    try:
        return "sovsim_version" in json.loads(meta.read_text())
    except (OSError, ValueError):
        return False


def check_target(out: Path) -> None:
    """Refuse to write into an existing folder that is not empty and not a sovsim run."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not is_run_dir(out))):
        raise FileExistsError(
            f"{out}: exists and is not a sovsim run folder; choose another --out")


def write_run(out: Path, tables: dict[str, pa.Table], meta: dict[str, Any], fmt: str) -> Path:
    """Write tables and meta.json into `out` atomically (all or nothing)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    check_target(out)
    with atomic_folder(out) as tmp:
        for stem, table in tables.items():
            write_table(table, tmp, stem, fmt)
        write_meta(tmp, meta)
    return out


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target` that replaces it when the block ends without error
    and is removed when it fails: a folder is written whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """meta.json of a sovsim folder, sorted and indented."""
    (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")

