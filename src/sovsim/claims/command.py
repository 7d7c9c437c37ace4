"""The `sovsim claims` command: the essay's nine claims as experiments over parameter
uncertainty, their verdicts, and a claims folder that `sovsim report` reads (MODEL.md §6).

    claims-<UTC time>-<random>/
      meta.json            {"sovsim_version", "kind": "claims", "complete", "settings", "runs",
                            "agents", "seed", "workers", "claims", "runs_failed", "resumed",
                            "versions", "command", "wall_seconds", "started"}
      verdicts.parquet     one row per claim: support share and its 95% Wilson interval, label,
                           effect median and its 95% interval
      runs.parquet         one row per claim and draw: status, supports, effect, the drawn
                           parameters (par_<name>), and the rule's details (JSON)
      series.parquet       claim, variant, run_id, year, region, variable, value: the series
                           behind each claim's chart (yearly means; C4's course monthly, the
                           year with the month's fraction)
      sensitivity.parquet  claim, parameter, spearman, rank: the five parameters that decide it
      c4.parquet           theory, run_id, reversals, mean_spacing_months, hist_matched,
                           sim_matched, score
      labels.parquet       run_id, variant, year, subject, label: C1's expansion labels

Bad input (unknown claims, runs < 1, an existing folder that is not a claims folder, an earlier
claims folder without --force) raises ValueError before anything is run or written. The folder is
built in place: meta.json says `"complete": false` until the end, each finished run is kept in
`parts/` at once, and `--resume --out DIR` completes an interrupted one without running its
finished runs again (io.folders.build).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from sovsim.claims.registry import Claim, load_registry, select
from sovsim.claims.verdicts import (
    Verdict,
    chance_rho,
    min_decisive_runs,
    sensitivity,
    verdict,
)
from sovsim.engine.pool import FailedRunsError, StoppedError
from sovsim.io import folders
from sovsim.io.run_folder import versions

KIND = "claims"
DEFAULT_RUNS = 40  # a unanimous share decides (Wilson bound past 0.9) only from 35 runs
DEFAULT_AGENTS = 10_000   # ~2-5 ms a month: the nine claims at 32 draws run in minutes
PAR_PREFIX = "par_"
LABEL_STYLE = {"supported": "green", "refuted": "red", "undecided": "yellow"}


@dataclass
class Outcome:
    """One draw's outcome for one claim."""

    claim: str
    run_id: int
    seed: int
    status: str
    supports: bool | None
    effect: float
    pars: dict[str, float]
    details: dict[str, float] = field(default_factory=dict)


@dataclass
class ClaimsRun:
    """Everything a claims run produced, before it is written."""

    claims: list[Claim]
    outcomes: dict[str, list[Outcome]]
    verdicts: list[Verdict]
    sensitivity: list[dict[str, Any]]
    series: list[dict[str, Any]]
    c4: list[dict[str, Any]]
    labels: list[dict[str, Any]]


# --- input --------------------------------------------------------------------------------
def default_dir(root: Path = Path("runs")) -> Path:
    """runs/claims-<UTC time to the microsecond>-<random>/"""
    return folders.default_out(KIND, root=root)


def is_claims_dir(path: Path) -> bool:
    """Whether `path` is a folder written by `sovsim claims` (its meta.json says so)."""
    return folders.kind_of(path) == KIND


def check_out(path: Path, *, force: bool = False, resume: bool = False) -> None:
    """Refuse an output path that `sovsim claims` may not write (see io.folders.check_out)."""
    folders.check_out(path, KIND, force=force, resume=resume)


def check_numbers(runs: int, workers: int, agents: int, seed: int) -> None:
    """Refuse counts below their least meaningful value."""
    for name, value, least in (("runs", runs, 1), ("workers", workers, 1),
                               ("agents", agents, 1), ("seed", seed, 0)):
        if value < least:
            raise ValueError(f"--{name} must be >= {least}, got {value}")


