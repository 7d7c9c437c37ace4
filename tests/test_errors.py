"""Bad input and faults across every command (issue 10): one line naming the file, key or path,
exit 2 for bad input and 1 for internal failures, messages printed literally, and nothing
written or lost. Paths are checked before any simulation runs, so these cases are fast."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sovsim.cli import app
from sovsim.io.folders import REPORT_MARK

runner = CliRunner(env={"COLUMNS": "100"})
TINY = Path(__file__).parent / "data" / "tiny.toml"


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under root, with each file's digest."""
    return {str(p.relative_to(root)): ("dir" if p.is_dir()
                                       else hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*"))}


def meta(folder: Path, **fields: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text(json.dumps({"sovsim_version": "0.1.0", **fields}))


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace of things a command must not replace, and broken inputs."""
    monkeypatch.chdir(tmp_path)                     # default outputs would land here
    tiny = TINY.read_text()
    (tmp_path / "tiny.toml").write_text(tiny.replace('inherits = "base"',
                                                     f'inherits = "{TINY.parent}/../../src/'
                                                     'sovsim/world/scenarios/base.toml"'))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("my thesis")
    (tmp_path / "x[y]").mkdir()
    (tmp_path / "x[y]" / "notes.txt").write_text("mine too")
    (tmp_path / "file.txt").write_text("a user's file")
    meta(tmp_path / "fakerun", kind="run", regions=["Plan"])
    (tmp_path / "fakerun" / "regions.parquet").write_bytes(b"not parquet at all")
    meta(tmp_path / "oldrun", regions=["Plan"])  # written before kinds and provenance
    (tmp_path / "oldrun" / "regions.parquet").write_bytes(b"PAR1")
    meta(tmp_path / "changedrun", kind="run", scenario_ref=str(tmp_path / "tiny.toml"),
         scenario_sha256="0" * 64, theory="dws", mode="well-mixed", seed=0, agents=300,
         format="parquet")
    (tmp_path / "changedrun" / "regions.parquet").write_bytes(b"PAR1")
    meta(tmp_path / "runinc", kind="run", complete=False)
    (tmp_path / "runinc" / "regions.parquet").write_bytes(b"PAR1")
    meta(tmp_path / "ens", kind="ensemble", complete=True)
    meta(tmp_path / "ensinc", kind="ensemble", complete=False,
         settings={"scenario": "tiny", "runs": 1})
    meta(tmp_path / "claimsdir", kind="claims", complete=True)
    meta(tmp_path / "hist", kind="history")
    (tmp_path / "old.html").write_text(f"<html><head>{REPORT_MARK} 0.1.0\"></head></html>")
    (tmp_path / "latin1.toml").write_bytes("[scenario]\nname = \"caf\xe9\"\n".encode("latin-1"))
    (tmp_path / "number.toml").write_text("scenario = 5\n")
    (tmp_path / "broken.toml").write_text("[scenario\nname = 1\n")
    (tmp_path / "unknown_key.toml").write_text(tiny.replace(
        'name = "tiny"', 'name = "tiny"\ncolour = "red"').replace(
        'inherits = "base"', f'inherits = "{TINY}"'))
    (tmp_path / "cycle_a.toml").write_text('[scenario]\ninherits = "cycle_b.toml"\n')
    (tmp_path / "cycle_b.toml").write_text('[scenario]\ninherits = "cycle_a.toml"\n')
    (tmp_path / "orphan.toml").write_text('[scenario]\ninherits = "gone.toml"\n')
    (tmp_path / "replace.toml").write_text(f'[scenario]\ninherits = "{TINY}"\n'
                                           'replace = ["regions"]\n')
    (tmp_path / "lonely_replace.toml").write_text('[scenario]\nname = "x"\n'
                                                  'replace = ["events"]\n')
    (tmp_path / "inherits_number.toml").write_text("[scenario]\ninherits = 3\n")
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "bad_share.toml").write_text(f'[scenario]\ninherits = "{TINY}"\n'
                                             "[regions.Plan]\nwage_share = "
                                             '{ value = 1.7, assumed = true, reason = "t" }\n')
    (tmp_path / "no_source.toml").write_text(f'[scenario]\ninherits = "{TINY}"\n'
                                             "[regions.Plan]\nwage_share = { value = 0.5 }\n")
    (tmp_path / "bad_date.toml").write_text(f'[scenario]\ninherits = "{TINY}"\n'
                                            'end = "1950-13"\n')
    return tmp_path


T = "tiny.toml"
CASES: list[tuple[str, list[str], str]] = [
    # --- run: scenarios --------------------------------------------------------------------
    ("run-unknown-scenario", ["run", "atlantis"], "atlantis: unknown scenario; valid:"),
    ("run-missing-file", ["run", "missing.toml"], "missing.toml: no such scenario file"),
    ("run-brackets-path", ["run", "a[b].toml"], "a[b].toml: no such scenario file"),
    ("run-scenario-number", ["run", "number.toml"], "scenario: must be a table"),
    ("run-not-utf8", ["run", "latin1.toml"], "latin1.toml: not UTF-8"),
    ("run-bad-toml", ["run", "broken.toml"], "broken.toml: not valid TOML"),
    ("run-unknown-key", ["run", "unknown_key.toml"], "scenario.colour: unknown key"),
    ("run-cycle", ["run", "cycle_a.toml"], "forms a cycle"),
    ("run-orphan", ["run", "orphan.toml"], "gone.toml: no such scenario file"),
    ("run-replace-what", ["run", "replace.toml"], "scenario.replace: a list of schedule and"),
    ("run-replace-alone", ["run", "lonely_replace.toml"], "only a scenario that inherits"),
    ("run-inherits-number", ["run", "inherits_number.toml"], "scenario.inherits must be"),
    ("run-dir-as-file", ["run", "dir.toml"], "dir.toml: cannot be read"),
    ("run-bad-share", ["run", "bad_share.toml"], "regions.Plan.wage_share"),
    ("run-no-source", ["run", "no_source.toml"], "regions.Plan.wage_share"),
    ("run-bad-date", ["run", "bad_date.toml"], "bad_date.toml"),
    # --- run: numbers and options ------------------------------------------------------------
    ("run-agents-0", ["run", T, "--agents", "0"], "--agents"),
    ("run-too-few-agents", ["run", T, "--agents", "20"], "need at least 57 agents"),
    ("run-seed-negative", ["run", T, "--seed", "-1"], "--seed"),
    ("run-format", ["run", T, "--format", "xml"], "--format"),
    ("run-theory", ["run", T, "--theory", "astrology"], "--theory"),
    ("run-mode", ["run", T, "--mode", "grid"], "--mode"),
    ("run-agents-beyond-memory", ["run", T, "--agents", str(10**13)], "this machine has"),
    ("ens-agents-beyond-memory", ["ensemble", T, "--runs", "1", "--agents", str(10**12),
                                  "--workers", "100"], "this machine has"),
    ("run-end-before-start", ["run", T, "--end", "1900"], "1900"),
    ("run-start-after-end", ["run", T, "--start", "2100"], "2100"),
    # --- run: output paths -----------------------------------------------------------------
    ("run-out-user-folder", ["run", T, "--out", "mine"], "mine: exists and is not a sovsim"),
    ("run-out-brackets", ["run", T, "--out", "x[y]"], "x[y]: exists and is not a sovsim"),
    ("run-out-file", ["run", T, "--out", "file.txt"], "file.txt: exists and is a file"),
    ("run-out-under-file", ["run", T, "--out", "file.txt/run"], "is a file, not a folder"),
    ("run-out-earlier-run", ["run", T, "--out", "fakerun"], "add --force to replace"),
    ("run-out-ensemble", ["run", T, "--out", "ens"], "a sovsim ensemble folder"),
    ("run-out-ensemble-force", ["run", T, "--out", "ens", "--force"], "ensemble folder"),
    ("run-out-claims", ["run", T, "--out", "claimsdir"], "a sovsim claims folder"),
    ("run-out-history", ["run", T, "--out", "hist", "--force"], "a sovsim history folder"),
    ("run-out-user-force", ["run", T, "--out", "mine", "--force"], "not a sovsim folder"),
    # --- check --------------------------------------------------------------------------------
    ("check-unknown", ["check", "atlantis"], "atlantis: unknown scenario"),
    ("check-not-utf8", ["check", "latin1.toml"], "not UTF-8"),
    ("check-number", ["check", "number.toml"], "scenario: must be a table"),
    ("check-bad-toml", ["check", "broken.toml"], "not valid TOML"),
    ("check-dir", ["check", "dir.toml"], "cannot be read"),
    ("check-cycle", ["check", "cycle_b.toml"], "forms a cycle"),
    # --- classify, rerun --------------------------------------------------------------------
    ("classify-missing", ["classify", "nothing"], "nothing: no such folder"),
    ("classify-user", ["classify", "mine"], "mine: not a sovsim folder"),
    ("classify-ensemble", ["classify", "ens"], "a sovsim ensemble folder; give a run"),
    ("classify-file", ["classify", "file.txt"], "a file, not a folder"),
    ("classify-interrupted", ["classify", "runinc"], "never finished"),
    ("rerun-missing", ["rerun", "nothing"], "no such folder"),
    ("rerun-user", ["rerun", "mine"], "not a sovsim folder"),
    ("rerun-claims", ["rerun", "claimsdir"], "a sovsim claims folder"),
    ("rerun-old-run", ["rerun", "oldrun"], "cannot be replayed"),
    ("rerun-changed", ["rerun", "changedrun"], "the scenario changed since the run"),
    # --- report -------------------------------------------------------------------------------
    ("report-missing", ["report", "nothing"], "nothing: no such folder"),
    ("report-user", ["report", "mine"], "not a sovsim folder"),
    ("report-interrupted", ["report", "ensinc"], "never finished"),
    ("report-history", ["report", "hist"], "a history folder without rows"),
    ("report-out-dir", ["report", "fakerun", "--out", "mine"], "a folder; --out takes"),
    ("report-out-foreign", ["report", "fakerun", "--out", "file.txt"], "not a sovsim report"),
    ("report-out-earlier", ["report", "fakerun", "--out", "old.html"], "add --force"),
    ("report-corrupt", ["report", "fakerun", "--out", "new.html"], "cannot be read"),
    ("report-claims-empty", ["report", "claimsdir"], "without verdicts.parquet"),
    # --- ensemble ---------------------------------------------------------------------------
    ("ens-runs-0", ["ensemble", T, "--runs", "0"], "--runs must be >= 1"),
    ("ens-workers-0", ["ensemble", T, "--runs", "1", "--workers", "0"], "--workers"),
    ("ens-agents-0", ["ensemble", T, "--runs", "1", "--agents", "0"], "--agents must be"),
    ("ens-too-few", ["ensemble", T, "--runs", "1", "--agents", "30"], "need at least 57"),
    ("ens-theory", ["ensemble", T, "--runs", "1", "--theory", "astrology"], "--theory"),
    ("ens-unknown", ["ensemble", "atlantis", "--runs", "1"], "atlantis: unknown scenario"),
    ("ens-out-user", ["ensemble", T, "--runs", "1", "--agents", "300", "--out", "mine"],
     "not a sovsim folder"),
    ("ens-out-run", ["ensemble", T, "--runs", "1", "--agents", "300", "--out", "fakerun"],
     "a sovsim run folder"),
    ("ens-out-earlier", ["ensemble", T, "--runs", "1", "--agents", "300", "--out", "ens"],
     "add --force"),
    ("ens-out-unfinished", ["ensemble", T, "--runs", "1", "--agents", "300", "--out",
                            "ensinc"], "or --resume to complete it"),
    ("ens-resume-no-out", ["ensemble", T, "--runs", "1", "--agents", "300", "--resume"],
     "--resume needs --out"),
    ("ens-resume-nothing", ["ensemble", T, "--runs", "1", "--agents", "300", "--resume",
                            "--out", "nothing"], "nothing to resume"),
    ("ens-resume-complete", ["ensemble", T, "--runs", "1", "--agents", "300", "--resume",
                             "--out", "ens"], "complete; nothing to resume"),
    ("ens-resume-other", ["ensemble", T, "--runs", "2", "--agents", "300", "--resume",
                          "--out", "ensinc"], "resume with the same options"),
    ("ens-out-file", ["ensemble", T, "--runs", "1", "--agents", "300", "--out", "file.txt"],
     "is a file"),
    # --- claims -----------------------------------------------------------------------------
    ("claims-unknown", ["claims", "--only", "C4,C12"], "valid: C1"),
    ("claims-runs-0", ["claims", "--runs", "0"], "--runs must be >= 1"),
    ("claims-workers-0", ["claims", "--workers", "0"], "--workers must be >= 1"),
    ("claims-too-few", ["claims", "--only", "C9", "--agents", "100"], "need at least 1498"),
    ("claims-out-user", ["claims", "--only", "C9", "--agents", "2000", "--out", "mine"],
     "not a sovsim folder"),
    ("claims-out-ens", ["claims", "--only", "C9", "--agents", "2000", "--out", "ens"],
     "a sovsim ensemble folder"),
    ("claims-out-earlier", ["claims", "--only", "C9", "--agents", "2000", "--out",
                            "claimsdir"], "add --force"),
    ("claims-resume-no-out", ["claims", "--only", "C9", "--agents", "2000", "--resume"],
     "--resume needs --out"),
    ("claims-resume-complete", ["claims", "--only", "C9", "--agents", "2000", "--resume",
                                "--out", "claimsdir"], "nothing to resume"),
    # --- calibrate ----------------------------------------------------------------------------
    ("cal-unknown", ["calibrate", "atlantis"], "atlantis: unknown scenario"),
    ("cal-out-exists", ["calibrate", "--out", "file.txt"], "file.txt: exists; add --force"),
    ("cal-out-dir", ["calibrate", "--out", "mine"], "mine: a folder"),
    ("cal-too-few", ["calibrate", "--agents", "50"], "need at least 1498"),
    # --- the command line itself ------------------------------------------------------------
    ("no-such-command", ["fly"], "No such command"),
    ("no-such-option", ["run", "--colour"], "No such option"),
]


@pytest.mark.parametrize("args,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_line_and_touches_nothing(ws: Path, args: list[str],
                                                             message: str) -> None:
    before = snapshot(ws)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith("error: ")
    assert snapshot(ws) == before          # nothing written, nothing lost


def test_there_are_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60


# --- faults: internal failures and resources ---------------------------------------------------
def test_an_internal_failure_is_one_line_exit_1(ws: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from sovsim.engine.sim import Sim

    def broken(self: Sim, progress: object = None) -> None:
        raise RuntimeError("a kernel fell over")

    monkeypatch.setattr(Sim, "run", broken)
    before = snapshot(ws)
    result = runner.invoke(app, ["run", T, "--agents", "300", "--out", "new"])
    assert result.exit_code == 1
    assert "error: internal failure: RuntimeError: a kernel fell over" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    assert snapshot(ws) == before
    debug = runner.invoke(app, ["--debug", "run", T, "--agents", "300", "--out", "new"])
    assert debug.exit_code == 1 and "Traceback" in debug.output
    assert snapshot(ws) == before


@pytest.mark.parametrize("fault,message", [
    (MemoryError(), "not enough memory"),
    (OSError(28, "No space left on device", "regions.parquet"),
     "regions.parquet: No space left on device"),
    (PermissionError(13, "Permission denied", "classes.parquet"),
     "classes.parquet: Permission denied"),
])
def test_resource_faults_exit_2_and_leave_nothing(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                  fault: Exception, message: str) -> None:
    import sovsim.io.run_folder as run_folder

    def full(*args: object, **kwargs: object) -> None:
        raise fault

    monkeypatch.setattr(run_folder, "write_tables", full)
    before = snapshot(ws)
    result = runner.invoke(app, ["run", T, "--agents", "300", "--out", "fakerun", "--force"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert snapshot(ws) == before          # the earlier run is intact, no temporary folder


def test_markup_is_printed_literally(ws: Path) -> None:
    result = runner.invoke(app, ["check", "[bold]x[/bold].toml"])
    assert result.exit_code == 2
    assert "[bold]x[/bold].toml: no such scenario file" in result.output


def test_version() -> None:
    from sovsim import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"sovsim {__version__}"
