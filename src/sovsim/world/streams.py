"""Random streams: one per module and decision, all spawned from the run's seed.

A stream's seed depends on the run seed and the stream's NAME only (never on the order in which
streams were asked for), so that two scenarios compared within one draw share the random numbers
of every decision they have in common (common random numbers, as in Starsim).
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """Named random generators spawned from one `numpy.random.SeedSequence`."""

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def sequence(self, name: str) -> np.random.SeedSequence:
        """The seed sequence of stream `name` (a child of the run's sequence keyed by name)."""
        return np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),))

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self.sequence(name)))
            self._cache[name] = gen
        return gen

    def kernel_seed(self, name: str) -> int:
        """A 63-bit seed for a Numba kernel's own generator, drawn from stream `name`."""
        return int(self[name].integers(0, 2**63 - 1))
