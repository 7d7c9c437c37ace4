"""The catalogue of sovsim's folders: what lies under a directory, and SQL over all its tables.

`sovsim runs DIR` lists every sovsim folder under DIR (runs, ensembles and the runs inside them,
claims, sensitivity analyses, histories) with what its meta.json says: kind, scenario, theory,
mode, seed, agents, sovsim version, status and time. `sovsim query DIR "SQL"` runs DuckDB over
the tables of every complete folder, one view per table name (`regions`, `classes`, `links`,
`events`, `labels`, `runs`, `verdicts`, `series`, `sensitivity`, `summary`, ...): each view is
the union by column name of that table in every folder, with a `folder` column (the folder's
path relative to DIR, "." for DIR itself). A table's own `folder` column (an ensemble's
runs.parquet names each run's subfolder there) is kept as `run_folder`, rewritten relative to
DIR, so that it joins with the run tables' `folder`. The view `folders` is the listing itself.

A folder's kind comes from `kind_of`, the one place that knows how: meta.json's "kind" when it
has one, otherwise the layout of today's folders (a regions table: a run; verdicts: claims;
runs and summary: an ensemble; a scorecard table: a history).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.table import Table

META_FILE = "meta.json"
TABLE_SUFFIXES = (".parquet", ".csv")
KINDS = ("run", "ensemble", "claims", "sensitivity", "history", "report")
# the tables without which a folder of a kind was not written whole
REQUIRED: dict[str, tuple[str, ...]] = {
    "run": ("regions",),
    "ensemble": ("runs", "summary"),
    "claims": ("verdicts", "runs"),
    "sensitivity": ("sensitivity", "runs", "verdicts"),
}
FOLDERS_VIEW = "folders"
COLUMNS = ("folder", "kind", "scenario", "theory", "mode", "seed", "agents", "version",
           "status", "time", "tables")


class CatalogueError(ValueError):
    """A directory or a query the catalogue cannot serve (one line, for the command)."""


@dataclass(frozen=True)
class Folder:
    """One sovsim folder under the catalogue's root, as its meta.json describes it."""

    folder: str            # path relative to the root, "." for the root itself
    kind: str              # one of KINDS, or "unknown" (a sovsim meta.json, no known layout)
    scenario: str | None
    theory: str | None
    mode: str | None
    seed: int | None
    agents: int | None
    version: str | None
    status: str            # "complete" or "incomplete: <why>"
    time: str | None       # when it was started (meta.json), else when meta.json was written
    tables: str            # its table names, comma-separated
    path: Path

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        del out["path"]
        return out


# --- kinds -------------------------------------------------------------------------------------
def kind_of(path: Path, meta: dict[str, Any] | None) -> str | None:
    """The kind of the folder at `path`: meta.json's "kind" when present, else today's layout
    (run folders written by `sovsim run` carry no kind). None when it is no sovsim folder."""
    if meta is not None and isinstance(meta.get("kind"), str):
        return meta["kind"]
    stems = set(table_files(path))
    if stems & {"regions", "classes"}:
        return "run"
    if "verdicts" in stems:
        return "claims"
    if {"runs", "summary"} <= stems:
        return "ensemble"
    if any(s.startswith("scorecard") for s in stems) or (path.name == "history" and stems):
        return "history"
    if meta is not None and (path / "report.html").is_file():
        return "report"
    return None


def table_files(path: Path) -> dict[str, Path]:
    """The tables in one folder by name (stem), Parquet before CSV when both exist."""
    out: dict[str, Path] = {}
    try:
        entries = sorted(path.iterdir())
    except OSError:
        return out
    for suffix in TABLE_SUFFIXES:
        for p in entries:
            if p.suffix == suffix and p.is_file() and not p.name.startswith("."):
                out.setdefault(p.stem, p)
    return out


def _meta(path: Path) -> tuple[dict[str, Any] | None, str]:
    """meta.json's content (None when missing or unreadable) and why not."""
    file = path / META_FILE
    if not file.is_file():
        return None, "no meta.json"
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        return None, f"meta.json unreadable ({type(exc).__name__})"
    if not isinstance(data, dict) or "sovsim_version" not in data:
        return None, "meta.json not written by sovsim"
    return data, ""


