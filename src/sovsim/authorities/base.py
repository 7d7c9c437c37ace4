"""The interface every authority implements: read observables, set the levers of its region.

An authority is one object per governed region (regions are few; agents are arrays). `decide`
is called once per step, before the economy, with the observables of the previous step. It sets
values in `lever` (arrays over regions, names in `sovsim.world.names.LEVERS`) for its own region
index `r` only, and may keep its own memory (delayed perceptions, a course's momentum).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from sovsim.authorities.observables import Observables
from sovsim.world.pars import Pars


class Authority(ABC):
    """A ruling authority of one region."""

    kind: ClassVar[str]  # a name in sovsim.world.names.AUTHORITIES

    def __init__(self, r: int, pars: Pars, initial: dict[str, float]) -> None:
        self.r = r
        self.pars = pars
        self.initial = dict(initial)  # the region's lever values at the start

    @abstractmethod
    def decide(self, obs: Observables, lever: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        """Set this step's lever values of region `self.r`."""
