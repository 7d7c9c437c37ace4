"""A run's tidy long tables (Parquet or CSV). The folder they go into, and its meta.json, are
io.folders' and io.run_folder's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sovsim.engine.results import Results
from sovsim.world.names import CLASSES

FORMATS = ("parquet", "csv")


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