# --- running ------------------------------------------------------------------------------
def run_claims(claims: list[Claim], *, runs: int, workers: int, agents: int, seed: int,
               progress: bool = True, store: Path | None = None) -> ClaimsRun:
    """Run the claims' experiments over `runs` draws and judge every draw and claim. With a
    `store` folder each finished run is kept there at once, and runs kept there already are
    not run again (see ensemble.run_variants)."""
    from sovsim.claims.ensemble import Draw, draws, run_variants
    from sovsim.claims.experiments import EXPERIMENTS, c4, plan

    ids = [c.id for c in claims]
    # one set of draws per draw scenario; scenarios with the same draws share their runs
    plans: dict[str, list[Draw]] = {}
    alias: dict[str, str] = {}
    for cid in ids:
        scen = EXPERIMENTS[cid].draw_scenario
        if scen in plans or scen in alias:
            continue
        mine = draws(scen, runs, seed)
        same = next((k for k, v in plans.items() if v == mine), None)
        if same is None:
            plans[scen] = mine
        else:
            alias[scen] = same
    the_plan = plan(ids, alias)
    measure = the_plan.measure()
    records: list[dict[str, Any]] = []
    for group, variants in the_plan.groups.items():
        records += run_variants(variants, plans[group], agents=agents, workers=workers,
                                keep=measure, progress=progress, store=store)
    by_variant: dict[tuple[str, int], dict[str, Any]] = {
        (r["variant"], int(r["run_id"])): r for r in records}

    outcomes: dict[str, list[Outcome]] = {}
    series: list[dict[str, Any]] = []
    c4_rows: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for cid in ids:
        exp = EXPERIMENTS[cid]
        group = alias.get(exp.draw_scenario, exp.draw_scenario)
        where = {(u.claim, u.role): name for name, used in the_plan.uses.items()
                 for u in used}
        outcomes[cid] = []
        for draw in plans[group]:
            results: dict[str, Any] = {}
            failed = ""
            for role, _ in exp.roles:
                name = where[cid, role]
                rec = by_variant.get((name, draw.run_id), {})
                got = rec.get("claims", {}).get(cid, {}).get(role)
                if got is None:
                    failed = failed or f"{name}: {rec.get('status', 'not run')}"
                else:
                    results[role] = got
            if failed:
                outcomes[cid].append(Outcome(cid, draw.run_id, draw.seed, f"failed: {failed}",
                                             None, math.nan, draw.pars))
                continue
            supports, effect, details = exp.judge(results)
            status = "ok" if supports is not None else "undecidable: a measure is not defined"
            outcomes[cid].append(Outcome(cid, draw.run_id, draw.seed, status,
                                         None if supports is None else bool(supports),
                                         float(effect), draw.pars, details))
            for role, res in results.items():
                series += [{"claim": cid, "variant": role, "run_id": draw.run_id,
                            "year": float(y), "region": reg, "variable": var,
                            "value": float(v)} for y, reg, var, v in res.get("series", [])]
                labels += [{"run_id": draw.run_id, "variant": role, "year": int(y),
                            "subject": subject, "label": lab}
                           for y, subject, lab in res.get("labels", [])]
            if cid == "C4":
                c4_rows += c4.rows(draw.run_id, results)

    reg = load_registry()
    verdicts, sens = [], []
    for claim in claims:
        hyp = reg.get(claim.id).hypothesis
        outs = outcomes[claim.id]
        verdicts.append(verdict(claim.id, claim.title, claim.statement, hyp.effect_name,
                                hyp.effect_unit, [o.supports for o in outs],
                                [o.effect for o in outs]))
        decided = [o for o in outs if o.status == "ok" and math.isfinite(o.effect)]
        names = sorted({k for o in decided for k in o.pars})
        top = sensitivity({n: [o.pars.get(n, math.nan) for o in decided] for n in names},
                          [o.effect for o in decided])
        sens += [{"claim": claim.id, "parameter": n, "spearman": rho, "rank": i + 1}
                 for i, (n, rho) in enumerate(top)]
    return ClaimsRun(claims, outcomes, verdicts, sens, series, c4_rows, labels)


