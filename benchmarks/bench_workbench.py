"""How live the workbench feels: time to the first chart, and a whole run against `sovsim run`.

    python benchmarks/bench_workbench.py [--agents-first 20000] [--agents-full 100000]

Starts `sovsim serve` (one worker) on a free port with a scratch --runs folder, waits until its
kernels are warm, then drives the system's Chromium with Playwright:

1. first chart: set `--agents-first` agents, press Run, and time until the output-per-head chart
   has its first trace (what the user sees), three times;
2. full run: 1946-1991 at `--agents-full` agents, press Run, time until the page says done
   (the run folder written, labels included), against `sovsim run` of the same scenario, seed
   and agents in a fresh process (Numba cache warm: a first `sovsim run` is made beforehand).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _status(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/_workbench/status", timeout=10) as r:
        return json.loads(r.read())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents-first", type=int, default=20_000)
    ap.add_argument("--agents-full", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    browser_path = next(p for p in map(shutil.which, ("chromium", "chromium-browser")) if p)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    scratch = Path(tempfile.mkdtemp(prefix="bench-workbench-"))
    runs = scratch / "runs"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "sovsim.cli", "serve", "--port", str(port),
                               "--runs", str(runs), "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if _status(base)["ready"]:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        print(f"server up and kernels warm after {time.perf_counter() - t0:.1f} s")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base + "/")
            page.wait_for_selector("#live-output_per_capita .main-svg", timeout=60_000)
            for i in range(args.repeats):
                page.fill("#agents", str(args.agents_first))
                page.fill("#end", "1960")
                t = time.perf_counter()
                page.click("#run")
                page.wait_for_function(
                    f"document.querySelector('#run-status').innerText.startsWith('run {i + 1}')"
                    " && document.querySelectorAll('#live-output_per_capita .scatterlayer"
                    " .trace').length > 0", timeout=120_000, polling=20)
                first = time.perf_counter() - t
                page.click("#stop")
                page.wait_for_function(
                    "document.querySelector('#run-status').innerText.includes('stopped')",
                    timeout=120_000)
                job = next(j for j in _status(base)["jobs"] if j["id"] == i + 1)
                print(f"first chart at {args.agents_first:,} agents: {first:.2f} s in the "
                      f"browser (first months on the server after {job['first_months_s']} s)")
            page.fill("#agents", str(args.agents_full))
            page.fill("#end", "")
            t = time.perf_counter()
            page.click("#run")
            page.wait_for_function(
                f"document.querySelector('#run-status').innerText.startsWith("
                f"'run {args.repeats + 1}: done')", timeout=3_600_000, polling=100)
            full = time.perf_counter() - t
            browser.close()
        job = next(j for j in _status(base)["jobs"] if j["id"] == args.repeats + 1)
        print(f"workbench 1946-1991 at {args.agents_full:,} agents: {full:.1f} s from Run to "
              f"done (the worker's own wall time {job['wall_s']:.1f} s)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    cli = [sys.executable, "-m", "sovsim.cli", "run", "world1946", "--agents",
           str(args.agents_full), "--seed", "0"]
    subprocess.run([*cli[:4], "--agents", "2000", "--end", "1946", "--out",
                    str(scratch / "warm")], env=env, check=True, capture_output=True)
    t = time.perf_counter()
    subprocess.run([*cli, "--out", str(scratch / "cli")], env=env, check=True,
                   capture_output=True)
    wall = time.perf_counter() - t
    meta = json.loads((scratch / "cli" / "meta.json").read_text())
    print(f"sovsim run 1946-1991 at {args.agents_full:,} agents: {wall:.1f} s for the command "
          f"(its simulation {meta['wall_seconds']:.1f} s); workbench / sovsim run = "
          f"{full / wall:.2f}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
