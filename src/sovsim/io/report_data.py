"""Reading a folder's tables for the report, and the statistics its charts show.

Only pyarrow and numpy: pandas is a test dependency of sovsim, not a dependency of the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

# columns that a CSV reader must keep as text even when they look like numbers
_TEXT_COLUMNS = ("date", "region", "class", "variable", "source", "target", "claim", "variant",
                 "run_id", "subject", "label", "theory", "parameter", "status", "kind",
                 "controller", "detail")


def table_path(folder: Path, stem: str) -> Path | None:
    """`<stem>.parquet` or `<stem>.csv` in `folder`, whichever exists (Parquet first)."""
    for suffix in ("parquet", "csv"):
        path = folder / f"{stem}.{suffix}"
        if path.is_file():
            return path
    return None


def read(folder: Path, stem: str) -> pa.Table | None:
    """A table of the folder, dictionary columns decoded; None when it is absent."""
    path = table_path(folder, stem)
    if path is None:
        return None
    if path.suffix == ".parquet":
        table = pq.read_table(path)
    else:
        with path.open("rb") as f:
            header = f.readline().decode().strip().split(",")
        types = {c: pa.string() for c in header if c in _TEXT_COLUMNS}
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    cols = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        cols[name] = (pc.cast(col, col.type.value_type)
                      if pa.types.is_dictionary(col.type) else col)
    return pa.table(cols)


def column(table: pa.Table, name: str) -> np.ndarray:
    """A column as a numpy array (object for text; float with nan for nullable numbers)."""
    col = table.column(name)
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        return np.asarray(col.to_numpy(), dtype=float) if col.null_count == 0 else \
            np.asarray(pc.fill_null(pc.cast(col, pa.float64()), float("nan")).to_numpy())
    if pa.types.is_boolean(col.type):
        return np.array([None if v is None else bool(v) for v in col.to_pylist()], dtype=object)
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)


def where(table: pa.Table, **equal: object) -> pa.Table:
    """Rows whose columns equal the given values."""
    mask = None
    for name, value in equal.items():
        m = pc.equal(table.column(name), value)
        mask = m if mask is None else pc.and_(mask, m)
    return table if mask is None else table.filter(mask)


def isin(table: pa.Table, name: str, values: Iterable[object]) -> pa.Array:
    """Mask of the rows whose column `name` is one of `values`."""
    col = table.column(name)
    return pc.is_in(col, value_set=pa.array(list(values), type=col.type))


def uniques(table: pa.Table, name: str) -> list:
    """Distinct values of a column in order of first appearance (nulls left out)."""
    seen = dict.fromkeys(v for v in table.column(name).to_pylist() if v is not None)
    return list(seen)


def grid(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct keys and each row's position among them."""
    values, inverse = np.unique(keys, return_inverse=True)
    return values, inverse.reshape(-1)


def quantile_bands(x: np.ndarray, y: np.ndarray, q: tuple[float, float, float] = (0.05, 0.5,
                                                                                    0.95)
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct x: the q quantiles of y across rows (runs). Returns x, low, mid, high."""
    xs, pos = grid(np.asarray(x, dtype=float))
    order = np.argsort(pos, kind="stable")
    bounds = np.searchsorted(pos[order], np.arange(xs.size + 1))
    ys = np.asarray(y, dtype=float)[order]
    out = np.full((3, xs.size), np.nan)
    for i in range(xs.size):
        chunk = ys[bounds[i]:bounds[i + 1]]
        chunk = chunk[~np.isnan(chunk)]
        if chunk.size:
            out[:, i] = np.quantile(chunk, q)
    return xs, out[0], out[1], out[2]


def wide(rows: np.ndarray, cols: np.ndarray, values: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A long (row key, column key, value) triple as a matrix; missing cells are nan."""
    rk, ri = grid(rows)
    ck, ci = grid(cols)
    out = np.full((rk.size, ck.size), np.nan)
    out[ri, ci] = np.asarray(values, dtype=float)
    return rk, ck, out


def yearly_mean(dates: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the months of each year of a (date, ...) matrix; dates 'YYYY-MM'. Class charts
    are drawn by year: the monthly series of eight classes in sixteen regions would weigh
    megabytes and show nothing more at the width of a page."""
    years = np.array([int(str(d)[:4]) for d in dates])
    ys, pos = grid(years)
    sums = np.zeros((ys.size, *matrix.shape[1:]))
    counts = np.zeros_like(sums)
    ok = ~np.isnan(matrix)
    np.add.at(sums, pos, np.where(ok, matrix, 0.0))
    np.add.at(counts, pos, ok)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ys, np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