# --- writing ------------------------------------------------------------------------------
def runs_table(result: ClaimsRun) -> pa.Table:
    """runs.parquet: one row per claim and draw, the drawn parameters as par_<name>."""
    outs = [o for cid in result.outcomes for o in result.outcomes[cid]]
    names = sorted({k for o in outs for k in o.pars})
    cols: dict[str, pa.Array] = {
        "claim": pa.array([o.claim for o in outs], type=pa.string()),
        "run_id": pa.array([o.run_id for o in outs], type=pa.int32()),
        "seed": pa.array([o.seed for o in outs], type=pa.int64()),
        "status": pa.array([o.status for o in outs], type=pa.string()),
        "supports": pa.array([o.supports for o in outs], type=pa.bool_()),
        "effect": pa.array([o.effect for o in outs], type=pa.float64()),
    }
    for n in names:
        cols[PAR_PREFIX + n] = pa.array([o.pars.get(n) for o in outs], type=pa.float64())
    cols["details"] = pa.array([json.dumps(_finite(o.details), sort_keys=True) for o in outs],
                               type=pa.string())
    return pa.table(cols)


def _finite(d: dict[str, float]) -> dict[str, float | None]:
    # JSON has no nan or inf: they become null ("not measured" / "beyond the sweep")
    return {k: (float(v) if math.isfinite(float(v)) else None) for k, v in d.items()}


SCHEMAS: dict[str, pa.Schema] = {
    "verdicts": pa.schema([("claim", pa.string()), ("title", pa.string()),
                           ("statement", pa.string()), ("n_runs", pa.int32()),
                           ("n_support", pa.int32()), ("share", pa.float64()),
                           ("share_low", pa.float64()), ("share_high", pa.float64()),
                           ("label", pa.string()), ("effect_name", pa.string()),
                           ("effect_unit", pa.string()), ("effect_median", pa.float64()),
                           ("effect_low", pa.float64()), ("effect_high", pa.float64())]),
    "series": pa.schema([("claim", pa.string()), ("variant", pa.string()),
                         ("run_id", pa.int32()), ("year", pa.float64()), ("region", pa.string()),
                         ("variable", pa.string()), ("value", pa.float64())]),
    "sensitivity": pa.schema([("claim", pa.string()), ("parameter", pa.string()),
                              ("spearman", pa.float64()), ("rank", pa.int32())]),
    "c4": pa.schema([("theory", pa.string()), ("run_id", pa.int32()), ("reversals", pa.int32()),
                     ("mean_spacing_months", pa.float64()), ("hist_matched", pa.float64()),
                     ("sim_matched", pa.float64()), ("score", pa.float64())]),
    "labels": pa.schema([("run_id", pa.int32()), ("variant", pa.string()), ("year", pa.int32()),
                         ("subject", pa.string()), ("label", pa.string())]),
}


def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """A table of rows with its fixed schema (empty tables keep their columns)."""
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


def write(result: ClaimsRun, folder: Path) -> None:
    """The claims' tables into `folder`, each file whole or not at all."""
    from sovsim.claims.ensemble import write_parquet

    write_parquet(table("verdicts", [v.row() for v in result.verdicts]),
                  folder / "verdicts.parquet")
    write_parquet(runs_table(result), folder / "runs.parquet")
    write_parquet(table("series", result.series), folder / "series.parquet")
    write_parquet(table("sensitivity", result.sensitivity), folder / "sensitivity.parquet")
    write_parquet(table("c4", result.c4), folder / "c4.parquet")
    write_parquet(table("labels", result.labels), folder / "labels.parquet")


