"""The browser workbench (`sovsim serve`): the set-up form's checks, the scenario it exports,
the readers of claims and history folders, and the pages in the system's Chromium driven by
Playwright (skipped when there is no Chromium or SOVSIM_NO_BROWSER=1)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sovsim.claims.command import SCHEMAS
from sovsim.cli import app as cli
from sovsim.workbench import form, history_page
from sovsim.workbench.claims_page import claim_cards
from sovsim.world.pars import PARS

FIXTURE_CLAIMS = Path(__file__).parent / "data" / "workbench" / "claims-fixture"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SRC = Path(__file__).resolve().parents[1] / "src"


def setup_form(**over: object) -> dict:
    raw = {"scenario": "world1946", "theory": "dws", "mode": "well-mixed", "agents": "2000",
           "seed": "3", "end": "1950", "pars": {}, "changes": [], "events": []}
    raw.update(over)
    return raw


# --- the form, without a browser -----------------------------------------------------------------

def test_each_bad_value_gets_its_own_field_message() -> None:
    setup, errors = form.check(setup_form(
        agents="many", seed="-1", end="2050", theory="lenin",
        pars={"dws_kappa": "21", "eta": "x", "sigma_heavy": "3"}))
    assert setup is None
    assert set(errors) == {"agents", "seed", "end", "theory", "par:dws_kappa", "par:eta"}
    assert "[0, 20]" in errors["par:dws_kappa"] and "1/year" in errors["par:dws_kappa"]
    assert "not a number" in errors["par:eta"]
    assert "1946" in errors["end"] and "1991" in errors["end"]


def test_changed_values_only_and_their_domain_edges_pass() -> None:
    spec = PARS["dws_kappa"]
    setup, errors = form.check(setup_form(pars={"dws_kappa": str(spec.high),
                                                "eta": "0.3", "g0_heavy": str(spec.low)}))
    base = {f.name: f.value for f in form.fields("world1946")}
    assert errors == {}
    assert setup.pars["dws_kappa"] == spec.high
    assert "eta" not in setup.pars or base["eta"] != 0.3


def test_events_and_changes_are_checked_against_the_scenario() -> None:
    _, message = form.check_event({"kind": "attack", "date": "1950-01", "attacker": "USA",
                                   "target": "USA"}, "world1946")
    assert "cannot attack itself" in message
    _, message = form.check_event({"kind": "withdraw", "date": "1950-01",
                                   "region": "Atlantis"}, "world1946")
    assert "Atlantis" in message
    _, message = form.check_event({"kind": "shock", "date": "2001-01", "region": "India",
                                   "shock": "harvest", "size": "0.2"}, "world1946")
    assert "outside the horizon" in message
    assert "outside its domain" in form.check_change(
        {"date": "1950-01", "region": "USSR", "lever": "lam", "value": "1.5"}, "world1946")
    assert form.check_change({"date": "1950-01", "region": "USSR", "lever": "lam",
                              "value": "0.5"}, "world1946") is None


def test_exported_scenario_is_accepted_by_sovsim_check_and_says_what_changed(
        tmp_path: Path) -> None:
    setup, errors = form.check(setup_form(
        pars={"dws_kappa": "7.5"},
        changes=[{"date": "1950-01", "region": "USSR", "lever": "lam", "value": "0.6"}],
        events=[{"kind": "shock", "date": "1947-01", "region": "India", "shock": "harvest",
                 "size": "0.2"}]))
    assert errors == {}
    path = tmp_path / "variant.toml"
    path.write_text(form.scenario_toml(setup), encoding="utf-8")
    done = CliRunner().invoke(cli, ["check", str(path)])
    assert done.exit_code == 0, done.output
    data = tomllib.loads(path.read_text())
    assert data["pars"]["dws_kappa"]["value"] == 7.5
    assert data["pars"]["dws_kappa"]["assumed"] is True
    # an inheriting file replaces the events list: the scenario's own events are kept in it
    n_own = len(form.base_events("world1946"))
    assert len(data["events"]) == n_own + 1
    from sovsim.world.loading import load

    loaded = load(str(path))
    assert loaded.model.pars["dws_kappa"].value == 7.5
    assert loaded.model.schedule[-1].lever == "lam"


def test_claims_fixture_has_the_layout_sovsim_claims_writes() -> None:
    verdicts = pq.read_table(FIXTURE_CLAIMS / "verdicts.parquet")
    assert verdicts.schema.names == SCHEMAS["verdicts"].names, (
        "regenerate tests/data/workbench/claims-fixture (see its README)")
    cards = claim_cards(FIXTURE_CLAIMS)
    assert [c.id for c in cards] == [f"claim-C{i}" for i in range(1, 10)]


def test_history_reader_tolerates_absence_and_reads_a_scorecard(tmp_path: Path) -> None:
    assert history_page.read_history(tmp_path / "missing") == []
    assert history_page.read_history(tmp_path) == []
    folder = tmp_path / "history"
    folder.mkdir()
    table = pa.table({"id": ["E1", "E2"], "data": [0.2, 0.5], "model": [0.25, 0.9],
                      "pass": [True, False]})
    pq.write_table(table, folder / "scorecard.parquet")
    cards = history_page.read_history(tmp_path)
    assert len(cards) == 1 and cards[0].table.num_rows == 2 and cards[0].pass_column == "pass"


def test_serve_refuses_bad_options_with_exit_code_2(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for args in (["--port", "0"], ["--runs", str(a_file)], ["--workers", "0"]):
        done = CliRunner().invoke(cli, ["serve", *args])
        assert done.exit_code == 2, (args, done.output)
    assert not any(p.name != "file" for p in tmp_path.iterdir())


def test_queue_has_one_worker_per_core_and_refuses_runs_beyond_its_bound(
        tmp_path: Path) -> None:
    from sovsim.workbench.runner import RunQueue

    queue = RunQueue(tmp_path, max_waiting=1)
    try:
        assert queue.workers == (os.cpu_count() or 1)
        # the workers are still warming up (seconds), so a run submitted now waits
        first = queue.submit("page", {"scenario_path": "unused"})
        assert first.state == "queued" and queue.position(first.id) == 1
        with pytest.raises(ValueError, match="queue is full"):
            queue.submit("page", {"scenario_path": "unused"})
        queue.stop(first.id)
        assert first.state == "stopped" and queue.position(first.id) == 0
    finally:
        queue.close()
    assert not (tmp_path / ".workbench").exists()


# --- the server in a browser ---------------------------------------------------------------------

def _browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/_workbench/status", timeout=10) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def browser_path() -> str:
    if os.environ.get("SOVSIM_NO_BROWSER") == "1":
        pytest.skip("SOVSIM_NO_BROWSER=1: no browser tests")
    path = _browser()
    if path is None:
        pytest.skip("no Chromium found for the workbench's browser tests (Debian as root: "
                    "apt-get install -y chromium; scripts/test installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    return path


@pytest.fixture(scope="module")
def server(browser_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`sovsim serve` on a free port, with a claims folder in --runs; always shut down."""
    runs = tmp_path_factory.mktemp("workbench") / "runs"
    runs.mkdir()
    shutil.copytree(FIXTURE_CLAIMS, runs / "claims-fixture")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    log = runs.parent / "server.log"
    cwd = runs.parent / "cwd"      # the server's working folder: it must stay empty
    cwd.mkdir()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sovsim.cli", "serve", "--port", str(port), "--runs",
             str(runs), "--workers", "1", "--page-timeout", "6"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                if _status(base)["ready"]:
                    break
            except OSError:
                pass
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the workbench did not warm up in 240 s"
            time.sleep(0.5)
        yield {"base": base, "runs": runs, "proc": proc, "log": log, "cwd": cwd}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def page(server: dict, browser_path: str) -> Iterator:
    """A page whose every request is checked to stay on the server, console errors kept."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path,
                                    args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.errors, pg.outside = [], []
        pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))

        def route(r) -> None:
            if r.request.url.startswith(server["base"] + "/"):
                r.continue_()
            else:
                pg.outside.append(r.request.url)
                r.abort()
        pg.route("**/*", route)
        try:
            yield pg
        finally:
            browser.close()
    assert pg.outside == [], f"requests left localhost: {pg.outside[:5]}"


def _traces(pg, graph: str) -> list[str]:
    return pg.evaluate(f"Array.from(document.querySelectorAll('#{graph} .legendtext'))"
                       ".map(e => e.textContent)")


def test_page_loads_without_console_errors(page, server: dict) -> None:
    page.goto(server["base"] + "/")
    page.wait_for_selector("#live-output_per_capita .main-svg", timeout=60_000)
    page.wait_for_function("document.querySelector('#run-status').innerText.length > 0",
                           timeout=60_000)
    assert page.errors == []
    for nav in ("look", "compare", "claims", "history"):
        page.click(f"#nav-{nav}")
        page.wait_for_selector("h2", timeout=30_000)
    assert page.errors == []


def test_changed_parameter_and_run_fill_the_charts(page, server: dict) -> None:
    page.goto(server["base"] + "/")
    page.wait_for_selector("#live-output_per_capita .main-svg", timeout=60_000)
    page.click("summary:has-text('Authorities: the Soviet bureaucracy')")
    page.fill("input[id*='dws_kappa']", "7.5")
    page.fill("#agents", "2000")
    page.fill("#end", "1947")
    page.click("#run")
    page.wait_for_function(
        "document.querySelector('#run-status').innerText.includes('done')", timeout=180_000)
    page.wait_for_function(
        "document.querySelectorAll('#live-output_per_capita .scatterlayer .trace').length"
        " >= 16", timeout=60_000)
    regions = form.regions("world1946")
    assert _traces(page, "live-output_per_capita") == regions
    assert _traces(page, "live-collective_share") == regions
    assert "course of USSR" in _traces(page, "live-course")
    assert page.inner_text("#progress") is not None
    # the run read the changed value: its scenario file under --runs says so
    written = sorted((server["runs"] / "scenarios").glob("run-*.toml"))
    assert tomllib.loads(written[-1].read_text())["pars"]["dws_kappa"]["value"] == 7.5
    page.fill("#save-name", "kappa-7.5")
    page.click("#save")
    page.wait_for_function("document.querySelector('#form-status').innerText.includes("
                           "'saved as')", timeout=30_000)
    saved = server["runs"] / "kappa-7.5"
    done = CliRunner().invoke(cli, ["classify", str(saved), "--year", "1947",
                                    "--region", "USSR"])
    assert done.exit_code == 0, done.output
    assert page.errors == []


def test_bad_value_shows_its_field_error_and_the_server_answers(page, server: dict) -> None:
    page.goto(server["base"] + "/")
    page.wait_for_selector("#live-output_per_capita .main-svg", timeout=60_000)
    page.click("summary:has-text('Economy and population')")
    page.fill("input[id*='\"eta\"']", "99")
    page.fill("#agents", "lots")
    page.click("#run")
    page.wait_for_function("document.querySelector('#err-agents').innerText.length > 0",
                           timeout=30_000)
    assert "whole number" in page.inner_text("#err-agents")
    eta_error = page.locator("div[id*='par-err'][id*='\"eta\"']")
    assert "[0, 2]" in eta_error.inner_text()
    assert "to correct" in page.inner_text("#form-status")
    assert _status(server["base"])["ready"]        # the server answers the next request
    page.fill("input[id*='\"eta\"']", "0.5")
    page.fill("#agents", "500")
    page.fill("#end", "1946")
    page.click("#run")
    page.wait_for_function("document.querySelector('#form-status').innerText.includes("
                           "'queued')", timeout=30_000)
    assert page.inner_text("#err-agents") == ""


def test_claims_page_shows_the_nine_claims(page, server: dict) -> None:
    page.goto(server["base"] + "/claims")
    page.wait_for_selector(".claim", timeout=60_000)
    cards = page.locator(".claim")
    assert cards.count() == 9
    text = page.inner_text("#claims-cards")
    for needle in ("seed ¶", "hypothesis", "Wilson interval", "effect",
                   "assumptions that decide it"):
        assert needle in text
    assert page.errors == []


def test_closing_the_page_cancels_its_run(page, server: dict) -> None:
    page.goto(server["base"] + "/")
    page.wait_for_selector("#live-output_per_capita .main-svg", timeout=60_000)
    page.fill("#agents", "20000")
    page.fill("#end", "")
    page.click("#run")
    page.wait_for_function("document.querySelector('#form-status').innerText.includes("
                           "'queued')", timeout=30_000)
    job = int(page.inner_text("#form-status").split()[1])
    page.close()
    deadline = time.monotonic() + 120
    while True:
        state = next(j for j in _status(server["base"])["jobs"] if j["id"] == job)
        if state["state"] in ("stopped", "done", "failed"):
            break
        assert time.monotonic() < deadline, state
        time.sleep(0.5)
    assert state["state"] == "stopped" and "page closed" in state["message"], state


def test_nothing_is_written_outside_runs(server: dict) -> None:
    assert list(server["cwd"].iterdir()) == []
    assert sorted(p.name for p in server["runs"].parent.iterdir()) == ["cwd", "runs",
                                                                        "server.log"]
