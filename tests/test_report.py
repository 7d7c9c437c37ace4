"""`sovsim report`: the HTML page of a claims, run and ensemble folder, offline and complete.

The claims folder is synthetic (its writer is another part of sovsim; this codes against the
layout of the claims laboratory: meta.json, verdicts, runs, series, sensitivity, c4, labels). The
run folder is a real small run of the tiny test world. The browser test renders the page in a
headless Chromium and counts the charts that plotly.js actually drew.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from sovsim.cli import app
from sovsim.io.report import build_report, report_command

runner = CliRunner()

CLAIMS = {  # id -> (title, verdict label, share, effect name, unit)
    "C1": ("Soviet expansion is not imperialism", "supported", 0.9, "Soviet-type share",
           "share"),
    "C2": ("Reforms develop the productive forces", "undecided", 0.55, "output gap after 20 "
           "years", "1990 GK$/person/year"),
    "C3": ("The bureaucracy strikes at the landlords", "refuted", 0.2, "landlord income change",
           "share"),
    "C4": ("Only the Bonapartist-caste theory explains the zigzags", "supported", 0.8,
           "timing score margin", "1"),
}
THEORIES = ("dws", "state-capitalism", "bureaucratic-collectivism", "shocks-only")
N_RUNS = 24
EXTERNAL = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*"
                      r"(?:https?:)?//", re.IGNORECASE)
RENDERED = re.compile(r'<div class="plot-container plotly"')
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def write_claims(folder: Path, seed: int = 1) -> Path:
    """A synthetic claims folder in the laboratory's layout, every table filled."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    ids = list(CLAIMS)
    (folder / "meta.json").write_text(json.dumps({
        "sovsim_version": "0.1.0", "kind": "claims", "runs": N_RUNS, "agents": 3000,
        "seed": seed, "workers": 2, "claims": ids, "wall_seconds": 12.5}))
    verdicts, runs, series, sens, labels = [], [], [], [], []
    for cid, (title, label, share, effect_name, unit) in CLAIMS.items():
        effect = rng.normal(share - 0.5, 0.4, N_RUNS)
        supports = effect > 0
        verdicts.append({
            "claim": cid, "title": title, "statement": f"The essay says: {title.lower()}.",
            "n_runs": N_RUNS, "n_support": round(share * N_RUNS), "share": share,
            "share_low": max(0.0, share - 0.18), "share_high": min(1.0, share + 0.15),
            "label": label, "effect_name": effect_name, "effect_unit": unit,
            "effect_median": float(np.median(effect)),
            "effect_low": float(np.quantile(effect, 0.05)),
            "effect_high": float(np.quantile(effect, 0.95))})
        for k in range(N_RUNS):
            failed = k == N_RUNS - 1              # one failed run: no effect, no verdict
            runs.append({"claim": cid, "run_id": k, "seed": 1000 + k,
                         "status": "failed" if failed else "ok",
                         "supports": None if failed else bool(supports[k]),
                         "effect": None if failed else float(effect[k]),
                         "par_pillage_rate": float(rng.uniform(0, 1)),
                         "par_repression": float(rng.uniform(0, 2)),
                         "par_alpha": float(rng.uniform(0.2, 0.4))})
        for rank, (par, rho) in enumerate((("pillage_rate", -0.62), ("repression", 0.35),
                                           ("alpha", 0.05)), 1):
            sens.append({"claim": cid, "parameter": par, "spearman": rho, "rank": rank})
        if cid in ("C2", "C3"):
            var = "output_per_capita" if cid == "C2" else "capital_landlord"
            for variant, slope in (("scenario", 0.04), ("counterfactual", 0.025)):
                for k in range(N_RUNS):
                    level = 1000 * rng.lognormal(0, 0.1)
                    for year in range(1946, 1967):
                        series.append({"claim": cid, "variant": variant, "run_id": k,
                                       "year": float(year), "region": "Poland",
                                       "variable": var, "value": level * np.exp(
                                           (slope + rng.normal(0, 0.01)) * (year - 1946))})
    c4 = []
    months = np.arange(1921 * 12, 1954 * 12) / 12.0
    for t, theory in enumerate(THEORIES):
        for k in range(6):
            phase = rng.uniform(0, 2 * np.pi)
            course = np.tanh(3 * np.sin(2 * np.pi * months / (6 + 2 * t) + phase))
            series += [{"claim": "C4", "variant": theory, "run_id": k, "year": float(y),
                        "region": "USSR", "variable": "course", "value": float(x)}
                       for y, x in zip(months, course, strict=True)]
            hist, sim = rng.uniform(0, 1, 2)
            c4.append({"theory": theory, "run_id": k, "reversals": int(rng.integers(3, 12)),
                       "mean_spacing_months": float(rng.uniform(24, 80)),
                       "hist_matched": float(hist), "sim_matched": float(sim),
                       "score": float((hist + sim) / 2)})
    for variant in ("actual", "swapped"):
        for k in range(N_RUNS):
            for year in range(1946, 1960):
                for subject in ("USSR -> Poland", "USA -> Italy"):
                    soviet = (subject.startswith("USSR")) == (variant == "actual")
                    lab = "Soviet-type" if soviet else "imperialist"
                    if rng.uniform() < 0.15:
                        lab = "undetermined"
                    labels.append({"run_id": k, "variant": variant, "year": year,
                                   "subject": subject, "label": lab})
    for stem, rows in (("verdicts", verdicts), ("runs", runs), ("series", series),
                       ("sensitivity", sens), ("c4", c4), ("labels", labels)):
        pq.write_table(pa.Table.from_pylist(rows), folder / f"{stem}.parquet")
    return folder


