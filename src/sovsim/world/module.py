"""A mechanism module: the state it owns, the steps it runs and the results it records.

Each mechanism of the model is one `Module` subclass in the file that holds its rules (for
instance `sovsim.economy.production.Production`). It declares

- `agent_fields`: the agent arrays it owns (name -> dtype), created by the Sim in `world.people`;
- `shared`: the region conditions it sets in `world.regions` for other mechanisms to read;
- `region_results`, `class_results`, `world_results`, `link_results`: the variables it writes to
  the results (name -> `Variable`), one row per step, in `record`;

Its step-plan entries are plain methods taking the `World` (`def produce(self, world)`), put in
order by `sovsim.engine.sim.Sim`; the plan's module column is the Python module of the class
(`Module.name`), the first line of the method's docstring its "what it does".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sovsim.world.state import World


@dataclass(frozen=True)
class Variable:
    """Unit and meaning of a recorded variable (docs/OUTPUTS.md lists each; a test checks)."""

    unit: str
    meaning: str


class Module:
    """One mechanism of the model (see the module docstring)."""

    agent_fields: ClassVar[dict[str, np.dtype]] = {}
    shared: ClassVar[dict[str, str]] = {}          # name -> meaning of a region condition
    region_results: ClassVar[dict[str, Variable]] = {}
    class_results: ClassVar[dict[str, Variable]] = {}
    world_results: ClassVar[dict[str, Variable]] = {}
    link_results: ClassVar[dict[str, Variable]] = {}

    @property
    def name(self) -> str:
        """The Python module that holds the mechanism's rules."""
        return type(self).__module__

    def init(self, world: World) -> None:
        """Set the module's state, and its shared conditions, at the start of the run."""

    def newborn(self, world: World, region: np.ndarray, klass: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Initial values of the module's agent fields for new agents."""
        return {}

    def record(self, world: World) -> None:
        """Write the module's results for step `world.t`."""
