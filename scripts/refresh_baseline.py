"""Refresh the fixed-seed baseline of tests/test_baseline.py after an intended change of results.

    PYTHONPATH=src python3 scripts/refresh_baseline.py

Runs the small cases of `sovsim.validate.baseline` and stores every recorded table, the event log
and a digest of the agents' final state under tests/baseline/ (one compressed .npz per case).
Commit the new files together with the change that moved them, and say why in the changelog.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sovsim.validate.baseline import CASES, snapshot

OUT = Path(__file__).resolve().parents[1] / "tests" / "baseline"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        tables = snapshot(name)
        np.savez_compressed(OUT / f"{name}.npz", **tables)
        print(f"{name}: {len(tables)} tables -> {OUT / (name + '.npz')}")


if __name__ == "__main__":
    main()