def _int(x: object) -> int | None:
    return x if isinstance(x, int) and not isinstance(x, bool) else None


def _str(x: object) -> str | None:
    return x if isinstance(x, str) else None


def describe(root: Path, path: Path) -> Folder | None:
    """The catalogue entry of one folder, or None when it is no sovsim folder."""
    meta, why = _meta(path)
    tables = table_files(path)
    kind = kind_of(path, meta)
    if kind is None:
        if meta is None:
            return None
        kind = "unknown"      # written by sovsim, but of no layout known here
    missing = [t for t in REQUIRED.get(kind, ()) if t not in tables]
    if path.name.startswith("."):
        status = "incomplete: a temporary folder still being written (or left by a crash)"
    elif meta is None:
        status = f"incomplete: {why}"
    elif missing:
        status = f"incomplete: no {', '.join(missing)} table"
    elif isinstance(meta.get("status"), str) and meta["status"] != "complete":
        status = f"incomplete: meta.json says {meta['status']}"
    else:
        status = "complete"
    meta = meta or {}
    when = _str(meta.get("started"))
    if when is None and (path / META_FILE).is_file():
        stamp = (path / META_FILE).stat().st_mtime
        when = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    scenario = _str(meta.get("scenario"))
    if scenario is None and isinstance(meta.get("claims"), list):
        scenario = "claims " + ",".join(str(c) for c in meta["claims"])
    rel = path.relative_to(root).as_posix()
    return Folder(folder=rel or ".", kind=kind, scenario=scenario, theory=_str(meta.get("theory")),
                  mode=_str(meta.get("mode")), seed=_int(meta.get("seed")),
                  agents=_int(meta.get("agents")), version=_str(meta.get("sovsim_version")),
                  status=status, time=when, tables=",".join(sorted(tables)), path=path)


def catalogue(root: Path) -> list[Folder]:
    """Every sovsim folder under `root` (itself included), in path order."""
    root = Path(root)
    if not root.exists():
        raise CatalogueError(f"{root}: no such directory")
    if not root.is_dir():
        raise CatalogueError(f"{root}: not a directory")
    found = []
    for here, dirs, _ in os.walk(root):
        dirs.sort()
        entry = describe(root, Path(here))
        if entry is not None:
            found.append(entry)
    return found


def folders_table(entries: list[Folder]) -> pa.Table:
    """The listing as a table (the `folders` view)."""
    rows = [e.row() for e in entries]
    schema = pa.schema([(c, pa.int64() if c in ("seed", "agents") else pa.string())
                        for c in COLUMNS])
    return pa.Table.from_pylist(rows, schema=schema)


# --- SQL ---------------------------------------------------------------------------------------
def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(root: Path, entries: list[Folder] | None = None) -> Any:
    """An in-memory DuckDB connection with one view per table name over every complete folder
    under `root`, and the `folders` view of the listing."""
    import duckdb

    root = Path(root)
    entries = catalogue(root) if entries is None else entries
    con = duckdb.connect(":memory:")
    listing = folders_table(entries)
    con.register("_folders_arrow", listing)
    con.execute(f"CREATE TABLE {FOLDERS_VIEW} AS SELECT * FROM _folders_arrow")
    con.unregister("_folders_arrow")
    files: dict[str, list[tuple[str, Path]]] = {}
    for e in entries:
        if e.status != "complete":
            continue
        for stem, path in table_files(e.path).items():
            files.setdefault(stem, []).append((e.folder, path))
    for stem, found in sorted(files.items()):
        if stem == FOLDERS_VIEW:
            continue      # the listing keeps its name
        con.execute(f"CREATE VIEW {_ident(stem)} AS {_union(con, found)}")
    return con


