"""`sovsim report DIR`: one self-contained HTML page of a claims, run or ensemble folder.

The kind of folder is read from its meta.json: "kind": "claims" (verdicts of the essay's claims,
MODEL.md §6), "kind": "ensemble" (run-XXXX run folders below it), "kind": "history" (the
scorecard of `sovsim history` against 1946-1989), or no kind and a regions table (a run folder
written by `sovsim run`). Run folders found below a claims folder (run-XXXX/ or
runs/*/) are reported after the claims, as linked runs.

The page is written to a temporary file beside its target and moved into place when complete,
so that a failure leaves nothing half-written. Its charts are Plotly figures with plotly.js
embedded once (report_html): it opens offline, with no CDN and no web font.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from sovsim import __version__
from sovsim.io import folders
from sovsim.io import report_data as data
from sovsim.io.report_claims import claims_sections, load_claims
from sovsim.io.report_html import Page, esc
from sovsim.io.report_run import ensemble_overview, is_run_folder, load_run, run_sections

REPORT_FILE = "report.html"
KINDS = ("claims", "sensitivity", "run", "ensemble", "history")
# Runs drawn in full in an ensemble's or a claims folder's page: each weighs about a megabyte
# and a dozen charts; the others are named, and `sovsim report` on their folder draws them.
MAX_RUN_SECTIONS = 4


class ReportError(ValueError):
    """DIR is not a folder the report can read."""


def folder_kind(folder: Path) -> str:
    """"claims", "ensemble" or "run"; ReportError for anything else."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    meta_path = folder / "meta.json"
    try:
        meta = json.loads(meta_path.read_text())
    except FileNotFoundError:
        raise ReportError(f"{folder}: not a sovsim folder (no meta.json); give a run, "
                          "ensemble or claims folder") from None
    except (OSError, ValueError) as exc:
        raise ReportError(f"{meta_path}: unreadable ({exc})") from None
    if not isinstance(meta, dict) or "sovsim_version" not in meta:
        raise ReportError(f"{meta_path}: not written by sovsim (no sovsim_version)")
    kind = meta.get("kind")
    if meta.get("complete", True) is False:
        raise ReportError(f"{folder}: an interrupted {kind} that never finished; complete it "
                          f"with `sovsim {kind} ... --resume --out {folder}`")
    if kind == "run":
        kind = None
    if kind in ("claims", "sensitivity"):   # a sensitivity folder has the claims' layout
        if data.table_path(folder, "verdicts") is None:
            raise ReportError(f"{folder}: a {kind} folder without verdicts.parquet")
        return "claims"
    if kind == "ensemble":
        if not run_folders(folder):
            raise ReportError(f"{folder}: an ensemble folder without run-XXXX run folders")
        return "ensemble"
    if kind == "history":
        if data.table_path(folder, "rows") is None or data.table_path(folder, "series") is None:
            raise ReportError(f"{folder}: a history folder without rows and series tables")
        return "history"
    if kind is None:
        if not is_run_folder(folder):
            raise ReportError(f"{folder}: meta.json without a kind and no regions table; "
                              "not a sovsim run folder")
        return "run"
    raise ReportError(f"{meta_path}: unknown kind {kind!r}; valid: claims, sensitivity, "
                      "ensemble, history, or none (a run)")


def run_folders(folder: Path) -> list[Path]:
    """The run folders below a folder: run-XXXX/ and runs/*/, in name order."""
    found = [p for p in sorted(folder.glob("run-*")) if is_run_folder(p)]
    found += [p for p in sorted((folder / "runs").glob("*")) if is_run_folder(p)]
    return found


def _runs(page: Page, folders: list[Path], heading: str) -> None:
    """Full sections for the first runs, and the names of the others."""
    for i, folder in enumerate(folders[:MAX_RUN_SECTIONS]):
        run = load_run(folder)
        run_sections(page, run, f"run-{i}", f"{heading} {folder.name}: {run.name}")
    if len(folders) > MAX_RUN_SECTIONS:
        page.section("more-runs", f"{len(folders) - MAX_RUN_SECTIONS} more runs")
        page.add('<p class="note">Not drawn here, to keep the page light; '
                 "<code>sovsim report FOLDER</code> draws any of them:</p><p>"
                 + ", ".join(esc(p.name) for p in folders[MAX_RUN_SECTIONS:]) + "</p>")


