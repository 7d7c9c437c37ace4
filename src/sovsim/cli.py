"""The `sovsim` command: run, scenarios, check, validate, serve."""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sovsim.authorities.bureaucracy import THEORIES
from sovsim.authorities.course import REVERSAL_SWING, count_reversals
from sovsim.claims.ensemble import DEFAULT_ENSEMBLE_AGENTS, ensemble_command
from sovsim.classify.run_labels import classify_run, explain, write_labels
from sovsim.engine.sim import Sim
from sovsim.io.outputs import check_target, default_run_dir, is_run_dir
from sovsim.io.run_folder import save
from sovsim.politics.state import MODES
from sovsim.world.loading import ScenarioError, builtin_names, describe_builtin, load
from sovsim.world.names import AUTHORITIES

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="sovsim: the world system of 1946 after E. Germain, as an agent-based "
                       "simulation.")
console = Console()
errors = Console(stderr=True)

DEFAULT_AGENTS = 100_000


class Format(str, Enum):  # noqa: UP042 - Typer needs a str Enum for choices
    parquet = "parquet"
    csv = "csv"


Theory = Enum("Theory", {name.replace("-", "_"): name for name in THEORIES}, type=str)
Mode = Enum("Mode", {name.replace("-", "_"): name for name in MODES}, type=str)


def fail(message: str) -> None:
    """One clear error line and exit code 2 (bad input)."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


@app.command()
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
        help="run folder (default runs/<scenario>-s<seed>-<UTC time>)")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table format")] = Format.parquet,
    theory: Annotated[Theory, typer.Option(help="theory of the Soviet bureaucracy")]
    = Theory.dws,
    mode: Annotated[Mode, typer.Option(help="mobilisation on a grid or well mixed")]
    = Mode.well_mixed,
    plan: Annotated[bool, typer.Option("--plan", help="print the step plan and exit")]
    = False,
) -> None:
    """Run a scenario month by month and write its run folder."""
    try:
        loaded = load(scenario)
        sim = Sim(loaded, agents=agents, seed=seed, start=start, end=end,
                  theory=theory.value, mode=mode.value)
    except (ScenarioError, ValueError) as exc:
        fail(str(exc))
    if plan:
        print_plan(sim)
        return
    target = out or default_run_dir(sim.scenario.name, seed)
    try:
        check_target(target)
    except FileExistsError as exc:
        fail(str(exc))
    t0 = time.perf_counter()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[date]}"), TimeRemainingColumn(),
                  console=errors, transient=True) as bar:
        task = bar.add_task(f"{sim.scenario.name} s{seed}", total=sim.n_steps, date=sim.date)
        sim.run(progress=lambda t: bar.update(task, completed=t, date=sim.date))
    wall = time.perf_counter() - t0
    folder = save(sim, target, fmt.value, wall)
    write_labels(folder)
    print_summary(sim)
    print_politics(sim, folder)
    console.print(f"wrote [bold]{folder}[/] ({sim.n_steps} steps, "
                  f"{sim.people_per_agent:,.0f} people per agent, {wall:.1f} s)")


def print_plan(sim: Sim) -> None:
    """The step plan: what happens in one month, in order (ODD element 3)."""
    table = Table(title="Step plan (one step = one month)")
    table.add_column("#", justify="right")
    table.add_column("module")
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
                      AUTHORITIES[sim.politics.authority[r]], str(len(turns)))
    console.print(table)
    console.print(f"theory of the bureaucracy: {sim.theory}; a reversal is a turn of the course "
                  f"after a swing of at least {REVERSAL_SWING}")


@app.command()
def classify(
    run_dir: Annotated[Path, typer.Argument(help="a run folder written by sovsim run")],
    year: Annotated[int | None, typer.Option(help="only this year")] = None,
    region: Annotated[str | None, typer.Option(help="only this region")] = None,
) -> None:
    """Label each region and expansion by class criteria, with every criterion's value."""
    if not is_run_dir(run_dir):
        fail(f"{run_dir}: not a sovsim run folder (no meta.json written by sovsim run)")
    try:
        explain(run_dir, year, region, console)
    except ValueError as exc:
        fail(str(exc))


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios")
    table.add_column("name")
    table.add_column("description")
    for name in builtin_names():
        table.add_row(name, describe_builtin(name))
    console.print(table)