def _union(con: Any, found: list[tuple[str, Path]]) -> str:
    """One table name's files as one SELECT: Parquet files read together (union by name),
    CSV files likewise, each row with its folder."""
    parts = []
    for suffix, reader in ((".parquet", "read_parquet"), (".csv", "read_csv")):
        mine = [(folder, path) for folder, path in found if path.suffix == suffix]
        if not mine:
            continue
        listing = ", ".join(_quote(str(p.resolve())) for _, p in mine)
        pairs = ", ".join(f"({_quote(str(p.resolve()))}, {_quote(folder)})"
                          for folder, p in mine)
        where = f"SELECT * FROM (VALUES {pairs}) AS v(_file, folder)"
        source = f"{reader}([{listing}], union_by_name = true, filename = '_file')"
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        if "folder" in columns:
            # the ensemble's runs table names each run's subfolder: make it a catalogue folder
            own = ("CASE WHEN t.folder IS NULL THEN NULL WHEN f.folder = '.' THEN t.folder "
                   "ELSE f.folder || '/' || t.folder END AS run_folder, ")
            select = f"t.* EXCLUDE (_file, folder), {own}f.folder AS folder"
        else:
            select = "t.* EXCLUDE (_file), f.folder AS folder"
        parts.append(f"SELECT {select} FROM {source} AS t JOIN ({where}) AS f USING (_file)")
    return " UNION ALL BY NAME ".join(f"({p})" for p in parts)


def query(root: Path, sql: str) -> pa.Table:
    """The result of `sql` over the catalogue of `root`, as an Arrow table; CatalogueError
    (one line) for a bad directory or bad SQL."""
    import duckdb

    entries = catalogue(root)
    try:
        con = connect(root, entries)
    except duckdb.Error as exc:     # a table that cannot be read (a damaged file)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CatalogueError(f"{root}: a table cannot be read: {first}") from None
    try:
        relation = con.sql(sql)
        if relation is None:      # a statement without rows (SET, CREATE VIEW, ...)
            return pa.table({})
        # DuckDB 2 renamed fetch_arrow_table to to_arrow_table
        fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
        return fetch()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CatalogueError(f"query failed: {first}") from None
    finally:
        con.close()


# --- output ------------------------------------------------------------------------------------
OUT_FORMATS = (".csv", ".parquet")


def check_out(out: Path, force: bool) -> None:
    """Refuse an output file of another format, or one that exists without `force`."""
    if out.suffix.lower() not in OUT_FORMATS:
        raise CatalogueError(f"{out}: unknown output format {out.suffix or '(none)'!r}; "
                             f"valid: {', '.join(OUT_FORMATS)}")
    if out.is_dir():
        raise CatalogueError(f"{out}: is a directory; give a file name")
    if out.exists() and not force:
        raise CatalogueError(f"{out}: exists; pass --force to overwrite it (nothing was written)")


def write(table: pa.Table, out: Path) -> Path:
    """Write a table as CSV or Parquet by the file's suffix, atomically."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if out.suffix.lower() == ".csv":
            pacsv.write_csv(table, tmp)
        else:
            pq.write_table(table, tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def cell(value: object) -> str:
    """A value as the table prints it."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def rich_table(table: pa.Table, title: str | None = None) -> Table:
    """A rich Table of an Arrow table, every cell literal text (no markup interpreted)."""
    from rich.text import Text

    out = Table(title=Text(title) if title else None)
    for name in table.column_names:
        numeric = pa.types.is_integer(table.schema.field(name).type) or pa.types.is_floating(
            table.schema.field(name).type)
        out.add_column(Text(name), justify="right" if numeric else "left", overflow="fold")
    for row in table.to_pylist():
        out.add_row(*(Text(cell(v)) for v in row.values()))
    return out


def show(table: pa.Table, out: Path | None, title: str | None, console: Console) -> None:
    """A result printed on `console` as a table of literal text, or written to `out`."""
    if out is None:
        console.print(rich_table(table, title))
        return
    write(table, out)
    console.print(f"wrote {out} ({table.num_rows} rows)", markup=False, highlight=False)


__all__ = ["COLUMNS", "KINDS", "CatalogueError", "Folder", "catalogue", "check_out", "connect",
           "folders_table", "kind_of", "query", "rich_table", "show", "write"]
