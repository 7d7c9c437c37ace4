"""sovsim: the world system of 1946, after E. Germain (1946), as an agent-based simulation.

    from sovsim import Sim, load
    sim = Sim(load("world1946"), agents=10_000, seed=1)
    results = sim.run()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

__all__ = ["Sim", "load"]

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim
    from sovsim.world.loading import load


def __getattr__(name: str) -> Any:
    # imported on first use, so that `import sovsim.world...` does not load the engine and its
    # compiled kernels
    if name == "Sim":
        from sovsim.engine.sim import Sim

        return Sim
    if name == "load":
        from sovsim.world.loading import load

        return load
    raise AttributeError(f"module 'sovsim' has no attribute {name!r}")
