"""What `--runs` holds: run folders, claims folders and history folders, read for the pages.

Only reading happens here; the workbench writes nothing but its runs, their scenario files and
exports, all under `--runs`.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from sovsim.claims.command import is_claims_dir
from sovsim.io import report_data as data
from sovsim.io.report_run import is_run_folder

SCENARIOS = "scenarios"      # the workbench's scenario files and exports, under --runs


def _children(root: Path, depth: int = 2) -> list[Path]:
    """Folders under `root`, `depth` levels down, hidden ones (the staging area) left out."""
    out: list[Path] = []
    if not root.is_dir():
        return out
    level = [root]
    for _ in range(depth):
        nxt = []
        for folder in level:
            try:
                nxt += sorted(p for p in folder.iterdir()
                              if p.is_dir() and not p.name.startswith("."))
            except OSError:
                continue
        out += nxt
        level = nxt
    return out


def run_folders(root: Path) -> list[Path]:
    """Run folders under `root` (an ensemble's runs included)."""
    return [p for p in _children(root) if is_run_folder(p)]


def claims_folders(root: Path) -> list[Path]:
    """Claims folders written by `sovsim claims` under `root`."""
    return [p for p in _children(root) if is_claims_dir(p)]


@dataclass
class RunView:
    """A run folder's series, pivoted for drawing."""

    folder: Path
    meta: dict
    regions: list[str]
    dates: np.ndarray                                                    # (T,) 'YYYY-MM'
    region_vars: dict[str, np.ndarray] = field(default_factory=dict)     # (T, R)
    world_vars: dict[str, np.ndarray] = field(default_factory=dict)      # (T,)
    classes: list[str] = field(default_factory=list)
    class_vars: dict[str, np.ndarray] = field(default_factory=dict)      # (T, R, K)
    labels: pa.Table | None = None
    criteria: pa.Table | None = None
    events: pa.Table | None = None

    @property
    def years(self) -> list[int]:
        if self.labels is None or self.labels.num_rows == 0:
            return []
        return sorted({int(y) for y in data.column(self.labels, "year")})


def _pivot(table: pa.Table, names: list[str]) -> tuple[np.ndarray, dict, dict]:
    steps = data.column(table, "step")
    keys, pos = data.grid(steps)
    dates_all = data.column(table, "date")
    first = np.zeros(keys.size, dtype=np.int64)
    first[pos[::-1]] = np.arange(pos.size)[::-1]
    dates = dates_all[first].astype(str)
    region, variable, value = (data.column(table, c) for c in ("region", "variable", "value"))
    index = {n: i for i, n in enumerate(names)}
    regional: dict[str, np.ndarray] = {}
    world: dict[str, np.ndarray] = {}
    for var in data.uniques(table, "variable"):
        rows = variable == var
        if np.all(region[rows] == "world"):
            arr = np.full(dates.size, np.nan)
            arr[pos[rows]] = value[rows]
            world[var] = arr
            continue
        arr = np.full((dates.size, len(names)), np.nan)
        keep = rows & np.isin(region, names)
        arr[pos[keep], [index[r] for r in region[keep]]] = value[keep]
        regional[var] = arr
    return dates, regional, world


def load_run(folder: Path) -> RunView:
    """Read a run folder: every region and world series, class counts, labels and criteria."""
    meta = json.loads((folder / "meta.json").read_text())
    regions_table = data.read(folder, "regions")
    if regions_table is None:
        raise ValueError(f"{folder}: no regions table")
    names = list(meta.get("regions") or [r for r in data.uniques(regions_table, "region")
                                         if r != "world"])
    dates, regional, world = _pivot(regions_table, names)
    view = RunView(folder, meta, names, dates, regional, world)
    classes = data.read(folder, "classes")
    if classes is not None and classes.num_rows:
        classes = classes.filter(data.isin(classes, "variable", ["count"]))
        present = data.uniques(classes, "class")
        from sovsim.world.names import CLASSES

        view.classes = [k for k in CLASSES if k in present]
        kidx = {k: i for i, k in enumerate(view.classes)}
        ridx = {r: i for i, r in enumerate(names)}
        steps = data.column(classes, "step")
        _, pos = data.grid(steps)
        region, klass = data.column(classes, "region"), data.column(classes, "class")
        value = data.column(classes, "value")
        arr = np.full((dates.size, len(names), len(view.classes)), np.nan)
        keep = np.array([r in ridx and k in kidx for r, k in zip(region, klass, strict=True)])
        if keep.any():
            arr[pos[keep], [ridx[r] for r in region[keep]],
                [kidx[k] for k in klass[keep]]] = value[keep]
        view.class_vars["count"] = arr
    view.labels = data.read(folder, "labels")
    view.criteria = data.read(folder, "labels_criteria")
    if view.labels is None:
        from sovsim.classify.run_labels import classify_run

        with contextlib.suppress(ValueError, KeyError):
            view.labels, view.criteria = classify_run(folder)
    view.events = data.read(folder, "events")
    return view


def describe(folder: Path, root: Path) -> str:
    """A run folder's name for a menu: its path under --runs, scenario, seed and agents."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        meta = {}
    rel = folder.relative_to(root) if folder.is_relative_to(root) else folder
    bits = [str(meta.get(k)) for k in ("scenario",) if meta.get(k)]
    if meta.get("seed") is not None:
        bits.append(f"s{meta['seed']}")
    if meta.get("agents"):
        bits.append(f"{meta['agents']:,} agents")
    return f"{rel} ({', '.join(bits)})" if bits else str(rel)
