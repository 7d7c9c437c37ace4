"""People: the agents as a struct of arrays with compact dtypes.

Each agent stands for `people_per_agent` persons. The fields are declared by the mechanism modules
that own them (`Module.agent_fields`) and gathered by the Sim; `BASE_FIELDS` are the population's
own. Arrays grow by a quarter when births need room and are compacted (the dead removed) once a
year, so memory stays proportional to the living. Fields are attributes (`people.status`), so
the kernels read them without a lookup.
"""

from __future__ import annotations

import numpy as np

# Agent kernels split the agents into this many fixed chunks, each with its own sums, run in
# parallel: the results do not depend on the number of threads.
CHUNKS = 16

# Fields of the population itself (sovsim.economy.population declares them).
BASE_FIELDS: dict[str, np.dtype] = {
    "region": np.dtype(np.uint8),
    "klass": np.dtype(np.uint8),
    "status": np.dtype(np.uint8),
    "dispossessed": np.dtype(np.bool_),
}

# Fields whose empty value is -1 (no cell), not 0.
UNSET_MINUS_ONE = frozenset({"position"})


class People:
    """The population of agents. Only the first `n` entries of each array are in use."""

    def __init__(self, fields: dict[str, np.dtype], capacity: int) -> None:
        self.fields = dict(fields)
        self.n = 0
        for name, dt in self.fields.items():
            arr = np.zeros(max(capacity, 1), dtype=dt)
            if name in UNSET_MINUS_ONE:
                arr[:] = -1
            setattr(self, name, arr)

    @classmethod
    def empty(cls, capacity: int, fields: dict[str, np.dtype]) -> People:
        """Room for `capacity` agents with the given fields, none in use."""
        return cls(fields, capacity)

    @property
    def bytes_per_agent(self) -> int:
        return sum(np.dtype(dt).itemsize for dt in self.fields.values())

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
        for name, dt in self.fields.items():
            old = getattr(self, name)
            grown = np.zeros(new_cap, dtype=dt)
            if name in UNSET_MINUS_ONE:
                grown[:] = -1
            grown[: self.n] = old[: self.n]
            setattr(self, name, grown)

    def append(self, **values: np.ndarray) -> slice:
        """Add agents whose fields are given (missing fields are zero); returns their slice."""
        count = len(next(iter(values.values())))
        self.reserve(count)
        where = slice(self.n, self.n + count)
        for name in self.fields:
            arr = getattr(self, name)
            arr[where] = values.get(name, -1 if name in UNSET_MINUS_ONE else 0)
        self.n += count
        return where

    def compact(self, dead_code: int) -> None:
        """Drop the dead, keeping the order of the living."""
        alive = self.status[: self.n] != dead_code
        m = int(alive.sum())
        if m == self.n:
            return
        for name in self.fields:
            arr = getattr(self, name)
            arr[:m] = arr[: self.n][alive]
        self.n = m
