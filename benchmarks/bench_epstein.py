"""Speed of sovsim's Epstein mode against Mesa 3.3.1's EpsteinCivilViolence example.

Both run Mesa's default parameters (citizen density 0.7, cop density 0.074, vision 7) on 40x40,
100x100 and 300x300 tori in the same process, one after the other. Speed is agent-steps per
second, citizens and cops together, model construction excluded; sovsim's time includes setting
up its grid on every call, as the engine does each month. Mesa runs only a few steps on the large
grids (about 10 s a step at 300x300). Optionally, the well-mixed mode at a million agents.

    python benchmarks/bench_epstein.py [--quick] [--well-mixed]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from sovsim.politics.mobilisation import (
    MobilisationParams,
    mobilise_well_mixed,
    run_epstein,
)
from sovsim.validate.epstein import load_mesa_model

# width, sovsim steps, Mesa steps
SIZES = ((40, 500, 30), (100, 200, 6), (300, 30, 2))


def time_sovsim(width: int, steps: int, repeats: int = 3) -> tuple[float, int]:
    """Best of `repeats` timed runs: agent-steps per second and the number of agents."""
    run_epstein(width=width, height=width, steps=2, seed=0)  # compile, or load the cache
    best = 0.0
    agents = 0
    for r in range(repeats):
        start = time.perf_counter()
        out = run_epstein(width=width, height=width, steps=steps, seed=r)
        elapsed = time.perf_counter() - start
        agents = int(out["citizens"][0] + out["cops"][0])
        best = max(best, agents * steps / elapsed)
    return best, agents


def time_mesa(width: int, steps: int) -> tuple[float, int]:
    """One timed Mesa run: agent-steps per second and the number of agents."""
    model = load_mesa_model()(width=width, height=width, seed=0)
    agents = len(model.agents)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return agents * steps / (time.perf_counter() - start), agents


def time_well_mixed(n: int = 1_000_000, steps: int = 10) -> tuple[float, float]:
    """Citizen-steps per second at n agents: one call per step (as the engine calls), and one
    call for all steps."""
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
    start = time.perf_counter()
    for _ in range(steps):
        call(1)
    per_call = n * steps / (time.perf_counter() - start)
    start = time.perf_counter()
    call(steps)
    return per_call, n * steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40x40 and 100x100 only")
    parser.add_argument("--well-mixed", action="store_true", help="also 1e6 agents well-mixed")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{'grid':>8} {'agents':>7} {'Mesa/s':>10} {'sovsim/s':>12} {'ratio':>7}")
    for width, ours_steps, mesa_steps in SIZES[:2] if args.quick else SIZES:
        ours, agents = time_sovsim(width, ours_steps)
        mesa, _ = time_mesa(width, mesa_steps)
        print(f"{width}x{width:<4} {agents:>7} {mesa:>10.3g} {ours:>12.3g} {ours / mesa:>6.0f}x",
              flush=True)
    if args.well_mixed:
        per_call, one_call = time_well_mixed()
        print(f"well-mixed, 1e6 citizens: {per_call:.3g}/s one call a step, "
              f"{one_call:.3g}/s ten steps a call")


if __name__ == "__main__":
    main()
