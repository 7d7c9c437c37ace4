"""Pre-allocated time series of the observables: by region, by region and class, world, links."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Results:
    """Observables recorded at the end of each step; NaN until a step is recorded."""

    n_steps: int
    n_regions: int
    n_classes: int
    regions: dict[str, np.ndarray] = field(default_factory=dict)
    classes: dict[str, np.ndarray] = field(default_factory=dict)
    world: dict[str, np.ndarray] = field(default_factory=dict)
    links: dict[str, np.ndarray] = field(default_factory=dict)

    def add_region_variable(self, name: str) -> np.ndarray:
        arr = np.full((self.n_steps, self.n_regions), np.nan)
        self.regions[name] = arr
        return arr

    def add_class_variable(self, name: str) -> np.ndarray:
        arr = np.full((self.n_steps, self.n_regions, self.n_classes), np.nan)
        self.classes[name] = arr
        return arr

    def add_world_variable(self, name: str) -> np.ndarray:
        arr = np.full(self.n_steps, np.nan)
        self.world[name] = arr
        return arr

    def add_link_variable(self, name: str) -> np.ndarray:
        arr = np.zeros((self.n_steps, self.n_regions, self.n_regions))
        self.links[name] = arr
        return arr
