"""The `sovsim` command: run, rerun, classify, scenarios, check, validate, ensemble, claims,
report, calibrate, history, runs, query, sensitivity, serve.

Every command follows the same contract (issue 10): bad input, a bad path or a missing
resource prints one line naming the file, key or path and what would be valid, and exits 2;
an internal failure prints a one-line summary and exits 1 (its traceback only with --debug);
SIGINT/SIGTERM exit 130 after the workers are stopped. Messages print literally: a path
or a hint with brackets in it is not taken for markup.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import click
import numpy as np
import typer
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
from typer.core import TyperGroup

from sovsim import __version__
from sovsim.authorities.bureaucracy import THEORIES
from sovsim.authorities.course import REVERSAL_SWING, count_reversals
from sovsim.claims.ensemble import DEFAULT_ENSEMBLE_AGENTS, ensemble_command
from sovsim.classify.run_labels import classify_run, explain
from sovsim.engine.pool import FailedRunsError, StoppedError
from sovsim.engine.sim import Sim
from sovsim.io import folders
from sovsim.io.folders import FolderError
from sovsim.io.run_folder import TABLES, save, write_tables
from sovsim.politics.mobilisation.regions import MODES
from sovsim.world.loading import (
    ScenarioError,
    builtin_names,
    check_agents,
    describe_builtin,
    load,
)
from sovsim.world.names import AUTHORITIES

# Recent Typer carries its own copy of Click (typer.core._click); older ones use Click itself.
_CLICK = getattr(typer.core, "_click", click)
USAGE_ERRORS = (click.ClickException, _CLICK.exceptions.ClickException)
ABORTS = (click.Abort, typer.Abort)


class OneLineErrors(TyperGroup):
    """Usage errors (an unknown option, a value out of range) as one literal line, exit 2, like
    every other bad input, instead of a framed panel."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        folders.set_command_line(list(sys.argv[1:] if args is None else args))
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        except USAGE_ERRORS as exc:
            if not standalone_mode:
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # `sovsim` alone: the help
                exc.show()
                sys.exit(exc.exit_code)
            where = getattr(getattr(exc, "ctx", None), "command_path", None)
            hint = f" (`{where} --help` lists what is valid)" if where else ""
            errors.print(f"error: {exc.format_message()}{hint}", markup=False,
                         highlight=False, style="bold red", soft_wrap=True)
            sys.exit(exc.exit_code)
        except ABORTS:
            if not standalone_mode:
                raise
            sys.exit(130)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(cls=OneLineErrors, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False,
                  help="sovsim: the world system of 1946 after E. Germain, as an agent-based "
                       "simulation.")
console = Console()
errors = Console(stderr=True)
DEBUG = {"on": False}  # set by --debug: tracebacks of internal failures are shown

DEFAULT_AGENTS = 100_000


class Format(str, Enum):  # noqa: UP042 - Typer needs a str Enum for choices
    parquet = "parquet"
    csv = "csv"


Theory = Enum("Theory", {name.replace("-", "_"): name for name in THEORIES}, type=str)
Mode = Enum("Mode", {name.replace("-", "_"): name for name in MODES}, type=str)


def say(text: str) -> None:
    """A line on standard output, printed literally and never wrapped (one message, one
    line)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    """One clear error line, printed literally, and exit code 2 (bad input) or `code`."""
    errors.print("error: " + message, markup=False, highlight=False, style="bold red",
                  soft_wrap=True)
    raise typer.Exit(code)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A command under the error contract: bad input and resource problems exit 2 with one
    line, runs that failed exit 1 with their count, SIGINT/SIGTERM exit 130, anything else
    exits 1 with a one-line summary (the traceback with --debug)."""

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, *ABORTS, *USAGE_ERRORS):
            raise
        except StoppedError as exc:
            fail(str(exc), 130)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except FailedRunsError as exc:
            fail(str(exc), 1)
        except (ScenarioError, FolderError) as exc:
            _trace()
            fail(str(exc))
        except MemoryError:
            _trace()
            fail("not enough memory for this run; try fewer --agents or fewer --workers")
        except OSError as exc:
            _trace()
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}")
        except Exception as exc:
            _trace()
            fail(f"internal failure: {type(exc).__name__}: {exc} (run with --debug for the "
                 "traceback)" if not DEBUG["on"] else
                 f"internal failure: {type(exc).__name__}: {exc}", 1)

    return command