# --- printing -----------------------------------------------------------------------------
def print_registry(console: Console) -> None:
    """The registry as a table: id, paragraphs, and each claim with its quotation, hypothesis
    and design."""
    tab = Table(title="The essay's claims as experiments (sovsim/claims/registry.toml)",
                show_lines=True)
    tab.add_column("id")
    tab.add_column("seed", no_wrap=True)
    tab.add_column("claim, quotation, hypothesis, design", overflow="fold")
    for c in load_registry().claim:
        h = c.hypothesis
        text = (f"[bold]{c.title}[/]\n{c.statement}\n[italic]{c.citation}[/]\n"
                f"[bold]measured:[/] {h.metric} ({', '.join(h.scenarios)}, {h.horizon})\n"
                f"[bold]compared:[/] {h.compared}\n[bold]supported when:[/] {h.support}\n"
                f"[bold]effect:[/] {h.effect_name} ({h.effect_unit})\n[bold]design:[/] {c.design}")
        tab.add_row(c.id, c.seed, text)
    console.print(tab)


def _num(x: float, fmt: str = ".3g") -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:{fmt}}"


def print_verdicts(console: Console, result: ClaimsRun, runs: int) -> None:
    """Every verdict with its intervals, whatever it says; notes on C2, C4, C5."""
    tab = Table(title=f"Verdicts over {runs} draws of the priors (95% intervals)")
    for col, just in (("claim", "left"), ("title", "left"), ("support", "right"),
                      ("verdict", "left"), ("effect (median)", "right"),
                      ("decided by (Spearman)", "left")):
        tab.add_column(col, justify=just, overflow="fold")
    sens: dict[str, list[dict[str, Any]]] = {}
    for row in result.sensitivity:
        sens.setdefault(row["claim"], []).append(row)
    for v in result.verdicts:
        share = (f"{v.n_support}/{v.n_runs} = {_num(v.share, '.2f')} "
                 f"[{_num(v.share_low, '.2f')}, {_num(v.share_high, '.2f')}]")
        effect = (f"{_num(v.effect_median)} [{_num(v.effect_low)}, {_num(v.effect_high)}] "
                  f"{v.effect_unit}")
        top = ", ".join(f"{r['parameter']} {r['spearman']:+.2f}"
                        for r in sens.get(v.claim, [])[:3]) or "-"
        style = LABEL_STYLE.get(v.label, "")
        tab.add_row(v.claim, v.title, share, f"[{style}]{v.label}[/]", effect, top)
    console.print(tab)
    for v in result.verdicts:
        if v.label != "supported":
            console.print(f"{v.claim}: the model does not support this claim ({v.label}).",
                          highlight=False)
    least = min_decisive_runs()
    if any(v.n_runs < least for v in result.verdicts):
        console.print(f"note: with fewer than {least} deciding runs no claim can be labelled "
                      "supported or refuted (the 95% Wilson bound of a unanimous share stays "
                      f"inside (0.1, 0.9)); run --runs {least} or more to let unanimity decide.",
                      highlight=False)
    n = max((v.n_runs for v in result.verdicts), default=0)
    if n >= 3:
        console.print(f"note: at {n} runs a Spearman |rho| below {chance_rho(n):.2f} is within "
                      "chance (5%, two-sided), and among many parameters a few exceed it by "
                      "chance alone.", highlight=False)
    _notes(console, result)


