"""People: the agents as a struct of arrays with compact dtypes.

Each agent stands for `people_per_agent` persons. Arrays grow by doubling when births need room
and are compacted (the dead removed) once a year, so memory stays proportional to the living.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# name -> dtype; the order is the order of the columns in memory accounting and in docs/ODD.md
FIELDS: dict[str, np.dtype] = {
    "region": np.dtype(np.uint8),
    "klass": np.dtype(np.uint8),
    "status": np.dtype(np.uint8),
    "dispossessed": np.dtype(np.bool_),
    "jail": np.dtype(np.uint16),
    "income": np.dtype(np.float32),
    "income_avg": np.dtype(np.float32),
    "hardship": np.dtype(np.float32),
    "risk_aversion": np.dtype(np.float32),
    "tendency": np.dtype(np.float32),
    "legitimacy_offset": np.dtype(np.float32),
    "position": np.dtype(np.int32),
    "rank": np.dtype(np.float32),
}

BYTES_PER_AGENT = sum(dt.itemsize for dt in FIELDS.values())


@dataclass
class People:
    """The population of agents. Only the first `n` entries of each array are in use."""

    region: np.ndarray
    klass: np.ndarray
    status: np.ndarray
    dispossessed: np.ndarray
    jail: np.ndarray
    income: np.ndarray
    income_avg: np.ndarray
    hardship: np.ndarray
    risk_aversion: np.ndarray
    tendency: np.ndarray
    legitimacy_offset: np.ndarray  # the agent's own departure from its group's legitimacy
    position: np.ndarray
    rank: np.ndarray  # fixed place in the queue for jobs: who is laid off first
    n: int

    @classmethod
    def empty(cls, capacity: int) -> People:
        """Room for `capacity` agents, none in use."""
        arrays = {name: np.zeros(max(capacity, 1), dtype=dt) for name, dt in FIELDS.items()}
        arrays["position"][:] = -1
        return cls(**arrays, n=0)

    @property
    def fields(self) -> dict[str, np.dtype]:
        return FIELDS

    @property
    def capacity(self) -> int:
        return int(self.region.shape[0])

    def view(self, name: str) -> np.ndarray:
        """The in-use part of field `name`."""
        return getattr(self, name)[: self.n]

    def reserve(self, extra: int) -> None:
        """Make room for `extra` more agents (amortised growth by a quarter)."""
        need = self.n + extra
        if need <= self.capacity:
            return
        # grow by a quarter: amortised O(1) appends at a fifth of the idle room doubling leaves
        new_cap = max(need, self.capacity + self.capacity // 4)
        for name, dt in FIELDS.items():
            old = getattr(self, name)
            grown = np.zeros(new_cap, dtype=dt)
            if name == "position":
                grown[:] = -1
            grown[: self.n] = old[: self.n]
            setattr(self, name, grown)

    def append(self, **values: np.ndarray) -> slice:
        """Add agents whose fields are given (missing fields are zero); returns their slice."""
        count = len(next(iter(values.values())))
        self.reserve(count)
        where = slice(self.n, self.n + count)
        for name in FIELDS:
            arr = getattr(self, name)
            arr[where] = values.get(name, -1 if name == "position" else 0)
        self.n += count
        return where

    def compact(self, dead_code: int) -> None:
        """Drop the dead, keeping the order of the living."""
        alive = self.status[: self.n] != dead_code
        m = int(alive.sum())
        if m == self.n:
            return
        for name in FIELDS:
            arr = getattr(self, name)
            arr[:m] = arr[: self.n][alive]
        self.n = m

