"""Ensembles: seeded parameter draws from the priors, each run under every variant of a comparison.

A draw is a Latin hypercube sample of the scenario's priors (sovsim.world.priors,
sampled by sovsim.claims.sampling) and a run seed.
Every variant of a comparison runs with the SAME seed and the SAME drawn parameters: random
streams are keyed by name (sovsim.world.streams), so decisions the variants have in common draw
the same numbers, and their paired difference shows the policy's effect rather than noise
(common random numbers). Runs go to the process pool (sovsim.engine.pool); one that raises is
recorded with its error, not allowed to stop the ensemble, and one whose worker died is retried
once on a fresh worker.

The `sovsim ensemble` command (`ensemble_command`) builds one folder in place, resumable
(io.folders.build: `"complete": false` until the end, each finished run kept in parts/ at once):

    ensemble-<scenario>-s<seed>-<theory>-<UTC time>-<random>/
      meta.json        "kind": "ensemble", "complete", settings, the scenario, theory, agents,
                       seed, priors, versions, the command line
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
import os
import pickle
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sovsim.authorities.registry import THEORY_DEFAULT
from sovsim.claims.sampling import sample_lhs
from sovsim.engine.pool import FailedRunsError, StoppedError, Task, error_text, run_tasks
from sovsim.engine.sim import Sim
from sovsim.io import folders
from sovsim.io.folders import TMP_MARK
from sovsim.io.run_folder import save, versions
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
    return error_text(exc)


def part_path(store: Path, variant: str, draw: Draw) -> Path:
    """Where one finished run's record is kept until its command completes."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in variant)
    return store / f"{safe}-{draw.run_id:04d}-{draw.seed}.pkl"


def _read_part(path: Path) -> dict | None:
    try:
        with path.open("rb") as f:
            record = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None  # unreadable: the run is done again
    return record if isinstance(record, dict) and record.get("status") == "ok" else None


