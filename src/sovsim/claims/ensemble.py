"""Ensembles: seeded parameter draws from the priors, each run under every variant of a comparison.

A draw is a Latin hypercube sample of the scenario's priors (sovsim.world.priors,
sampled by sovsim.claims.sampling) and a run seed.
Every variant of a comparison runs with the SAME seed and the SAME drawn parameters: random
streams are keyed by name (sovsim.world.streams), so decisions the variants have in common draw
the same numbers, and their paired difference shows the policy's effect rather than noise
(common random numbers). Runs go to a local process pool; one that raises is recorded with its
error, not allowed to stop the ensemble.

The `sovsim ensemble` command (`ensemble_command`) writes one folder:

    ensemble-<scenario>-s<seed>-<UTC time>/
      meta.json        "kind": "ensemble", the scenario, theory, agents, seed, priors
      runs.parquet     one row per run: run_id, seed, every drawn parameter, status, folder
      summary.parquet  quantiles across runs of key observables at the end of the horizon
      run-0000/ ...    each run's own run folder, as `sovsim run` writes it

Joining a run's tables with its drawn parameters: the `folder` column of runs.parquet names the
run's subfolder; read a table from each and join on it, e.g. with pandas

    runs = pd.read_parquet(ens / "runs.parquet")
    regions = pd.concat(pd.read_parquet(ens / f / "regions.parquet").assign(folder=f)
                        for f in runs.folder.dropna())
    table = regions.merge(runs, on="folder")

Each run's meta.json also carries its `run_id` and `drawn_pars`.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import pickle
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sovsim import __version__
from sovsim.authorities.registry import THEORY_DEFAULT
from sovsim.claims.sampling import sample_lhs
from sovsim.engine.sim import Sim
from sovsim.engine.streams import one_thread_per_process
from sovsim.io.outputs import (
    META_FILE,
    atomic_folder,
    check_target,
    default_run_dir,
    write_meta,
)
from sovsim.io.run_folder import save
from sovsim.world.loading import LoadedScenario, load, validate
from sovsim.world.priors import priors_of

DEFAULT_ENSEMBLE_AGENTS = 20_000  # a fifth of a single run's default: ~6 s a world1946 run
RESERVED = ("run_id", "variant", "seed", "status", "wall_seconds")
APPENDED = ("schedule", "events")  # lists an override adds to rather than replaces
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SUMMARY_REGION_VARIABLES = ("output_per_capita", "collective_share", "population")
SUMMARY_WORLD_VARIABLES = ("prestige",)
RUN_FOLDER = "run-{:04d}"

Measure = Callable[[Sim], dict[str, Any]]
Keep = Callable[[Sim, "Draw", "Variant", float], dict[str, Any] | None]


@dataclass(frozen=True)
class Variant:
    """One scenario of a comparison: a scenario, a theory and overrides of its data.

    `overrides` are deep-merged into the resolved scenario data before validation: tables merge
    key by key, a number with provenance (a table with `value`) is replaced whole, `schedule`
    and `events` lists are appended to, anything else is replaced. An override of a parameter
    that has a prior wins over the drawn value.
    """

    name: str
    scenario: str
    theory: str = THEORY_DEFAULT
    overrides: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Draw:
    """One draw of an ensemble: its index, its run seed and the drawn parameter values."""

    run_id: int
    seed: int
    pars: dict[str, float]


# --- draws and scenarios ----------------------------------------------------------------------
def draws(scenario: str, runs: int, seed: int) -> list[Draw]:
    """`runs` draws: a Latin hypercube over the scenario's priors, and run seeds spawned from
    one `SeedSequence(seed)`."""
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    samples = sample_lhs(priors_of(_base(scenario)), runs, seed)
    children = np.random.SeedSequence(seed).spawn(runs)
    return [Draw(i, int(child.generate_state(1, np.uint32)[0]), samples[i])
            for i, child in enumerate(children)]


@functools.lru_cache(maxsize=16)
def _base(scenario: str) -> LoadedScenario:
    # Loaded once per process: a worker runs many draws of the same few scenarios.
    return load(scenario)


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge of overrides into scenario data (see Variant); neither input is changed."""
    out = dict(base)
    for key, value in over.items():
        if key in APPENDED and isinstance(value, list):
            out[key] = [*base.get(key, []), *value]
        elif (isinstance(value, dict) and isinstance(base.get(key), dict)
              and "value" not in value):
            out[key] = merge(base[key], value)
        else:
            out[key] = value
    return out