def _notes(console: Console, result: ClaimsRun) -> None:
    from sovsim.claims.experiments import c4

    def ok(cid: str) -> list[Outcome]:
        return [o for o in result.outcomes.get(cid, []) if o.status == "ok"]

    if ok("C2"):
        flips = np.array([o.details.get("pillage_flip_rate", math.nan) for o in ok("C2")])
        behind = int(np.sum(flips == 0.0))
        ahead = int(np.sum(np.isinf(flips)))
        inner = flips[np.isfinite(flips) & (flips > 0)]
        where = f"median {np.median(inner):.3g}/year" if inner.size else "none"
        console.print(f"C2 pillage sweep (10 years): reforms behind even without pillage in "
                      f"{behind} draws, ahead at every rate swept in {ahead}, flip inside the "
                      f"sweep in {inner.size} ({where})", highlight=False)
    if result.c4:
        parts = []
        for th in c4.THEORY_ORDER:
            scores = [r["score"] for r in result.c4 if r["theory"] == th]
            revs = [r["reversals"] for r in result.c4 if r["theory"] == th]
            if scores:
                parts.append(f"{th} {np.mean(scores):.2f} ({np.mean(revs):.1f} reversals)")
        console.print("C4 mean timing score by theory: " + "; ".join(parts), highlight=False)
    if ok("C5"):
        parts = [f"{th} {np.mean([o.details[f'recovered_{th}'] for o in ok('C5')]):.2f}"
                 for th in c4.THEORY_ORDER]
        console.print("C5 share of runs with collective property dominant in 1953, by theory: "
                      + "; ".join(parts), highlight=False)
    failed = [o for cid in result.outcomes for o in result.outcomes[cid]
              if o.status.startswith("failed")]
    for o in failed[:5]:
        console.print(f"[red]{o.claim} run {o.run_id}:[/] {o.status}", highlight=False)


# --- the command --------------------------------------------------------------------------
def claims_command(*, list_only: bool = False, only: str | None = None,
                   runs: int = DEFAULT_RUNS, workers: int = 1, agents: int = DEFAULT_AGENTS,
                   seed: int = 0, out: Path | None = None, force: bool = False,
                   resume: bool = False, console: Console | None = None,
                   progress: bool = True) -> Path | None:
    """Run the claims' experiments, print their verdicts and write the claims folder; with
    `list_only`, print the registry. Returns the folder (None with `list_only`).

    Raises ValueError for bad input before anything is run or written. Each finished run is
    kept in the folder at once; `resume` completes an interrupted claims folder at `out`
    without running its finished runs again. FailedRunsError when runs failed (after the
    folder is written), StoppedError on SIGINT/SIGTERM."""
    console = console or Console()
    claims = select(only)
    if list_only:
        print_registry(console)
        return None
    check_numbers(runs, workers, agents, seed)
    if resume and out is None:
        raise ValueError("--resume needs --out, the folder of the interrupted claims run")
    target = Path(out) if out is not None else default_dir()
    settings = {"claims": [c.id for c in claims], "runs": runs, "agents": agents, "seed": seed}
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with folders.build(KIND, target, settings=settings, force=force, resume=resume) as built:
        t0 = time.perf_counter()
        try:
            result = run_claims(claims, runs=runs, workers=workers, agents=agents, seed=seed,
                                progress=progress, store=built.parts)
        except KeyboardInterrupt:
            done = len(list(built.parts.glob("*.pkl")))
            raise StoppedError(built.stopped(done, _runs_needed(claims, runs))) from None
        wall = time.perf_counter() - t0
        write(result, built.path)
        failed = [o for cid in result.outcomes for o in result.outcomes[cid]
                  if o.status.startswith("failed")]
        built.finish({"workers": workers, "wall_seconds": round(wall, 3),
                      "started": built.meta.get("started", started),
                      "resumed": built.resumed or built.meta.get("resumed", False),
                      "runs_failed": len(failed), "versions": versions()})
    print_verdicts(console, result, runs)
    console.print(f"wrote {target} ({len(claims)} claims, {runs} draws, {agents:,} "
                  f"agents, {workers} worker(s), {wall:.1f} s)", markup=False, highlight=False)
    if failed:
        raise FailedRunsError(f"{len(failed)} claim outcomes failed (their errors are in the "
                              f"status column of {target / 'runs.parquet'})", len(failed))
    return target


def _runs_needed(claims: list[Claim], runs: int) -> int:
    from sovsim.claims.experiments import plan

    return runs * sum(len(v) for v in plan([c.id for c in claims]).groups.values())


__all__ = ["DEFAULT_AGENTS", "DEFAULT_RUNS", "KIND", "ClaimsRun", "Outcome", "check_out",
           "claims_command", "is_claims_dir", "print_registry", "run_claims"]
