"""A finished Sim into its run folder: meta.json, regions and classes tables."""

from __future__ import annotations

from pathlib import Path

from sovsim import __version__
from sovsim.engine.sim import Sim
from sovsim.io.outputs import class_table, event_table, link_table, region_table, write_run


def meta(sim: Sim, wall_seconds: float) -> dict:
    """What a reader needs to know to reproduce the run."""
    return {
        "sovsim_version": __version__,
        "scenario": sim.scenario.name,
        "scenario_path": sim.scenario.path,
        "scenario_sha256": sim.scenario.sha256,
        "seed": sim.seed,
        "agents": sim.agents,
        "people_per_agent": sim.people_per_agent,
        "steps": sim.n_steps,
        "first_recorded_step": sim.record_from,
        "start": sim.dates()[0],
        "end": sim.dates()[-1],
        "regions": sim.geo.names,
        "wall_seconds": round(wall_seconds, 3),
    }


def save(sim: Sim, out: Path, fmt: str, wall_seconds: float) -> Path:
    """Write the run folder of a finished Sim."""
    dates = sim.dates()
    tables = {
        "regions": region_table(sim.results, sim.geo.names, dates, sim.record_from),
        "classes": class_table(sim.results, sim.geo.names, dates, sim.record_from),
        "links": link_table(sim.results, sim.geo.names, dates, sim.record_from),
        "events": event_table(sim.events),
    }
    return write_run(out, tables, meta(sim, wall_seconds), fmt)