def _trace() -> None:
    if DEBUG["on"]:
        traceback.print_exc()


def _version(value: bool) -> None:
    if value:
        print(f"sovsim {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="show the traceback of a failure")]
    = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """sovsim: the world system of 1946 after E. Germain, as an agent-based simulation."""
    DEBUG["on"] = debug


def command(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`app.command` for a guarded command."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        return app.command(**options)(guarded(fn))

    return register


FORCE = Annotated[bool, typer.Option("--force", help="replace an earlier output of this "
                                                     "command at --out")]


@command()
def run(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")]
    = "world1946",
    agents: Annotated[int, typer.Option(help="number of agents", min=1)] = DEFAULT_AGENTS,
    seed: Annotated[int, typer.Option(help="random seed", min=0)] = 0,
    start: Annotated[int | None, typer.Option(
        help="first year written to the outputs (the run starts at the scenario's start)")]
    = None,
    end: Annotated[int | None, typer.Option(help="last year simulated")] = None,
    out: Annotated[Path | None, typer.Option(
        help="run folder (default runs/<scenario>-s<seed>-<theory>-<UTC time>-<random>)")]
    = None,
    fmt: Annotated[Format, typer.Option("--format", help="table format")] = Format.parquet,
    theory: Annotated[Theory, typer.Option(help="theory of the Soviet bureaucracy")]
    = Theory.dws,
    mode: Annotated[Mode, typer.Option(help="mobilisation on a grid or well mixed")]
    = Mode.well_mixed,
    plan: Annotated[bool, typer.Option("--plan", help="print the step plan and exit")]
    = False,
    force: FORCE = False,
) -> None:
    """Run a scenario month by month and write its run folder."""
    loaded = load(scenario)
    if not plan:
        check_agents(loaded, agents)
        check_memory(agents)
    target = out or folders.default_out("run", loaded.name, f"s{seed}", theory.value)
    if not plan:
        folders.check_out(target, "run", force=force)  # before any work
    try:
        sim = Sim(loaded, agents=agents, seed=seed, start=start, end=end,
                  theory=theory.value, mode=mode.value)
    except ValueError as exc:
        fail(str(exc))
    if plan:
        print_plan(sim)
        return
    wall = simulate(sim, f"{sim.scenario.name} s{seed}")
    folder = save(sim, target, fmt.value, wall, force=force, start=start, end=end)
    print_summary(sim)
    print_politics(sim, folder)
    say(f"wrote {folder} ({sim.n_steps} steps, {sim.people_per_agent:,.0f} people per agent, "
        f"{wall:.1f} s)")


def check_memory(agents: int, workers: int = 1) -> None:
    """Refuse an agent count whose arrays cannot fit in this machine's memory, before any work
    (NumPy would reserve them lazily and the run would die later, under the OOM killer)."""
    from sovsim.engine.results import AGENT_FIELDS

    per_agent = sum(dt.itemsize for dt in AGENT_FIELDS.values())
    # room for a quarter more agents, and as much again for the kernels' working arrays
    need = 2.5 * per_agent * agents * workers
    try:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return
    if need > have:
        fail(f"--agents {agents:,}: needs about {need / 2**30:,.1f} GiB "
             f"({workers} worker(s)); this machine has {have / 2**30:,.1f} GiB; "
             f"at most about {int(have / (2.5 * per_agent * workers)):,} agents")


def simulate(sim: Sim, label: str) -> float:
    """Run a Sim under a progress bar; returns the wall time. Until the first month is done the
    bar says that the kernels may be compiling (Numba compiles them on a first run and caches
    them; that can take half a minute)."""
    t0 = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                  MofNCompleteColumn(), TextColumn("{task.fields[date]}", markup=False),
                  TimeRemainingColumn(), console=errors, transient=True) as bar:
        task = bar.add_task(f"{label}: first month (compiling the agent kernels if this is the "
                            "first run; up to half a minute)", total=sim.n_steps, date=sim.date)

        def advance(t: int) -> None:
            bar.update(task, completed=t, date=sim.date, description=label)

        sim.run(progress=advance)
    return time.perf_counter() - t0


@command()
def rerun(
    folder: Annotated[Path, typer.Argument(help="a run folder written by sovsim run")],
) -> None:
    """Replay a run folder from its meta.json and check that its tables come out
    byte-identical."""
    folders.require(folder, "run")
    meta = folders.read_meta(folder) or {}
    missing = [k for k in ("scenario_ref", "scenario_sha256", "theory", "mode", "seed",
                           "agents", "format") if k not in meta]
    if missing:
        fail(f"{folder / folders.META_FILE}: written by an older sovsim without "
             f"{', '.join(missing)}; it cannot be replayed")
    loaded = load(meta["scenario_ref"])
    if loaded.sha256 != meta["scenario_sha256"]:
        fail(f"{meta['scenario_ref']}: the scenario changed since the run (sha256 "
             f"{loaded.sha256[:12]}, the run had {meta['scenario_sha256'][:12]}); "
             "it cannot be replayed")
    sim = Sim(loaded, agents=meta["agents"], seed=meta["seed"], start=meta.get("start_year"),
              end=meta.get("end_year"), theory=meta["theory"], mode=meta["mode"])
    simulate(sim, f"rerun {sim.scenario.name} s{sim.seed}")
    differ = []
    table = Table(title=f"rerun of {folder}")
    table.add_column("table")
    table.add_column("bytes")
    table.add_column("identical")
    with tempfile.TemporaryDirectory(prefix=".sovsim-rerun-") as tmp:
        write_tables(sim, Path(tmp), meta["format"])
        for stem in TABLES:
            name = f"{stem}.{meta['format']}"
            old, new = Path(folder) / name, Path(tmp) / name
            same = old.is_file() and new.is_file() and old.read_bytes() == new.read_bytes()
            table.add_row(name, f"{new.stat().st_size:,}" if new.is_file() else "-",
                          "yes" if same else "NO")
            if not same:
                differ.append(name)
    console.print(table)
    from sovsim.io.run_folder import versions

    changed = {k: (v, versions().get(k)) for k, v in meta.get("versions", {}).items()
               if versions().get(k) != v}
    if changed:
        say("note: versions differ from the run's: " + ", ".join(
            f"{k} {a} -> {b}" for k, (a, b) in changed.items()))
    if differ:
        fail(f"{folder}: not reproduced: {', '.join(differ)} differ", 1)
    say(f"reproduced {folder}: {len(TABLES)} tables byte-identical")


def print_plan(sim: Sim) -> None:
    """The step plan: what happens in one month, in order (ODD element 3)."""
    table = Table(title="Step plan (one step = one month)")
    table.add_column("#", justify="right")
    table.add_column("module", no_wrap=True)
    table.add_column("method")
    table.add_column("what it does")
    for i, entry in enumerate(sim.plan, 1):
        table.add_row(str(i), entry.module, entry.name, entry.doc)
    console.print(table)


def print_summary(sim: Sim) -> None:
    """Per region: population, output per head at start and end, growth, collective share."""
    reg = sim.results.regions
    first, last = sim.record_from, sim.n_steps - 1
    years = (last - first + 1) / 12.0
    d0, d1 = sim.dates()[first], sim.dates()[last]
    table = Table(title=f"{sim.scenario.name}: {d0} to {d1}")
    for col in ("region", "population (M)", f"output/head {d0}", f"output/head {d1}",
                "growth %/yr", "collective share"):
        table.add_column(col, justify="left" if col == "region" else "right")
    for r, name in enumerate(sim.geo.names):
        y0, y1 = reg["output_per_capita"][first, r], reg["output_per_capita"][last, r]
        growth = 100 * (np.log(y1 / y0) / years) if y0 > 0 and y1 > 0 else float("nan")
        table.add_row(name, f"{reg['population'][last, r] / 1e6:,.1f}", f"{y0:,.0f}",
                      f"{y1:,.0f}", f"{growth:+.2f}", f"{reg['collective_share'][last, r]:.2f}")
    console.print(table)
    console.print("output per head in 1990 international Geary-Khamis dollars a year")


def print_politics(sim: Sim, folder: Path) -> None:
    """Each region's label at start and end, its authority and its course reversals."""
    labels = classify_run(folder)[0].to_pylist()
    regional = [row for row in labels if row["kind"] == "region"]
    years = sorted({row["year"] for row in regional})
    first, last = years[0], years[-1]
    label = {(row["year"], row["region"]): row["label"] for row in regional}
    table = Table(title=f"Class character (sovsim classify {folder} for the criteria)")
    for col in ("region", f"label {first}", f"label {last}", "authority at end",
                "course reversals"):
        table.add_column(col, justify="right" if col == "course reversals" else "left")
    course = sim.results.regions["course"][sim.record_from:]
    for r, name in enumerate(sim.geo.names):
        turns, _ = count_reversals(course[:, r], REVERSAL_SWING)
        table.add_row(name, label.get((first, name), "-"), label.get((last, name), "-"),
                      AUTHORITIES[sim.world.regions["authority"][r]], str(len(turns)))
    console.print(table)
    console.print(f"theory of the bureaucracy: {sim.theory}; a reversal is a turn of the course "
                  f"after a swing of at least {REVERSAL_SWING}")


@command()
def classify(
    run_dir: Annotated[Path, typer.Argument(help="a run folder written by sovsim run")],
    year: Annotated[int | None, typer.Option(help="only this year")] = None,
    region: Annotated[str | None, typer.Option(help="only this region")] = None,
) -> None:
    """Label each region and expansion by class criteria, with every criterion's value."""
    folders.require(run_dir, "run")
    try:
        explain(run_dir, year, region, console)
    except ValueError as exc:
        fail(str(exc))


@command()
def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios")
    table.add_column("name")
    table.add_column("description")
    for name in builtin_names():
        table.add_row(name, describe_builtin(name))
    console.print(table)


@command()
def check(file: Annotated[str, typer.Argument(help="scenario name or .toml file")]) -> None:
    """Validate a scenario file: every key, type, share, name and date."""
    loaded = load(file)
    sc = loaded.model
    events = len(loaded.resolved.get("events", []))
    say(f"ok {loaded.path}: {sc.scenario.name}, {len(sc.regions)} regions, "
        f"{sc.scenario.start}..{sc.scenario.end}, {len(sc.schedule)} scheduled changes, "
        f"{events} events, sha256 {loaded.sha256[:12]}")


@command()
def validate(
    quick: Annotated[bool, typer.Option(help="fewer seeds in the statistical cases")] = False,
) -> None:
    """Dock the engine's special cases with published and closed-form results."""
    from sovsim.validate.registry import CASES, all_checks, skipped

    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                  MofNCompleteColumn(), console=errors, transient=True) as bar:
        task = bar.add_task("validate", total=len(CASES))

        def started(name: str, done: int) -> None:
            bar.update(task, completed=done, description=f"validate: {name}")

        rows = all_checks(quick=quick, progress=started)
    table = Table(title="sovsim validate")
    for col in ("case", "quantity", "expected", "got", "tolerance", "pass"):
        table.add_column(col, justify="left" if col in ("case", "quantity") else "right")
    for row in rows:
        table.add_row(row.case, row.quantity, f"{row.expected:.10g}", f"{row.got:.10g}",
                      f"{row.tolerance:.3g}", "[green]pass[/]" if row.passed else "[red]FAIL[/]")
    console.print(table)
    failed = [r for r in rows if not r.passed]
    say(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    for hint in skipped():
        say(hint)
    for r in failed:
        if r.note:
            errors.print(f"{r.case} / {r.quantity}: {r.note}", markup=False, highlight=False)
    if failed:
        raise typer.Exit(1)


@command()
def ensemble(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")],
    runs: Annotated[int, typer.Option(help="number of draws from the priors (runs)")],
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    theory: Annotated[Theory, typer.Option(help="theory of the Soviet bureaucracy")]
    = Theory.dws,
    agents: Annotated[int, typer.Option(help="number of agents per run")]
    = DEFAULT_ENSEMBLE_AGENTS,
    seed: Annotated[int, typer.Option(help="seed of the draws and of the runs' seeds")] = 0,
    out: Annotated[Path | None, typer.Option(
        help="ensemble folder (default runs/ensemble-<scenario>-s<seed>-<theory>-<UTC time>-"
             "<random>)")] = None,
    force: FORCE = False,
    resume: Annotated[bool, typer.Option(
        "--resume", help="complete the interrupted ensemble at --out (same options)")]
    = False,
) -> None:
    """Run a scenario over Latin hypercube draws of its priors and write one ensemble folder."""
    if agents >= 1:
        check_agents(load(scenario), agents)
        check_memory(agents, max(workers, 1))
    try:
        ensemble_command(scenario, runs, workers=workers, theory=theory.value, agents=agents,
                         seed=seed, out=out, force=force, resume=resume, console=console)
    except (ScenarioError, FolderError):
        raise
    except ValueError as exc:
        fail(str(exc))


@command()
def report(
    folder: Annotated[Path, typer.Argument(help="a claims, run, ensemble or history folder")],
    out: Annotated[Path | None, typer.Option(help="HTML file (default DIR/report.html)")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="replace an earlier report at the "
                                                        "same path")] = False,
) -> None:
    """Write one self-contained HTML page of a folder's verdicts and charts (opens offline)."""
    from sovsim.io.report import ReportError, report_command

    try:
        path = report_command(folder, out, force=force)
    except ReportError as exc:
        fail(str(exc))
    say(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


@command()
def claims(
    list_only: Annotated[bool, typer.Option("--list", help="print the claims registry and exit")]
    = False,
    only: Annotated[str | None, typer.Option(help="only these claims, e.g. C4,C7")] = None,
    runs: Annotated[int, typer.Option(help="draws from the priors (runs per scenario)")] = 32,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    agents: Annotated[int, typer.Option(help="number of agents per run")] = 10_000,
    seed: Annotated[int, typer.Option(help="seed of the draws and of the runs' seeds")] = 0,
    out: Annotated[Path | None, typer.Option(
        help="claims folder (default runs/claims-<UTC time>-<random>)")] = None,
    force: FORCE = False,
    resume: Annotated[bool, typer.Option(
        "--resume", help="complete the interrupted claims run at --out (same options)")]
    = False,
) -> None:
    """Test the essay's claims C1-C9 over the priors and print their verdicts."""
    from sovsim.claims.command import claims_command

    if not list_only and agents >= 1:
        check_agents(load("world1946"), agents)
        check_memory(agents, max(workers, 1))
    try:
        claims_command(list_only=list_only, only=only, runs=runs, workers=workers,
                       agents=agents, seed=seed, out=out, force=force, resume=resume,
                       console=console)
    except (ScenarioError, FolderError):
        raise
    except ValueError as exc:
        fail(str(exc))


@command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or .toml file")]
    = "world1946",
    out: Annotated[Path | None, typer.Option(
        help="overlay scenario written (default ./<scenario>_calibrated.toml)")] = None,
    agents: Annotated[int, typer.Option(help="number of agents per run", min=1)] = 10_000,
    evaluations: Annotated[int, typer.Option(help="candidate worlds run at most", min=1)]
    = 100,
    workers: Annotated[int | None, typer.Option(
        help="worker processes (default one per seed, at most the cores)", min=1)] = None,
    force: Annotated[bool, typer.Option("--force", help="replace the file at --out")] = False,
) -> None:
    """Calibrate growth parameters per bloc on Maddison (2010) output per head 1946-1970,
    write the overlay scenario and report the errors in and out of sample (1971-1989)."""
    from sovsim.calibration.command import calibration_command

    loaded = load(scenario)
    check_agents(loaded, agents)
    target = out or Path(f"{loaded.name}_calibrated.toml")
    folders.check_file_out(target, force=force)
    try:
        calibration_command(scenario, target, agents=agents, evaluations=evaluations,
                            workers=workers,
                            say=lambda text: console.print(text, markup=False, highlight=False))
    except (ScenarioError, ValueError, KeyError) as exc:
        fail(str(exc))


