"""The history scorecard (`sovsim history`), read from a `history` folder under `--runs` when
one exists.

The reader asks little of the folder so that it keeps working as the command grows: a folder
whose meta.json says `"kind": "history"`, or one named `history*`, holding the scorecard as its
`rows` table (docs/OUTPUTS.md, "History folders"; a table whose name starts with `scorecard` is
read too). Every column is shown; a pass/fail column colours its
rows, and numeric `data` and `model` columns are drawn against each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sovsim.io import report_data as data

PASS_COLUMNS = ("pass", "passed", "ok")


@dataclass
class Scorecard:
    """A history folder's scorecard table."""

    folder: Path
    table: pa.Table

    @property
    def pass_column(self) -> str | None:
        return next((c for c in PASS_COLUMNS if c in self.table.column_names), None)


def _is_history(folder: Path) -> bool:
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if isinstance(meta, dict) and meta.get("kind") == "history":
            return True
    except (OSError, ValueError):
        pass
    return folder.name.startswith("history")


def read_history(root: Path) -> list[Scorecard]:
    """Every history scorecard under `root` (one level down, or `root` itself); [] if none."""
    found = []
    candidates = [root] + (sorted(p for p in root.iterdir() if p.is_dir())
                           if root.is_dir() else [])
    for folder in candidates:
        if not folder.is_dir() or not _is_history(folder):
            continue
        stems = sorted({p.stem for p in folder.iterdir()
                        if (p.stem == "rows" or p.stem.startswith("scorecard"))
                        and p.suffix in (".parquet", ".csv")})
        for stem in stems:
            try:
                table = data.read(folder, stem)
            except (OSError, ValueError, pa.ArrowInvalid):
                continue
            if table is not None and table.num_rows:
                found.append(Scorecard(folder, table))
    return found