@app.command()
def check(file: Annotated[str, typer.Argument(help="scenario name or .toml file")]) -> None:
    """Validate a scenario file: every key, type, share, name and date."""
    try:
        loaded = load(file)
    except ScenarioError as exc:
        fail(str(exc))
    sc = loaded.model
    console.print(f"[green]ok[/] {loaded.path}: {sc.scenario.name}, {len(sc.regions)} regions, "
                  f"{sc.scenario.start}..{sc.scenario.end}, {len(sc.schedule)} scheduled "
                  f"changes, sha256 {loaded.sha256[:12]}")


@app.command()
def validate(
    quick: Annotated[bool, typer.Option(help="fewer seeds in the statistical cases")] = False,
) -> None:
    """Dock the engine's special cases with published and closed-form results."""
    from sovsim.validate.registry import all_checks

    rows = all_checks(quick=quick)
    table = Table(title="sovsim validate")
    for col in ("case", "quantity", "expected", "got", "tolerance", "pass"):
        table.add_column(col, justify="left" if col in ("case", "quantity") else "right")
    for row in rows:
        table.add_row(row.case, row.quantity, f"{row.expected:.10g}", f"{row.got:.10g}",
                      f"{row.tolerance:.3g}", "[green]pass[/]" if row.passed else "[red]FAIL[/]")
    console.print(table)
    failed = [r for r in rows if not r.passed]
    console.print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    for r in failed:
        if r.note:
            errors.print(f"{r.case} / {r.quantity}: {r.note}", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
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
        help="ensemble folder (default runs/ensemble-<scenario>-s<seed>-<UTC time>)")] = None,
) -> None:
    """Run a scenario over Latin hypercube draws of its priors and write one ensemble folder."""
    try:
        ensemble_command(scenario, runs, workers=workers, theory=theory.value, agents=agents,
                         seed=seed, out=out, console=console)
    except ValueError as exc:
        fail(str(exc))


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="a claims, run or ensemble folder")],
    out: Annotated[Path | None, typer.Option(help="HTML file (default DIR/report.html)")]
    = None,
) -> None:
    """Write one self-contained HTML page of a folder's verdicts and charts (opens offline)."""
    from sovsim.io.report import ReportError, report_command

    try:
        path = report_command(folder, out)
    except ReportError as exc:
        fail(str(exc))
    console.print(f"wrote [bold]{path}[/] ({path.stat().st_size / 1e6:.1f} MB)")


@app.command()
def claims(
    list_only: Annotated[bool, typer.Option("--list", help="print the claims registry and exit")]
    = False,
    only: Annotated[str | None, typer.Option(help="only these claims, e.g. C4,C7")] = None,
    runs: Annotated[int, typer.Option(help="draws from the priors (runs per scenario)")] = 32,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    agents: Annotated[int, typer.Option(help="number of agents per run")] = 10_000,
    seed: Annotated[int, typer.Option(help="seed of the draws and of the runs' seeds")] = 0,
    out: Annotated[Path | None, typer.Option(
        help="claims folder (default runs/claims-<UTC time>)")] = None,
) -> None:
    """Test the essay's claims C1-C9 over the priors and print their verdicts."""
    from sovsim.claims.command import claims_command

    try:
        claims_command(list_only=list_only, only=only, runs=runs, workers=workers,
                       agents=agents, seed=seed, out=out, console=console)
    except ValueError as exc:
        fail(str(exc))


@app.command()
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
) -> None:
    """Calibrate growth parameters per bloc on Maddison (2010) output per head 1946-1970,
    write the overlay scenario and report the errors in and out of sample (1971-1989)."""
    from sovsim.claims.calibrate import calibration_command

    try:
        calibration_command(scenario, out, agents=agents, evaluations=evaluations,
                            workers=workers,
                            say=lambda text: console.print(text, markup=False, highlight=False))
    except (ScenarioError, ValueError, KeyError) as exc:
        fail(str(exc))


@app.command()
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
