"""Speed and memory of world1946: the economy-and-incomes step and the full step.

Usage: python benchmarks/bench_world.py [--agents 100000 1000000] [--steps 120]
       [--modes well-mixed spatial]

For each agent count and mobilisation mode it builds world1946, runs a few warm-up steps (Numba
compiles on first use), then times `--steps` steps entry by entry of the step plan, and prints:
- economy-and-incomes agent-steps/s: the economy, incomes and population entries (issue: the
  engine's own work, without politics);
- full agent-steps/s: every entry of the plan;
- agent state bytes per agent: the struct-of-arrays bytes per living agent (capacity included);
- peak memory per agent: the agent state plus the peak of the allocations made during six more
  steps (tracemalloc, NumPy's temporaries included; traced after the timing, which tracing would
  slow), divided by the agents.
Each configuration runs in a fresh process so that peaks do not mix.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc

ECONOMY = ("sovsim.economy", "sovsim.politics.schedule", "sovsim.engine")


def measure(agents: int, steps: int, mode: str) -> dict:
    from sovsim.engine.sim import Sim

    sim = Sim("world1946", agents=agents, seed=0, mode=mode)
    for _ in range(3):
        sim.step()
    spent = {f"{e.module}.{e.name}": 0.0 for e in sim.plan}
    for _ in range(steps):
        for entry in sim.plan:
            t0 = time.perf_counter()
            entry.run()
            spent[f"{entry.module}.{entry.name}"] += time.perf_counter() - t0
        sim.t += 1
    # memory is traced apart from the timing: tracing slows every allocation
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(6):
        sim.step()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    economy = sum(v for k, v in spent.items() if k.startswith(ECONOMY))
    full = sum(spent.values())
    return {
        "agents": agents, "mode": mode, "steps": steps,
        "economy_agent_steps_per_s": agents * steps / economy,
        "full_agent_steps_per_s": agents * steps / full,
        "full_ms_per_step": 1000 * full / steps,
        "state_bytes_per_agent": sim.people.bytes_per_agent * sim.people.capacity / sim.people.n,
        "peak_traced_bytes_per_agent":
            (peak + sim.people.bytes_per_agent * sim.people.capacity) / agents,
        "ms_per_step_by_entry": {k: round(1000 * v / steps, 2) for k, v in spent.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--modes", nargs="+", default=["well-mixed", "spatial"])
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.agents[0], args.steps, args.modes[0])))
        return
    print(f"{'agents':>9} {'mode':>10} {'econ+inc a-s/s':>15} {'full a-s/s':>12} "
          f"{'ms/step':>8} {'state B/agent':>13} {'peak B/agent':>12}")
    for agents in args.agents:
        for mode in args.modes:
            out = subprocess.run([sys.executable, __file__, "--one", "--agents", str(agents),
                                  "--steps", str(args.steps), "--modes", mode],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{agents:>9,} {mode:>10} {r['economy_agent_steps_per_s']:>15.3g} "
                  f"{r['full_agent_steps_per_s']:>12.3g} {r['full_ms_per_step']:>8.1f} "
                  f"{r['state_bytes_per_agent']:>13.1f} "
                  f"{r['peak_traced_bytes_per_agent']:>12.1f}")
            slow = sorted(r["ms_per_step_by_entry"].items(), key=lambda kv: -kv[1])[:4]
            print("           slowest entries (ms/step): "
                  + ", ".join(f"{k} {v}" for k, v in slow))


if __name__ == "__main__":
    main()