def scenario_for(variant: Variant, draw: Draw) -> LoadedScenario:
    """The validated scenario of one variant under one draw's parameters."""
    base = _base(variant.scenario)
    pars = base.resolved.get("pars", {})
    drawn = {}
    for name, value in draw.pars.items():
        # the drawn value replaces the file's; its unit and prior stay, its source does not
        number = {k: v for k, v in pars.get(name, {}).items() if k != "source"}
        number.update(value=value, assumed=True,
                      reason=f"drawn from its prior (ensemble run {draw.run_id})")
        drawn[name] = number
    data = merge(merge(base.resolved, {"pars": drawn}), variant.overrides)
    # a variant that ends early drops what was scheduled after its end (a file may not schedule
    # outside its horizon, but a shortened experiment should not have to rewrite the schedule)
    end = data.get("scenario", {}).get("end")
    if end is not None:
        for key in ("schedule", "events"):
            if key in data:
                data[key] = [row for row in data[key] if str(row.get("date", "")) <= end]
    return LoadedScenario(validate(data, base.path), base.path, data)


# --- running ----------------------------------------------------------------------------------
def run_one(variant: Variant, draw: Draw, agents: int, measure: Measure | None = None,
            keep: Keep | None = None) -> dict[str, Any]:
    """One run's record: run_id, variant, seed, status ("ok" or the error), the drawn
    parameters, wall_seconds, and what `measure(sim)` and `keep(sim, draw, variant, wall)`
    return."""
    record: dict[str, Any] = {"run_id": draw.run_id, "variant": variant.name, "seed": draw.seed,
                              "status": "ok", **draw.pars}
    t0 = time.perf_counter()
    try:
        sim = Sim(scenario_for(variant, draw), agents=agents, seed=draw.seed,
                  theory=variant.theory)
        sim.run()
        wall = time.perf_counter() - t0
        extra: dict[str, Any] = dict(measure(sim)) if measure is not None else {}
        if keep is not None:
            extra.update(keep(sim, draw, variant, wall) or {})
        clash = sorted(set(extra) & (set(RESERVED) | set(draw.pars)))
        if clash:
            raise ValueError(f"measure/keep returned reserved or parameter key(s) {clash}")
        record.update(extra)
    except Exception as exc:  # a failed run is a result of the ensemble, not its end
        record["status"] = _error_text(exc)
    record["wall_seconds"] = time.perf_counter() - t0
    return record


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def run_variants(variants: list[Variant], draws: list[Draw], *, agents: int, workers: int,
                 measure: Measure | None = None, keep: Keep | None = None,
                 progress: bool = True) -> list[dict]:
    """Run every variant under every draw (same seed and parameters within a draw) and return
    one record per (draw, variant), in draw order then variant order.

    `measure(sim)` returns a flat dict of floats or small arrays; `keep(sim, draw, variant,
    wall_seconds)` may save the run and return a dict for its record (e.g. its folder). With
    workers > 1 both run in worker processes started afresh ("spawn"), so they must be
    picklable top-level functions, and a script calling this needs the usual
    `if __name__ == "__main__":` guard.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if agents < 1:
        raise ValueError(f"agents must be >= 1, got {agents}")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ValueError(f"variant names must differ, got {names}")
    from sovsim.authorities.bureaucracy import THEORIES

    for v in variants:
        if v.theory not in THEORIES:
            raise ValueError(f"variant {v.name}: unknown theory `{v.theory}`; "
                             f"valid: {', '.join(THEORIES)}")
        _base(v.scenario)  # an unknown scenario is bad input, not a failed run
    jobs = [(i, j) for i in range(len(draws)) for j in range(len(variants))]
    out: dict[tuple[int, int], dict] = {}
    with _bar(progress, len(jobs)) as advance:
        if workers == 1:
            for i, j in jobs:
                out[i, j] = run_one(variants[j], draws[i], agents, measure, keep)
                advance()
        else:
            for fn, what in ((measure, "measure"), (keep, "keep")):
                try:
                    pickle.dumps(fn)
                except Exception as exc:
                    raise ValueError(f"{what} must be a picklable top-level function to run on "
                                     f"{workers} workers: {exc}") from None
            # spawn, not fork: a fresh interpreter per worker is safe whatever threads the
            # parent runs (the progress bar's, Numba's) and behaves the same on every platform
            context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=one_thread_per_process)
            try:
                futures: dict[Future, tuple[int, int]] = {
                    pool.submit(run_one, variants[j], draws[i], agents, measure, keep): (i, j)
                    for i, j in jobs}
                for future in as_completed(futures):
                    i, j = futures[future]
                    try:
                        out[i, j] = future.result()
                    except Exception as exc:  # the worker died or its result did not pickle
                        out[i, j] = {"run_id": draws[i].run_id, "variant": variants[j].name,
                                     "seed": draws[i].seed, "status": _error_text(exc),
                                     **draws[i].pars}
                    advance()
            except BaseException:
                # interrupted: drop the queued runs instead of waiting for all of them
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
    return [out[key] for key in jobs]


@contextmanager
def _bar(show: bool, total: int) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr (or nothing), as an `advance()` callable."""
    if not show:
        yield lambda: None
        return
    with Progress(TextColumn("[bold]ensemble"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("runs", total=total)
        yield lambda: bar.advance(task)


# --- the `sovsim ensemble` command ------------------------------------------------------------
def end_state(sim: Sim) -> dict[str, float]:
    """Key observables at the last step: output per head, collective share and population of
    each region (`<variable>/<region>`), and the world's prestige."""
    reg = sim.results.regions
    out = {f"{var}/{name}": float(reg[var][-1, r]) for var in SUMMARY_REGION_VARIABLES
           for r, name in enumerate(sim.geo.names)}
    out.update({f"{var}/world": float(sim.results.world[var][-1])
                for var in SUMMARY_WORLD_VARIABLES})
    return out


def save_run(root: Path, sim: Sim, draw: Draw, variant: Variant,
             wall_seconds: float) -> dict[str, str]:
    """Write one run's folder `run-NNNN` under `root`, with its run_id and drawn parameters in
    its meta.json; its record gets the folder's name."""
    name = RUN_FOLDER.format(draw.run_id)
    folder = save(sim, root / name, "parquet", wall_seconds)
    meta_path = folder / META_FILE
    meta = json.loads(meta_path.read_text())
    meta.update({"run_id": draw.run_id, "variant": variant.name, "drawn_pars": draw.pars})
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return {"folder": name}


def summary_table(records: list[dict], regions: list[str]) -> pa.Table:
    """Quantiles (5, 25, 50, 75, 95%) and mean across the successful runs of each end-state
    observable: one row per (variable, region)."""
    ok = [r for r in records if r["status"] == "ok"]
    rows: dict[str, list] = {k: [] for k in ("variable", "region", "runs", "mean",
                                              *(f"q{round(100 * q):02d}" for q in QUANTILES))}
    keys = [(v, r) for v in SUMMARY_REGION_VARIABLES for r in regions]
    keys += [(v, "world") for v in SUMMARY_WORLD_VARIABLES]
    for var, region in keys:
        values = np.array([rec[f"{var}/{region}"] for rec in ok], dtype=float)
        qs = np.quantile(values, QUANTILES) if len(values) else np.full(len(QUANTILES), np.nan)
        rows["variable"].append(var)
        rows["region"].append(region)
        rows["runs"].append(len(values))
        rows["mean"].append(float(values.mean()) if len(values) else float("nan"))
        for q, v in zip(QUANTILES, qs, strict=True):
            rows[f"q{round(100 * q):02d}"].append(float(v))
    return pa.table(rows)


def runs_table(records: list[dict], par_names: list[str]) -> pa.Table:
    """The index of runs: run_id, seed, each drawn parameter, status, folder, wall_seconds."""
    cols: dict[str, pa.Array] = {
        "run_id": pa.array([r["run_id"] for r in records], type=pa.int32()),
        "seed": pa.array([r["seed"] for r in records], type=pa.int64()),
    }
    for name in par_names:
        cols[name] = pa.array([r[name] for r in records], type=pa.float64())
    cols["status"] = pa.array([r["status"] for r in records], type=pa.string())
    cols["folder"] = pa.array([r.get("folder") for r in records], type=pa.string())
    cols["wall_seconds"] = pa.array([r.get("wall_seconds") for r in records],
                                    type=pa.float64())
    return pa.table(cols)


def ensemble_command(scenario: str, runs: int, *, workers: int = 1,
                     theory: str = THEORY_DEFAULT, agents: int = DEFAULT_ENSEMBLE_AGENTS,
                     seed: int = 0, out: Path | None = None,
                     console: Console | None = None, progress: bool = True) -> Path:
    """Run an ensemble of `runs` draws of a scenario and write its folder; return the folder.

    Raises ValueError (ScenarioError included) for bad input before anything is run or
    written; the folder is written beside its target and moved into place only when complete.
    """
    from sovsim.authorities.bureaucracy import THEORIES

    console = console or Console()
    for name, value, least in (("runs", runs, 1), ("workers", workers, 1),
                               ("agents", agents, 1), ("seed", seed, 0)):
        if value < least:
            raise ValueError(f"--{name} must be >= {least}, got {value}")
    if theory not in THEORIES:
        raise ValueError(f"unknown theory `{theory}`; valid: {', '.join(THEORIES)}")
    loaded = _base(scenario)
    target = Path(out) if out is not None else default_run_dir(f"ensemble-{loaded.name}", seed)
    try:
        check_target(target)
    except FileExistsError as exc:
        raise ValueError(str(exc)) from None
    priors = priors_of(loaded)
    plan = draws(scenario, runs, seed)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with atomic_folder(target) as tmp:
        t0 = time.perf_counter()
        records = run_variants([Variant(loaded.name, scenario, theory)], plan, agents=agents,
                               workers=workers, measure=end_state,
                               keep=functools.partial(save_run, tmp), progress=progress)
        wall = time.perf_counter() - t0
        regions = list(loaded.model.regions)
        summary = summary_table(records, regions)
        pq.write_table(runs_table(records, sorted(priors)), tmp / "runs.parquet")
        pq.write_table(summary, tmp / "summary.parquet")
        failed = [r for r in records if r["status"] != "ok"]
        meta = {
            "sovsim_version": __version__,
            "kind": "ensemble",
            "scenario": loaded.name,
            "scenario_path": loaded.path,
            "scenario_sha256": loaded.sha256,
            "theory": theory,
            "agents": agents,
            "runs": runs,
            "runs_ok": runs - len(failed),
            "runs_failed": len(failed),
            "seed": seed,
            "workers": workers,
            "started": started,
            "wall_seconds": round(wall, 3),
            "priors": {name: p.model_dump(exclude_none=True) for name, p in priors.items()},
            "join": "runs.parquet's `folder` names each run's subfolder: read a table from "
                    "each, add the folder name as a column and join on it",
        }
        write_meta(tmp, meta)
    print_summary(console, summary, loaded, theory, runs)
    for rec in failed[:5]:
        console.print(f"[red]run {rec['run_id']} failed:[/] {rec['status']}", highlight=False)
    console.print(f"wrote [bold]{target}[/] ({runs} runs, {len(failed)} failed, {agents:,} "
                  f"agents, {workers} worker(s), {wall:.1f} s: "
                  f"{60 * runs / max(wall, 1e-9):.1f} runs/min)")
    return target


def print_summary(console: Console, summary: pa.Table, loaded: LoadedScenario, theory: str,
                  runs: int) -> None:
    """Per region: the median and 5-95% range across runs of each end-state observable."""
    rows = summary.to_pylist()
    cell = {(r["variable"], r["region"]): r for r in rows}
    end = loaded.model.scenario.end
    table = Table(title=f"{loaded.name} ({theory}), {runs} runs: state at {end}, "
                        f"median [5%, 95%]")
    table.add_column("region")
    scale = {"output_per_capita": (1.0, ",.0f", "output/head"),
             "collective_share": (1.0, ".2f", "collective share"),
             "population": (1e-6, ",.1f", "population (M)")}
    for var in SUMMARY_REGION_VARIABLES:
        table.add_column(scale[var][2], justify="right")
    for region in loaded.model.regions:
        texts = []
        for var in SUMMARY_REGION_VARIABLES:
            k, fmt, _ = scale[var]
            r = cell[var, region]
            texts.append(f"{k * r['q50']:{fmt}} [{k * r['q05']:{fmt}}, {k * r['q95']:{fmt}}]"
                         if r["runs"] else "-")
        table.add_row(region, *texts)
    console.print(table)
    p = cell["prestige", "world"]
    if p["runs"]:
        console.print(f"prestige D at {end}: {p['q50']:.2f} [{p['q05']:.2f}, {p['q95']:.2f}]; "
                      "output per head in 1990 international Geary-Khamis dollars a year")
