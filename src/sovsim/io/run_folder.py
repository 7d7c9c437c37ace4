"""A finished Sim into its run folder: meta.json, regions and classes tables, labels."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from sovsim import __version__
from sovsim.engine.sim import Sim
from sovsim.io import folders
from sovsim.io.outputs import (
    FORMATS,
    class_table,
    event_table,
    link_table,
    region_table,
    write_table,
)

# The libraries whose versions can change a run's numbers or its files' bytes.
DEPENDENCIES = ("numpy", "numba", "pyarrow", "pydantic", "scipy")
TABLES = ("regions", "classes", "links", "events")


def versions() -> dict[str, str]:
    """Python's and each dependency's installed version ("absent" when it is not installed)."""
    out = {"python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def meta(sim: Sim, wall_seconds: float, fmt: str = "parquet",
         start: int | None = None, end: int | None = None) -> dict[str, Any]:
    """What a reader needs to know to reproduce the run (`sovsim rerun` reads it)."""
    return {
        "kind": "run",
        "sovsim_version": __version__,
        "command": folders.command_line(),
        "scenario": sim.scenario.name,
        "scenario_path": sim.scenario.path,
        "scenario_ref": sim.scenario.ref,
        "scenario_sha256": sim.scenario.sha256,
        "theory": sim.theory,
        "mode": sim.mode,
        "seed": sim.seed,
        "agents": sim.agents,
        "format": fmt,
        "start_year": start,
        "end_year": end,
        "people_per_agent": sim.people_per_agent,
        "steps": sim.n_steps,
        "first_recorded_step": sim.record_from,
        "start": sim.dates()[0],
        "end": sim.dates()[-1],
        "regions": sim.geo.names,
        "wall_seconds": round(wall_seconds, 3),
        "versions": versions(),
    }


def write_tables(sim: Sim, folder: Path, fmt: str) -> None:
    """The run's tables into `folder`."""
    dates = sim.dates()
    tables = {
        "regions": region_table(sim.results, sim.geo.names, dates, sim.record_from),
        "classes": class_table(sim.results, sim.geo.names, dates, sim.record_from),
        "links": link_table(sim.results, sim.geo.names, dates, sim.record_from),
        "events": event_table(sim.events),
    }
    for stem, table in tables.items():
        write_table(table, folder, stem, fmt)


def save(sim: Sim, out: Path, fmt: str, wall_seconds: float, *, force: bool = False,
         labels: bool = True, extra: dict[str, Any] | None = None,
         start: int | None = None, end: int | None = None) -> Path:
    """Write the run folder of a finished Sim, whole or not at all: tables, labels (unless
    `labels` is False), and meta.json (with `extra` added)."""
    from sovsim.classify.run_labels import write_labels

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    info = {**meta(sim, wall_seconds, fmt, start, end), **(extra or {})}
    with folders.create("run", out, force=force, meta=info) as tmp:
        write_tables(sim, tmp, fmt)
        if labels:
            folders.write_meta(tmp, info)  # the labels read the run's meta.json
            write_labels(tmp)
    return Path(out)

