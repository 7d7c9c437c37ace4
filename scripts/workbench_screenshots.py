"""Screenshots of the workbench's pages for docs/ (docs/workbench-*.png).

    PYTHONPATH=src python3 scripts/workbench_screenshots.py

Starts `sovsim serve` with a scratch --runs folder holding the test suite's claims fixture, runs
world1946 1946-1960 at 20,000 agents under dws and under state capitalism on the same seed
(saved as two run folders), and photographs each page in the system's Chromium.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
VIEW = {"width": 1280, "height": 860}


def main() -> None:
    from playwright.sync_api import sync_playwright

    browser_path = next(p for p in map(shutil.which, ("chromium", "chromium-browser")) if p)
    scratch = Path(tempfile.mkdtemp(prefix="workbench-shots-"))
    runs = scratch / "runs"
    runs.mkdir()
    shutil.copytree(ROOT / "tests" / "data" / "workbench" / "claims-fixture", runs / "claims")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "sovsim.cli", "serve", "--port", str(port),
                               "--runs", str(runs), "--workers", "1"],
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_workbench/status", timeout=5) as r:
                    if json.loads(r.read())["ready"]:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            page = browser.new_page(viewport=VIEW)
            page.goto(base + "/")
            page.wait_for_selector("#live-output_per_capita .main-svg", timeout=60_000)
            for i, theory in enumerate(("dws", "state-capitalism"), start=1):
                if theory != "dws":       # dws is the default
                    page.click("#theory")
                    page.click(f"label[role=option]:has(input[value='{theory}'])")
                    page.wait_for_function(
                        f"document.querySelector('#theory').innerText.includes('{theory}')",
                        timeout=10_000)
                page.fill("#agents", "20000")
                page.fill("#end", "1960")
                page.click("#run")
                page.wait_for_function(
                    f"document.querySelector('#run-status').innerText.startsWith('run {i}: "
                    "done')", timeout=600_000)
                time.sleep(2)
                if i == 1:
                    page.screenshot(path=str(DOCS / "workbench-run.png"))
                page.fill("#save-name", f"world1946-{theory}-s0")
                page.click("#save")
                page.wait_for_function("document.querySelector('#form-status').innerText"
                                       ".includes('saved as')", timeout=30_000)
            for name in ("look", "compare", "claims", "history"):
                page.goto(f"{base}/{name}")
                page.wait_for_selector("h2", timeout=60_000)
                time.sleep(6)
                page.screenshot(path=str(DOCS / f"workbench-{name}.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    for png in sorted(DOCS.glob("workbench-*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