def build_report(folder: Path) -> tuple[str, int]:
    """The HTML page of a folder, and the number of charts in it."""
    folder = Path(folder)
    kind = folder_kind(folder)
    if kind == "claims":
        try:
            claims = load_claims(folder)
        except (ValueError, KeyError) as exc:
            raise ReportError(str(exc)) from None
        m = claims.meta
        if m.get("kind") == "sensitivity":
            page = Page(f"sovsim: which assumptions decide {', '.join(m.get('claims', []))}",
                        esc(f"{m.get('method')} design, N = {m.get('n')}: "
                            f"{m.get('evaluations')} evaluations of "
                            f"{len(m.get('parameters', []))} parameters, "
                            f"{m.get('agents', '?')} agents, seed {m.get('seed', '?')}; "
                            f"sovsim {m.get('sovsim_version')}; folder {folder}"))
        else:
            page = Page("sovsim: the essay's claims as experiments",
                        esc(f"{claims.verdicts.num_rows} claims; {m.get('runs', '?')} runs "
                            f"each, {m.get('agents', '?')} agents, seed {m.get('seed', '?')}; "
                            f"sovsim {m.get('sovsim_version')}; folder {folder}"))
        claims_sections(page, claims)
        _runs(page, run_folders(folder), "Linked run")
    elif kind == "history":
        from sovsim.io.report_history import history_sections

        meta = json.loads((folder / "meta.json").read_text())
        page = Page("sovsim history: the world against 1946-1989",
                    esc(f"{meta.get('passed', '?')} of {meta.get('rows', '?')} patterns pass; "
                        f"sovsim {meta.get('sovsim_version')}; folder {folder}"))
        try:
            history_sections(page, folder)
        except (ValueError, KeyError) as exc:
            raise ReportError(str(exc)) from None
    elif kind == "ensemble":
        folders = run_folders(folder)
        meta = json.loads((folder / "meta.json").read_text())
        page = Page(f"sovsim ensemble: {meta.get('scenario', folder.name)}",
                    esc(f"{len(folders)} runs; sovsim {meta.get('sovsim_version')}; "
                        f"folder {folder}"))
        ensemble_overview(page, meta, data.read(folder, "runs"),
                          [load_run(p, full=False) for p in folders], "ensemble")
        _runs(page, folders, "Run")
    else:
        run = load_run(folder)
        m = run.meta
        page = Page(f"sovsim run: {run.name}",
                    esc(f"{m.get('start')} to {m.get('end')}, {len(run.regions)} "
                        f"region{'s' if len(run.regions) != 1 else ''}, "
                        f"{m.get('agents', '?')} agents; sovsim {m.get('sovsim_version')}; "
                        f"folder {folder}"))
        run_sections(page, run, "run", "Run")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = (f"Written by sovsim {esc(__version__)} (<code>sovsim report</code>) on {stamp}. "
              "Self-contained: plotly.js is embedded, and the page needs no network.")
    return page.render(footer), page.n_charts


def report_command(dir: Path, out: Path | None = None, *, force: bool = False) -> Path:
    """Write the report of folder `dir` to `out` (default DIR/report.html); return its path.
    Raises ReportError, before writing anything, when `dir` is not a sovsim folder, when `out`
    is a folder or a file that is not a sovsim report, or an earlier report without `force`."""
    folder = Path(dir)
    target = Path(out) if out is not None else folder / REPORT_FILE
    folder_kind(folder)
    try:
        folders.check_out(target, "report", force=force)
    except folders.FolderError as exc:
        raise ReportError(str(exc)) from None
    try:
        text, _ = build_report(folder)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{folder}: a table cannot be read ({type(exc).__name__}: {exc}); "
                          "the folder is damaged, write it again") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{folders.TMP_MARK}{os.getpid()}-",
                               dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)      # mkstemp makes it private; a report is for reading
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