def _write_part(path: Path, record: dict) -> None:
    # written whole or not at all: a record half-written by a killed command must not count
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    with tmp.open("wb") as f:
        pickle.dump(record, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def run_variants(variants: list[Variant], draws: list[Draw], *, agents: int, workers: int,
                 measure: Measure | None = None, keep: Keep | None = None,
                 progress: bool = True, store: Path | None = None) -> list[dict]:
    """Run every variant under every draw (same seed and parameters within a draw) and return
    one record per (draw, variant), in draw order then variant order.

    `measure(sim)` returns a flat dict of floats or small arrays; `keep(sim, draw, variant,
    wall_seconds)` may save the run and return a dict for its record (e.g. its folder). With
    workers > 1 both run in worker processes (sovsim.engine.pool), so they must be
    picklable top-level functions, and a script calling this needs the usual
    `if __name__ == "__main__":` guard.

    With a `store` folder, each successful run's record is written there (atomically) as soon
    as it arrives, and runs whose record is already there are not run again: an interrupted
    command resumes where it stopped.
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
    if workers > 1:
        for fn, what in ((measure, "measure"), (keep, "keep")):
            try:
                pickle.dumps(fn)
            except Exception as exc:
                raise ValueError(f"{what} must be a picklable top-level function to run on "
                                 f"{workers} workers: {exc}") from None
    jobs = [(i, j) for i in range(len(draws)) for j in range(len(variants))]
    out: dict[tuple[int, int], dict] = {}
    if store is not None:
        store.mkdir(parents=True, exist_ok=True)
        for i, j in jobs:
            done = _read_part(part_path(store, variants[j].name, draws[i]))
            if done is not None:
                out[i, j] = done
    tasks = [Task((i, j), run_one, (variants[j], draws[i], agents, measure, keep))
             for i, j in jobs if (i, j) not in out]
    with _bar(progress, len(jobs)) as advance:
        for _ in out:
            advance()

        def finished(key: Any, record: dict) -> None:
            i, j = key
            out[i, j] = record
            if store is not None and record.get("status") == "ok":
                _write_part(part_path(store, variants[j].name, draws[i]), record)
            advance()

        def failed(key: Any, why: str) -> None:
            i, j = key
            out[i, j] = {"run_id": draws[i].run_id, "variant": variants[j].name,
                         "seed": draws[i].seed, "status": why, **draws[i].pars}
            advance()

        run_tasks(tasks, workers=workers, on_result=finished, on_failure=failed)
    return [out[key] for key in jobs]


@contextmanager
def _bar(show: bool, total: int) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr (or nothing), as an `advance()` callable."""
    if not show:
        yield lambda: None
        return
    # Until the first run is done the bar says why it may stand still: Numba compiles the agent
    # kernels on a machine's first run (and caches them), up to half a minute.
    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=Console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task("runs: the first (compiling the agent kernels if this is the first "
                            "run; up to half a minute)", total=total)

        def advance() -> None:
            bar.update(task, advance=1, description="runs")

        yield advance


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
    its meta.json; its record gets the folder's name. A folder of the same run left by an
    interrupted command is replaced."""
    name = RUN_FOLDER.format(draw.run_id)
    save(sim, root / name, "parquet", wall_seconds, force=True, labels=False,
         extra={"run_id": draw.run_id, "variant": variant.name, "drawn_pars": draw.pars})
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
                     seed: int = 0, out: Path | None = None, force: bool = False,
                     resume: bool = False, console: Console | None = None,
                     progress: bool = True) -> Path:
    """Run an ensemble of `runs` draws of a scenario and write its folder; return the folder.

    Raises ValueError (ScenarioError and FolderError included) for bad input before anything
    is run or written. Each run's folder is written as soon as it finishes; `resume` completes
    an interrupted ensemble at `out` without running its finished runs again. FailedRunsError when
    runs failed (after the folder is written), StoppedError on SIGINT/SIGTERM.
    """
    from sovsim.authorities.bureaucracy import THEORIES

    console = console or Console()
    for name, value, least in (("runs", runs, 1), ("workers", workers, 1),
                               ("agents", agents, 1), ("seed", seed, 0)):
        if value < least:
            raise ValueError(f"--{name} must be >= {least}, got {value}")
    if theory not in THEORIES:
        raise ValueError(f"unknown theory `{theory}`; valid: {', '.join(THEORIES)}")
    if resume and out is None:
        raise ValueError("--resume needs --out, the folder of the interrupted ensemble")
    loaded = _base(scenario)
    target = (Path(out) if out is not None
              else folders.default_out("ensemble", loaded.name, f"s{seed}", theory))
    settings = {"scenario": loaded.name, "scenario_sha256": loaded.sha256, "theory": theory,
                "agents": agents, "runs": runs, "seed": seed}
    priors = priors_of(loaded)
    plan = draws(scenario, runs, seed)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with folders.build("ensemble", target, settings=settings, force=force,
                       resume=resume) as built:
        t0 = time.perf_counter()
        try:
            records = run_variants([Variant(loaded.name, scenario, theory)], plan,
                                   agents=agents, workers=workers, measure=end_state,
                                   keep=functools.partial(save_run, built.path),
                                   progress=progress, store=built.parts)
        except KeyboardInterrupt:
            done = len(list(built.parts.glob("*.pkl")))
            raise StoppedError(built.stopped(done, runs)) from None
        wall = time.perf_counter() - t0
        regions = list(loaded.model.regions)
        summary = summary_table(records, regions)
        write_parquet(runs_table(records, sorted(priors)), built.path / "runs.parquet")
        write_parquet(summary, built.path / "summary.parquet")
        failed = [r for r in records if r["status"] != "ok"]
        built.finish({
            "scenario_path": loaded.path,
            "scenario_ref": loaded.ref,
            "runs_ok": runs - len(failed),
            "runs_failed": len(failed),
            "workers": workers,
            "started": built.meta.get("started", started),
            "resumed": built.resumed or built.meta.get("resumed", False),
            "wall_seconds": round(wall, 3),
            "versions": versions(),
            "priors": {name: p.model_dump(exclude_none=True) for name, p in priors.items()},
            "join": "runs.parquet's `folder` names each run's subfolder: read a table from "
                    "each, add the folder name as a column and join on it",
        })
    print_summary(console, summary, loaded, theory, runs)
    for rec in failed[:5]:
        console.print(f"run {rec['run_id']} failed: {rec['status']}", markup=False,
                      highlight=False)
    console.print(f"wrote {target} ({runs} runs, {len(failed)} failed, {agents:,} "
                  f"agents, {workers} worker(s), {wall:.1f} s: "
                  f"{60 * runs / max(wall, 1e-9):.1f} runs/min)", markup=False, highlight=False)
    if failed:
        raise FailedRunsError(f"{len(failed)} of {runs} runs failed (their errors are in the "
                              f"status column of {target / 'runs.parquet'})", len(failed))
    return target


def write_parquet(table: pa.Table, path: Path) -> None:
    """A Parquet file written whole or not at all."""
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
