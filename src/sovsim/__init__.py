"""sovsim: the world system of 1946, after E. Germain (1946), as an agent-based simulation."""

__version__ = "0.1.0"
