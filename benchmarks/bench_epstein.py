"""Speed of sovsim's Epstein mode against Mesa 3.3.1's EpsteinCivilViolence example.

Both run Mesa's default parameters (citizen density 0.7, cop density 0.074, vision 7) on 40x40,
100x100 and 300x300 tori in the same process, one after the other. Speed is agent-steps per
second, citizens and cops together, model construction excluded; sovsim's time includes setting
up its grid on every call, as the engine does each month. Mesa runs only a few steps on the large
grids (about 10 s a step at 300x300). Each speed is given by wall-clock time and by the process's
CPU time, which is the steadier figure on a shared machine. Optionally, the well-mixed mode at a
million agents.

    python benchmarks/bench_epstein.py [--quick] [--well-mixed]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from sovsim.politics.mobilisation import MobilisationParams, mobilise_well_mixed
from sovsim.validate.epstein import load_mesa_model, run_epstein

# width, sovsim steps, Mesa steps
SIZES = ((40, 500, 30), (100, 200, 6), (300, 30, 2))


class Clock:
    """Wall-clock and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def time_sovsim(width: int, steps: int, repeats: int = 3) -> tuple[float, float, int]:
    """Best of `repeats` runs: agent-steps per second by wall clock and by CPU time, agents."""
    run_epstein(width=width, height=width, steps=2, seed=0)  # compile, or load the cache
    wall = cpu = 0.0
    agents = 0
    for r in range(repeats):
        with Clock() as clock:
            out = run_epstein(width=width, height=width, steps=steps, seed=r)
        agents = int(out["citizens"][0] + out["cops"][0])
        wall = max(wall, agents * steps / clock.wall)
        cpu = max(cpu, agents * steps / clock.cpu)
    return wall, cpu, agents


def time_mesa(width: int, steps: int) -> tuple[float, float, int]:
    """One Mesa run: agent-steps per second by wall clock and by CPU time, agents."""
    model = load_mesa_model()(width=width, height=width, seed=0)
    agents = len(model.agents)
    with Clock() as clock:
        for _ in range(steps):
            model.step()
    return agents * steps / clock.wall, agents * steps / clock.cpu, agents


def time_well_mixed(n: int = 1_000_000, steps: int = 10) -> dict[str, float]:
    """Citizen-steps per second at n agents, by wall clock and CPU time: one call per step (as
    the engine calls), and one call for all steps."""
    rng = np.random.default_rng(0)
    status = np.zeros(n, np.uint8)
    hardship = rng.random(n, dtype=np.float32)
    risk = rng.random(n, dtype=np.float32)
    tendency = rng.uniform(-1, 1, n).astype(np.float32)
    jail = np.zeros(n, np.uint16)
    cops, sites = int(n * 0.074 / 0.7), int(n / 0.7)  # Mesa's densities
    params = MobilisationParams(max_jail=1000)

    def call(k: int) -> None:
        mobilise_well_mixed(status, hardship, 0.8, risk, tendency, jail, cops, rng, params,
                            sites=sites, steps=k)

    call(2)
    with Clock() as per_call:
        for _ in range(steps):
            call(1)
    with Clock() as one_call:
        call(steps)
    work = n * steps
    return {"per call, wall": work / per_call.wall, "per call, CPU": work / per_call.cpu,
            "one call, wall": work / one_call.wall, "one call, CPU": work / one_call.cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40x40 and 100x100 only")
    parser.add_argument("--well-mixed", action="store_true", help="also 1e6 agents well-mixed")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{'grid':>8} {'agents':>7} {'Mesa/s':>9} {'sovsim/s':>9} {'ratio':>6}"
          f"   {'CPU-time: Mesa/s':>16} {'sovsim/s':>9} {'ratio':>6}")
    for width, ours_steps, mesa_steps in SIZES[:2] if args.quick else SIZES:
        ours_wall, ours_cpu, agents = time_sovsim(width, ours_steps)
        mesa_wall, mesa_cpu, _ = time_mesa(width, mesa_steps)
        print(f"{width}x{width:<4} {agents:>7} {mesa_wall:>9.3g} {ours_wall:>9.3g} "
              f"{ours_wall / mesa_wall:>5.0f}x   {mesa_cpu:>16.3g} {ours_cpu:>9.3g} "
              f"{ours_cpu / mesa_cpu:>5.0f}x", flush=True)
    if args.well_mixed:
        speeds = time_well_mixed()
        print("well-mixed, 1e6 citizens, citizen-steps/s (one call a step; one call of ten):")
        print("  " + ", ".join(f"{name} {v:.3g}" for name, v in speeds.items()))


if __name__ == "__main__":
    main()
