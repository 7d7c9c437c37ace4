"""Fixed-seed reference runs: what a refactoring must leave bit-for-bit unchanged.

Each case is a short run of a shipped scenario at a few thousand agents. `snapshot` returns every
table the run records (regions, classes, links, world), the log of events and a digest of the
agents' final arrays, as flat NumPy arrays keyed `group/name`. tests/test_baseline.py compares a
fresh snapshot with the one stored under tests/baseline/; scripts/refresh_baseline.py rewrites
the stored ones when a change of results is intended.
"""

from __future__ import annotations

import hashlib

import numpy as np

from sovsim.engine.sim import Sim

# name -> (scenario, agents, seed, last year, mobilisation mode)
CASES: dict[str, tuple[str, int, int, int, str]] = {
    "world1946_well_mixed": ("world1946", 3_000, 7, 1947, "well-mixed"),
    "world1946_spatial": ("world1946", 3_000, 7, 1947, "spatial"),
    "ussr1921": ("ussr1921", 3_000, 11, 1923, "well-mixed"),
}


def people_digest(sim: Sim) -> str:
    """SHA-256 of the in-use part of every agent array, fields in alphabetical order."""
    digest = hashlib.sha256()
    n = sim.people.n
    for name in sorted(sim.people.fields):
        digest.update(np.ascontiguousarray(getattr(sim.people, name)[:n]).tobytes())
    return digest.hexdigest()


def snapshot(name: str) -> dict[str, np.ndarray]:
    """Run case `name` and return its tables as flat arrays."""
    scenario, agents, seed, end, mode = CASES[name]
    sim = Sim(scenario, agents=agents, seed=seed, end=end, mode=mode)
    res = sim.run()
    out: dict[str, np.ndarray] = {}
    for group in ("regions", "classes", "links", "world"):
        for var, arr in getattr(res, group).items():
            out[f"{group}/{var}"] = np.asarray(arr)
    rows = [" | ".join(str(v) for v in row) for row in sim.events]
    out["events"] = np.array(rows, dtype=str)
    out["people/digest"] = np.array(people_digest(sim))
    out["people/n"] = np.array(sim.people.n)
    return out