@command(name="runs")
def runs_listing(
    root: Annotated[Path, typer.Argument(help="directory searched for sovsim folders")]
    = Path("runs"),
    out: Annotated[Path | None, typer.Option(help="write the listing to a .csv or .parquet file")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite --out if it exists")] = False,
) -> None:
    """List every sovsim folder under DIR: kind, scenario, theory, mode, seed, agents, version,
    status and time."""
    from sovsim.io.catalogue import CatalogueError, catalogue, check_out, folders_table, show

    try:
        if out is not None:
            check_out(out, force)
        listing = folders_table(catalogue(root))
    except CatalogueError as exc:
        fail(str(exc))
    # the table names are long: written to --out and in the `folders` view, not printed
    shown = listing if out is not None else listing.drop_columns(["tables"])
    show(shown, out, f"sovsim folders under {root}", console)


@command()
def query(
    root: Annotated[Path, typer.Argument(help="directory searched for sovsim folders")],
    sql: Annotated[str, typer.Argument(help="DuckDB SQL over the views regions, classes, "
                                            "runs, verdicts, series, folders, ...")],
    out: Annotated[Path | None, typer.Option(help="write the result to a .csv or .parquet file")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite --out if it exists")] = False,
) -> None:
    """Run SQL (DuckDB) over the tables of every folder under DIR, one view per table name
    with the folder as a column."""
    from sovsim.io.catalogue import CatalogueError, check_out, show
    from sovsim.io.catalogue import query as run_query

    try:
        if out is not None:
            check_out(out, force)
        result = run_query(root, sql)
    except CatalogueError as exc:
        fail(str(exc))
    show(result, out, None, console)


class Method(str, Enum):  # noqa: UP042 - Typer needs a str Enum for choices
    sobol = "sobol"
    morris = "morris"


@command()
def sensitivity(
    claim: Annotated[str, typer.Argument(help="one claim id, e.g. C3")],
    method: Annotated[Method, typer.Option(help="Sobol' indices or Morris screening")]
    = Method.sobol,
    n: Annotated[int | None, typer.Option(
        "--n", help="base points (sobol, a power of 2; default 64) or trajectories (morris, "
                    "default 16)")] = None,
    pars: Annotated[str | None, typer.Option(
        help="vary only these drawn parameters, e.g. eta,dws_kappa (the others keep the "
             "scenario's values)")] = None,
    agents: Annotated[int, typer.Option(help="number of agents per run")] = 10_000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    seed: Annotated[int, typer.Option(help="seed of the design and of the shared run seed")]
    = 0,
    out: Annotated[Path | None, typer.Option(
        help="folder (default runs/sensitivity-<claim>-<method>-<UTC time>)")] = None,
    force: FORCE = False,
) -> None:
    """Global sensitivity of a claim's effect to its drawn parameters (SALib): Sobol' first-
    and total-order indices or Morris mu*, sigma, with 95% bootstrap intervals."""
    from sovsim.claims.sensitivity import sensitivity_command

    try:
        sensitivity_command(claim, method.value, n, pars=pars, agents=agents, workers=workers,
                            seed=seed, out=out, force=force, console=console)
    except ValueError as exc:
        fail(str(exc))


@command()
def history(
    run_dirs: Annotated[list[Path] | None, typer.Argument(
        help="run folders to score (default: run the scenario over --seeds seeds)")] = None,
    scenario: Annotated[str, typer.Option(help="built-in scenario name or .toml file")]
    = "world1946",
    seeds: Annotated[int, typer.Option(help="seeds run (0..N-1)", min=1)] = 4,
    agents: Annotated[int, typer.Option(help="number of agents per run", min=1)] = 20_000,
    workers: Annotated[int, typer.Option(help="worker processes", min=1)] = 1,
    out: Annotated[Path | None, typer.Option(
        help="history folder (default runs/history-<UTC time>)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the rows as JSON")] = False,
    force: FORCE = False,
) -> None:
    """Score the world against the history of 1946-1989 (HISTORY.md's patterns): one row per
    pattern with data, model over seeds, tolerance and pass/fail; exit 1 if a row fails."""
    import json as json_module

    from sovsim.validate.history import HistoryError, history_command

    quiet = lambda text: None  # noqa: E731 - JSON output stays machine-readable
    try:
        card = history_command(run_dirs or [], scenario=scenario, seeds=seeds, agents=agents,
                               workers=workers, out=out, force=force,
                               say=quiet if as_json else lambda t: errors.print(t, markup=False))
    except HistoryError as exc:
        fail(str(exc))
    if as_json:
        rows = [{k: (v if not isinstance(v, float) or np.isfinite(v) else None)
                 for k, v in vars(r).items()} for r in card.rows]
        print(json_module.dumps({"folder": str(card.folder), "rows": rows}, indent=2))
    else:
        table = Table(title="sovsim history: the world against 1946-1989")
        for col in ("id", "what", "data", "model", "tolerance", "pass"):
            table.add_column(col, overflow="fold")
        for r in card.rows:
            table.add_row(r.id, r.what, r.data, r.model, r.tolerance,
                          "[green]pass[/]" if r.passed else "[red]FAIL[/]")
        console.print(table)
        passed = sum(r.passed for r in card.rows)
        say(f"{passed} of {len(card.rows)} patterns pass; wrote {card.folder} (sovsim report "
            "draws it)")
    if not all(r.passed for r in card.rows):
        raise typer.Exit(1)


@command()
def serve(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8050,
    runs: Annotated[Path, typer.Option(
        help="folder the workbench reads run and claims folders from and writes runs to")]
    = Path("runs"),
    host: Annotated[str, typer.Option(
        help="address to listen on (anything but 127.0.0.1 prints a warning)")] = "127.0.0.1",
    workers: Annotated[int | None, typer.Option(
        help="runs at once (default: the number of cores)")] = None,
    page_timeout: Annotated[float, typer.Option(
        help="seconds without word from a page after which its runs are cancelled")] = 90.0,
) -> None:
    """Serve the browser workbench: set up and run a world, look at runs, read the verdicts."""
    from sovsim.workbench.server import check_options
    from sovsim.workbench.server import serve as serve_workbench

    try:
        check_options(host, port, runs, workers, page_timeout)
    except ValueError as exc:
        fail(str(exc))
    serve_workbench(host, port, runs, workers, page_timeout,
                    say=lambda text: console.print(text, markup=False, highlight=False))


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
