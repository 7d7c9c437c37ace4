"""Measuring zigzags: reversals of the course, their spacing, their fit to the dated turns.

Claim C4 (seed ¶10-11, MODEL.md §6) asks which theory of the bureaucracy explains the zigzags. A
REVERSAL is a turning point of the course x(t) after which it moves at least `min_swing` the other
way, having moved at least `min_swing` toward that point (hysteresis, as in a zigzag indicator:
noise smaller than the swing never counts). Its index is the turning point, where the new movement
starts; its direction is that of the new movement, +1 toward state control (a left turn) and -1
toward the market (a right turn), the `direction` labels of the historical timeline.

The dated turns come from /work/shared/data/history/soviet_policy_timeline_1917_1953.csv; the
package ships a copy of the columns it needs (`soviet_turns.csv`), so it never reads ../shared at
run time. `read_timeline(path)` reads either file; `copy_timeline(src, dst)` rebuilds the copy.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

DIRECTIONS = {"toward_state_control": 1, "toward_market": -1}
COLUMNS = ("event_id", "date_start", "direction", "event", "source_title")
PACKAGED = "soviet_turns.csv"
SOURCE = "shared/data/history/soviet_policy_timeline_1917_1953.csv"


def count_reversals(course: np.ndarray, min_swing: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the reversals of `course` and their directions (+1 left, -1 right)."""
    x = np.asarray(course, dtype=float)
    if min_swing <= 0:
        raise ValueError(f"min_swing must be > 0, got {min_swing}")
    idx: list[int] = []
    dirs: list[int] = []
    if x.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    heading = 0                  # +1 rising, -1 falling, 0 not yet established
    hi = lo = 0                  # index of the extreme of the current leg (both while unknown)
    for i in range(1, x.size):
        # ties move the extreme forward: a course that sits at +1 or -1 turns where it leaves
        # the plateau, not where it reached it
        if x[i] >= x[hi]:
            hi = i
        if x[i] <= x[lo]:
            lo = i
        if heading >= 0 and x[hi] - x[i] >= min_swing:
            if heading == 1:     # a rise of at least min_swing (it was confirmed) turns down
                idx.append(hi)
                dirs.append(-1)
            heading, lo = -1, i
        elif heading <= 0 and x[i] - x[lo] >= min_swing:
            if heading == -1:
                idx.append(lo)
                dirs.append(1)
            heading, hi = 1, i
    return np.array(idx, dtype=np.int64), np.array(dirs, dtype=np.int64)


def mean_spacing(indices: np.ndarray) -> float:
    """Mean number of steps between successive reversals (nan with fewer than two)."""
    idx = np.asarray(indices, dtype=float)
    return float(np.diff(idx).mean()) if idx.size >= 2 else float("nan")


def timing_score(sim_reversals: tuple[np.ndarray, np.ndarray],
                 historical_turns: tuple[np.ndarray, np.ndarray],
                 window: float = 18) -> tuple[float, float]:
    """(share of historical turns matched, share of simulated reversals that match).

    Both arguments are (months, directions) on one time axis. A historical turn is matched when a
    simulated reversal of the same direction lies within `window` months of it, either side; a
    simulated reversal matches when it lies so near a historical turn of its direction. Matching
    is not one-to-one: a cluster of same-direction decrees can be matched by one reversal (use
    `first_of_runs` to keep one turn per run). A share over nothing is nan.
    """
    sim_m, sim_d = (np.asarray(a, dtype=float) for a in sim_reversals)
    his_m, his_d = (np.asarray(a, dtype=float) for a in historical_turns)
    near = np.abs(his_m[:, None] - sim_m[None, :]) <= window
    match = near & (his_d[:, None] == sim_d[None, :])          # (historical, simulated)
    recall = float(match.any(axis=1).mean()) if his_m.size else float("nan")
    precision = float(match.any(axis=0).mean()) if sim_m.size else float("nan")
    return recall, precision


def first_of_runs(months: np.ndarray, directions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The turns that change direction: the first of each run of same-direction turns."""
    m, d = np.asarray(months), np.asarray(directions)
    keep = np.ones(d.size, dtype=bool)
    keep[1:] = d[1:] != d[:-1]
    return m[keep], d[keep]


@dataclass(frozen=True)
class Turn:
    """A dated policy turn of the historical timeline."""

    event_id: str
    month: int          # months since year 0, as sovsim.world.build.month_index
    direction: int      # +1 toward state control, -1 toward the market
    event: str
    source_title: str


def month_of(date: str) -> int:
    """Month index of 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' (a bare year is taken at mid-year)."""
    parts = date.strip().split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 7
    return year * 12 + month - 1


def _rows(lines: list[str]) -> list[dict[str, str]]:
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def parse_timeline(text: str) -> list[Turn]:
    """The directional turns (toward_state_control, toward_market) of a timeline CSV's text,
    in date order; rows labelled mixed, shock or other are left out."""
    turns = [Turn(row["event_id"], month_of(row["date_start"]), DIRECTIONS[row["direction"]],
                  row["event"], row["source_title"])
             for row in _rows(text.splitlines()) if row["direction"] in DIRECTIONS]
    return sorted(turns, key=lambda t: t.month)


def read_timeline(path: str | Path) -> list[Turn]:
    """The directional turns of the timeline CSV at `path` (the shared file or the copy)."""
    return parse_timeline(Path(path).read_text(encoding="utf-8"))


def soviet_turns() -> list[Turn]:
    """The directional Soviet policy turns 1917-1953 shipped with the package."""
    return parse_timeline(resources.files(__package__).joinpath(PACKAGED)
                          .read_text(encoding="utf-8"))


def as_arrays(turns: list[Turn]) -> tuple[np.ndarray, np.ndarray]:
    """(months, directions) of a list of turns, for `timing_score`."""
    return (np.array([t.month for t in turns], dtype=np.int64),
            np.array([t.direction for t in turns], dtype=np.int64))


def copy_timeline(src: str | Path, dst: str | Path) -> None:
    """Write the packaged copy: the needed columns of the shared timeline, under a comment line
    naming its source."""
    lines = Path(src).read_text(encoding="utf-8").splitlines()
    with Path(dst).open("w", encoding="utf-8", newline="") as out:
        out.write(f"# source: {SOURCE} (columns {', '.join(COLUMNS)})\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in _rows(lines):
            writer.writerow([row[c] for c in COLUMNS])


# A swing of the course of at least a tenth of its range [-1, 1] counts as a turn: smaller
# moves are the course relaxing or noise, not a change of line.
REVERSAL_SWING = 0.2