@pytest.fixture(scope="session")
def claims_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_claims(tmp_path_factory.mktemp("claims") / "claims")


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory, tiny_path: Path) -> Path:
    out = tmp_path_factory.mktemp("run") / "tiny"
    result = runner.invoke(app, ["run", str(tiny_path), "--agents", "3000", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def ensemble_dir(tmp_path_factory: pytest.TempPathFactory, run_dir: Path) -> Path:
    """Two copies of the tiny run as an ensemble folder (the ensemble writer's layout)."""
    folder = tmp_path_factory.mktemp("ens") / "ensemble"
    folder.mkdir()
    for k in range(2):
        shutil.copytree(run_dir, folder / f"run-{k:04d}", ignore=shutil.ignore_patterns(
            "report.html"))
    (folder / "meta.json").write_text(json.dumps({"sovsim_version": "0.1.0",
                                                  "kind": "ensemble", "runs": 2}))
    return folder


def check_page(text: str) -> None:
    """Offline and self-contained: plotly.js once, nothing fetched from the network."""
    assert text.startswith("<!DOCTYPE html>")
    assert text.count(get_plotlyjs()[:2000]) == 1, "plotly.js must be embedded exactly once"
    assert not EXTERNAL.findall(text), EXTERNAL.findall(text)[:3]
    assert "fonts.googleapis" not in text and "@import" not in text


def test_claims_report(claims_dir: Path) -> None:
    result = runner.invoke(app, ["report", str(claims_dir)])
    assert result.exit_code == 0, result.output
    text = (claims_dir / "report.html").read_text(encoding="utf-8")
    check_page(text)
    for cid, (title, label, *_rest) in CLAIMS.items():
        assert f'id="claim-{cid}"' in text
        assert title in text
        assert re.search(rf"claim-{cid}.*?>{label}</span>", text, re.DOTALL), (cid, label)
    for theory in THEORIES:                 # C4: each theory's row in the zigzag table
        assert f"<td>{theory}" in text
    assert "history (dated turns)" in text


def test_run_report(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "page.html"
    result = runner.invoke(app, ["report", str(run_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (run_dir / "report.html").exists()
    text = out.read_text(encoding="utf-8")
    check_page(text)
    for region in json.loads((run_dir / "meta.json").read_text())["regions"]:
        assert region in text
    assert "Class character" in text and "Course of the authorities" in text


def test_ensemble_report(ensemble_dir: Path) -> None:
    path = report_command(ensemble_dir)
    text = path.read_text(encoding="utf-8")
    check_page(text)
    assert "Ensemble of 2 runs" in text and "run-0001" in text


@pytest.mark.parametrize("case", ["missing", "empty", "foreign_meta", "unknown_kind",
                                  "claims_without_verdicts"])
def test_bad_folder(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "dir"
    if case != "missing":
        folder.mkdir()
    if case == "foreign_meta":
        (folder / "meta.json").write_text('{"name": "not ours"}')
    elif case == "unknown_kind":
        (folder / "meta.json").write_text('{"sovsim_version": "0.1.0", "kind": "poem"}')
    elif case == "claims_without_verdicts":
        (folder / "meta.json").write_text('{"sovsim_version": "0.1.0", "kind": "claims"}')
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 2, result.output
    assert "error" in result.output
    assert not (folder / "report.html").exists()
    if folder.exists():
        assert not [p for p in folder.iterdir() if p.name != "meta.json"]


def _browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def render(browser: str, page: Path) -> str:
    """The DOM of a page after its scripts ran, from a headless browser; fails on a script
    error (the browser logs the page's console to stderr)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
             "--window-size=1400,3000", "--enable-logging=stderr", "--v=0", "--dump-dom",
             page.resolve().as_uri()],
            capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if "Uncaught" in line]
    assert not errors, errors[:3]
    return done.stdout


def test_charts_render_in_a_browser(claims_dir: Path, run_dir: Path) -> None:
    browser = _browser()
    if browser is None:
        if os.environ.get("SOVSIM_NO_BROWSER") == "1":
            pytest.skip("SOVSIM_NO_BROWSER=1: no browser check")
        pytest.fail("no headless browser to check the report's charts: install Chromium "
                    "(Debian/Ubuntu as root: apt-get update && apt-get install -y chromium), "
                    "or set SOVSIM_NO_BROWSER=1 to skip this check")
    for folder in (claims_dir, run_dir):
        text, n_charts = build_report(folder)
        page = folder.parent / f"{folder.name}-browser.html"
        page.write_text(text, encoding="utf-8")
        assert text.count('<figure class="chart">') == n_charts > 0
        dom = render(browser, page)
        assert len(RENDERED.findall(dom)) == n_charts, (folder, n_charts)
