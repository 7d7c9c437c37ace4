"""Calibration of the growth parameters, bloc by bloc, against Maddison (2010) output per head.

MODEL.md §7: "calibrate on one period, validate on another". The growth parameters of each bloc
are fitted to output per head 1946-1970 and the fitted world is then run on to 1989, so that the
error 1971-1989 says how well the model forecasts what it was not fitted to.

Blocs and data. Four blocs, each a list of scenario regions matched to Maddison (2010) country
codes (`WORLD1946_BLOCS`): the USSR (SUN); the buffer zone (POL, CSK, HUN, ROU, BGR, and DEU for
the Soviet zone of Germany); the imperialist powers with West Germany and Italy (USA, GBR, FRA,
NLD, DEU, ITA); the colonies (IND, VNM for Indochina, IDN). Maddison (2010) has no East German
series: DEU is Germany as a whole and stands for both zones, which flatters the buffer's target
(West Germany's "miracle" is in it). Only the Maddison2010 release is used, in 1990 GK$ like the
model's output; the rows are shipped with the package (`maddison2010_gdp_pc.csv`), so the command
needs no shared data folder. A year without a figure (Poland before 1950, Czechoslovakia before
1948, Romania and Indonesia before 1949, Bulgaria 1946-49, Vietnam before 1950) is skipped.

Loss. For region r, year t with a figure y_rt, and the model's output per head x_rt (the mean of
the twelve monthly values of year t; with several seeds, the geometric mean over seeds), the error
is e_rt = ln x_rt - ln y_rt. A region's loss is the mean of e_rt^2 over its years with data; a
bloc's is the mean over its regions (equal weights, so a bloc is judged on every member, not on
its biggest one); the overall loss is the mean over the blocs. Its square root, the root mean
square log error (RMSLE), reads as a typical relative error (0.1 ~ 10%). Log errors because
growth is multiplicative: a 10% miss in India weighs as much as a 10% miss in the USA.

Noise. The model is stochastic; the fit uses common random numbers: the same seeds for every
candidate, so the loss is a deterministic function of the parameters and differences between
candidates are not seed noise. Two seeds at 10,000 agents are averaged (one seed at that size
leaves the smaller market regions, with ~100 agents, noisy). The errors reported afterwards
are computed on other seeds than those of the fit, so that the fit cannot have tuned itself to the
seeds' particular draws.

Parameters and optimiser. Per bloc (`BLOC_KNOBS`): autonomous productivity growth of industry
(g0_heavy and g0_light, tied: a per-head series cannot tell them apart), of agriculture (g0_agri),
learning from investment (eta), and the bloc's accumulation parameter: the state's
`accumulation_share` where the state budget finances investment (USSR; the buffer zone after
nationalisation), capitalists' `saving_capitalist` in market blocs. The capital-output ratios
sigma are left at their values: along a capital-bound path they enter growth only as saving/sigma,
so with the saving share fitted they are not identified by a per-head series. The fit is bounded
nonlinear least squares (scipy.optimize.least_squares, trust-region reflective) on the residuals
e_rt weighted so that their sum of squares is the overall loss, on knobs scaled to [0, 1] within
their bounds. The Jacobian is approximated by finite differences declared block-sparse (a bloc's
residuals depend on its own knobs only), so one probe perturbs a knob of every bloc at once: an
iteration costs one run per knob of a bloc, not per knob of the world. Couplings between blocs
(pillage, trade in capital goods, export of capital) make that sparsity an approximation of the
Jacobian only; every loss is computed exactly, and the best candidate seen is kept.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sovsim.engine.streams import one_thread_per_process
from sovsim.world.loading import LoadedScenario, load, validate
from sovsim.world.names import LEVER_DOMAINS
from sovsim.world.pars import PARS
from sovsim.world.schema import REGIONAL_PARS

DATA_FILE = "maddison2010_gdp_pc.csv"
DATASET = "Maddison2010"
FIT_YEARS = (1946, 1970)
TEST_YEARS = (1971, 1989)
FIT_SEEDS = (0, 1)
REPORT_SEEDS = (100, 101, 102, 103)  # not the fit's seeds: the report is not tuned to them
DEFAULT_AGENTS = 10_000
DEFAULT_EVALUATIONS = 100  # model evaluations (each one run per fit seed) in a calibration
DIFF_STEP = 0.05  # finite-difference step, share of a knob's range: above the seeds' noise
XTOL = FTOL = 1e-3  # least squares stops when its steps or gains are this small: it has stalled
COMPASS_STEP = 0.1  # first compass step, share of a knob's range
COMPASS_SMALLEST = 0.0125  # last compass step (three halvings): finer is below the model's noise
OVERLAY_NAME = "world1946_calibrated"


@dataclass(frozen=True)
class Bloc:
    """A bloc: its scenario regions and the Maddison country code each is compared with."""

    name: str
    regions: tuple[str, ...]
    codes: tuple[str, ...]
    label: str = ""


WORLD1946_BLOCS: tuple[Bloc, ...] = (
    Bloc("USSR", ("USSR",), ("SUN",), "the USSR"),
    Bloc("buffer", ("Poland", "Czechoslovakia", "Hungary", "Romania", "Bulgaria", "Germany_East"),
         ("POL", "CSK", "HUN", "ROU", "BGR", "DEU"),
         "buffer zone (Germany_East compared with DEU, Germany as a whole)"),
    Bloc("western", ("USA", "UK", "France", "Netherlands", "Germany_West", "Italy"),
         ("USA", "GBR", "FRA", "NLD", "DEU", "ITA"),
         "imperialist powers, West Germany and Italy (Germany_West compared with DEU)"),
    Bloc("colonies", ("India", "Indochina", "Indonesia"), ("IND", "VNM", "IDN"),
         "colonies (Indochina compared with VNM)"),
)


@dataclass(frozen=True)
class Knob:
    """One calibrated number of a bloc: parameters or levers set to one value in every region
    of the bloc (`names` are tied), searched within [low, high]."""

    label: str
    table: Literal["pars", "policy"]
    names: tuple[str, ...]
    low: float
    high: float
    unit: str = "1"


def check_knob(knob: Knob) -> None:
    """Refuse a knob whose bounds leave the domain of what it sets (a parameter's PARS domain
    or a lever's LEVER_DOMAINS), so that no candidate world is refused mid-fit."""
    for name in knob.names:
        if knob.table == "pars":
            if name not in REGIONAL_PARS:
                raise ValueError(f"knob {knob.label}: `{name}` cannot be set per region")
            low, high = PARS[name].low, PARS[name].high
        else:
            low, high = LEVER_DOMAINS[name]
        if not low <= knob.low < knob.high <= high:
            raise ValueError(f"knob {knob.label}: bounds [{knob.low}, {knob.high}] leave the "
                             f"domain [{low}, {high}] of `{name}`")


G0_INDUSTRY = Knob("g0_industry", "pars", ("g0_heavy", "g0_light"), -0.03, 0.06, "1/year")
G0_AGRI = Knob("g0_agri", "pars", ("g0_agri",), -0.03, 0.06, "1/year")
ETA = Knob("eta", "pars", ("eta",), 0.0, 1.0)
ACCUMULATION = Knob("accumulation_share", "policy", ("accumulation_share",), 0.1, 0.85)
LAM = Knob("lam", "policy", ("lam",), 0.1, 0.9)
SAVING = Knob("saving_capitalist", "pars", ("saving_capitalist",), 0.05, 0.95)

BLOC_KNOBS: dict[str, tuple[Knob, ...]] = {
    "USSR": (ACCUMULATION, LAM, G0_INDUSTRY, ETA),
    "buffer": (ACCUMULATION, LAM, G0_INDUSTRY, ETA),
    "western": (G0_INDUSTRY, G0_AGRI, ETA, SAVING),
    "colonies": (G0_INDUSTRY, G0_AGRI, ETA, SAVING),
}

Series = dict[str, dict[int, float]]  # region -> year -> output per head


# --- data ----------------------------------------------------------------------------------

def maddison2010(path: Path | None = None) -> dict[str, dict[int, float]]:
    """Maddison (2010) GDP per head (1990 GK$) by country code and year, from the package's copy
    (or from `path`, a file of the same form); lines starting with '#' are comments."""
    if path is None:
        text = resources.files("sovsim.claims").joinpath(DATA_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    out: dict[str, dict[int, float]] = {}
    for row in csv.DictReader(lines):
        if row.get("dataset", DATASET) != DATASET:
            continue  # a full shared file holds other releases: never mix them
        out.setdefault(row["country_code"], {})[int(row["year"])] = float(row["gdp_pc"])
    return out


def targets_for(blocs: Sequence[Bloc], data: Mapping[str, Mapping[int, float]]) -> Series:
    """The series each region is compared with: its bloc's Maddison code's figures."""
    out: Series = {}
    for bloc in blocs:
        for region, code in zip(bloc.regions, bloc.codes, strict=True):
            if code not in data:
                raise KeyError(f"no Maddison2010 series for {code} (region {region})")
            out[region] = dict(data[code])
    return out


# --- loss ----------------------------------------------------------------------------------

def region_errors(simulated: Mapping[str, Mapping[int, float]], targets: Series,
                  region: str, years: tuple[int, int]) -> np.ndarray:
    """Log errors ln(model) - ln(data) of one region in the years of the window with a figure
    (and a simulated value)."""
    first, last = years
    sim, data = simulated[region], targets[region]
    return np.array([math.log(sim[y]) - math.log(data[y]) for y in range(first, last + 1)
                     if y in data and y in sim and data[y] > 0 and sim[y] > 0])


def losses(simulated: Mapping[str, Mapping[int, float]], targets: Series,
           blocs: Sequence[Bloc], years: tuple[int, int]) -> dict[str, float]:
    """Mean squared log error per bloc and overall ('all': the mean over the blocs)."""
    out: dict[str, float] = {}
    for bloc in blocs:
        per_region = [float(np.mean(e ** 2)) for r in bloc.regions
                      if (e := region_errors(simulated, targets, r, years)).size]
        out[bloc.name] = float(np.mean(per_region)) if per_region else float("nan")
    out["all"] = float(np.mean([out[b.name] for b in blocs]))
    return out


def residuals(simulated: Mapping[str, Mapping[int, float]], targets: Series,
              blocs: Sequence[Bloc], years: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted log errors whose sum of squares is the overall loss, and the bloc index of each
    (for the Jacobian's sparsity). The layout (which region-years) depends only on the data."""
    values: list[float] = []
    owner: list[int] = []
    for b, bloc in enumerate(blocs):
        live = [r for r in bloc.regions if region_errors(targets, targets, r, years).size]
        for region in live:
            first, last = years
            data = targets[region]
            wanted = [y for y in range(first, last + 1) if y in data and data[y] > 0]
            weight = 1.0 / math.sqrt(len(blocs) * len(live) * len(wanted))
            sim = simulated[region]
            for y in wanted:
                # a region that collapsed to nothing gets a large finite error, not a crash
                x = sim.get(y, float("nan"))
                err = math.log(max(x, 1.0)) - math.log(data[y]) if x == x else 10.0
                values.append(weight * err)
                owner.append(b)
    return np.array(values), np.array(owner, dtype=np.int64)


# --- simulation ----------------------------------------------------------------------------

def annual_output_per_head(loaded: LoadedScenario, *, agents: int, seed: int,
                           end: int) -> dict[str, dict[int, float]]:
    """Run one seed to the end of `end` and return each region's output per head by year (the
    mean of the year's monthly values, as Maddison's annual GDP over mid-year population)."""
    from sovsim.engine.sim import Sim  # the engine is heavy; the loss functions do not need it

    sim = Sim(loaded, agents=agents, seed=seed, end=end)
    res = sim.run()
    y = res.regions["output_per_capita"]
    years = (sim.first_month + np.arange(sim.n_steps)) // 12
    out: dict[str, dict[int, float]] = {}
    for year in np.unique(years):
        mean = y[years == year].mean(axis=0)
        for r, name in enumerate(sim.geo.names):
            out.setdefault(name, {})[int(year)] = float(mean[r])
    return out


def _run_one(resolved: dict[str, Any], path: str, agents: int, seed: int,
             end: int) -> dict[str, dict[int, float]]:
    # in a worker process: rebuild the scenario from its resolved data (cheap to send)
    loaded = LoadedScenario(validate(resolved, path), path, resolved)
    return annual_output_per_head(loaded, agents=agents, seed=seed, end=end)


class Runner:
    """Runs a scenario for several seeds, in parallel processes where there are cores, and
    returns the geometric mean over the seeds of output per head by region and year."""

    def __init__(self, agents: int, seeds: Sequence[int], workers: int | None = None) -> None:
        self.agents = int(agents)
        self.seeds = tuple(int(s) for s in seeds)
        if workers is None:
            workers = min(len(self.seeds), os.cpu_count() or 1)
        self.pool = (ProcessPoolExecutor(workers, initializer=one_thread_per_process)
                     if workers > 1 else None)
        self.runs = 0

    def __call__(self, loaded: LoadedScenario, end: int) -> dict[str, dict[int, float]]:
        args = [(loaded.resolved, loaded.path, self.agents, s, end) for s in self.seeds]
        if self.pool is None:
            results = [_run_one(*a) for a in args]
        else:
            results = list(self.pool.map(_run_one, *zip(*args, strict=True)))
        self.runs += len(results)
        out: dict[str, dict[int, float]] = {}
        for region in results[0]:
            for year in results[0][region]:
                logs = [math.log(max(r[region][year], 1e-9)) for r in results]
                out.setdefault(region, {})[year] = math.exp(sum(logs) / len(logs))
        return out

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- parameters ----------------------------------------------------------------------------

def knob_values(loaded: LoadedScenario, bloc: Bloc, knobs: Sequence[Knob]) -> np.ndarray:
    """Each knob's current value in the scenario: the mean over the bloc's regions of each
    region's own value (or the shared default) of the knob's first name."""
    data = loaded.resolved
    out = []
    for knob in knobs:
        name = knob.names[0]
        shared = data.get(knob.table, {}).get(name, {}).get("value")
        vals = [data["regions"][r].get(knob.table, {}).get(name, {}).get("value", shared)
                for r in bloc.regions]
        if any(v is None for v in vals):
            raise KeyError(f"{knob.table}.{name} has no value in the scenario")
        out.append(float(np.mean(vals)))
    return np.array(out)


def with_values(loaded: LoadedScenario, blocs: Sequence[Bloc],
                knobs: Mapping[str, Sequence[Knob]], values: Mapping[str, Sequence[float]],
                provenance: Mapping[str, Any] | None = None) -> LoadedScenario:
    """The scenario with each bloc's knob values written into its regions' `[regions.X.pars]`
    and `[regions.X.policy]` tables, validated."""
    data = copy.deepcopy(loaded.resolved)
    note = dict(provenance or {"source": "calibration candidate"})
    for bloc in blocs:
        for knob, value in zip(knobs[bloc.name], values[bloc.name], strict=True):
            for region in bloc.regions:
                table = data["regions"][region].setdefault(knob.table, {})
                for name in knob.names:
                    table[name] = {"value": float(value), **note}
    return LoadedScenario(validate(data, loaded.path), loaded.path, data)


# --- calibration ---------------------------------------------------------------------------

class _BudgetSpentError(Exception):
    """The evaluation budget is spent: stop the optimiser, keep the best candidate seen."""


@dataclass
class Calibration:
    """What a calibration found: the values per bloc, the losses before and after, the cost."""

    blocs: tuple[Bloc, ...]
    knobs: dict[str, tuple[Knob, ...]]
    start: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    loss_start: dict[str, float]
    loss: dict[str, float]
    evaluations: int
    runs: int
    wall_s: float
    agents: int
    seeds: tuple[int, ...]
    years: tuple[int, int]
    history: list[float] = field(default_factory=list)

    def scenario(self, loaded: LoadedScenario,
                 provenance: Mapping[str, Any] | None = None) -> LoadedScenario:
        """The scenario with the calibrated values."""
        return with_values(loaded, self.blocs, self.knobs, self.values, provenance)


def calibrate(scenario: LoadedScenario | str | Path = "world1946", *,
              blocs: Sequence[Bloc] = WORLD1946_BLOCS,
              knobs: Mapping[str, Sequence[Knob]] | None = None,
              targets: Series | None = None,
              years: tuple[int, int] = FIT_YEARS,
              agents: int = DEFAULT_AGENTS,
              seeds: Sequence[int] = FIT_SEEDS,
              evaluations: int = DEFAULT_EVALUATIONS,
              workers: int | None = None,
              progress: Callable[[int, float, float], None] | None = None) -> Calibration:
    """Fit each bloc's knobs to the targets (default: Maddison 2010 for `blocs`) over `years`.

    Runs end at the end of `years[1]`. `evaluations` bounds the number of candidate worlds run
    (each once per seed); `progress(evaluation, loss, best)` is called after each.

    Two stages share the budget. (1) Least squares (trust-region reflective) with the
    block-sparse finite-difference Jacobian, stopped once its steps stall: it descends fast where
    the loss is smooth. (2) A compass search from the best point, which needs no derivatives and
    so copes with the agent model's steps and with couplings between blocs: knob k of every bloc
    is moved by +-step at once, each bloc keeps the move if its own loss fell, and the combined
    move is run again and kept only if the overall loss fell; the step halves when no move helps.
    Between the two, a bloc that least squares left worse than it started gets its starting
    values back where that does not raise the overall loss. The best candidate run is returned.
    """
    from scipy.optimize import least_squares  # optional at import: only calibration needs it

    loaded = scenario if isinstance(scenario, LoadedScenario) else load(scenario)
    blocs = tuple(blocs)
    knob_table = {b.name: tuple((knobs or BLOC_KNOBS)[b.name]) for b in blocs}
    if targets is None:
        targets = targets_for(blocs, maddison2010())
    missing = [r for b in blocs for r in b.regions if r not in loaded.model.regions]
    if missing:
        raise ValueError(f"regions {missing} of the blocs are not in scenario "
                         f"{loaded.name}")
    for knob in {k for ks in knob_table.values() for k in ks}:
        check_knob(knob)
    start = {b.name: knob_values(loaded, b, knob_table[b.name]) for b in blocs}
    low = np.concatenate([[k.low for k in knob_table[b.name]] for b in blocs])
    high = np.concatenate([[k.high for k in knob_table[b.name]] for b in blocs])
    sizes = [len(knob_table[b.name]) for b in blocs]
    column_bloc = np.repeat(np.arange(len(blocs)), sizes)
    column_rank = np.concatenate([np.arange(n) for n in sizes])  # knob k of its bloc
    owner = _row_blocs(targets, blocs, years)

    def decode(u: np.ndarray) -> dict[str, np.ndarray]:
        x = low + np.clip(u, 0.0, 1.0) * (high - low)
        parts = np.split(x, np.cumsum(sizes)[:-1])
        return {b.name: part for b, part in zip(blocs, parts, strict=True)}

    def bloc_losses(res: np.ndarray) -> np.ndarray:
        return np.array([res[owner == b] @ res[owner == b] for b in range(len(blocs))])

    x0 = np.concatenate([start[b.name] for b in blocs])
    u0 = np.clip((x0 - low) / (high - low), 0.0, 1.0)
    cache: dict[bytes, np.ndarray] = {}
    best: dict[str, Any] = {"loss": math.inf, "u": u0}
    history: list[float] = []
    t0 = time.perf_counter()
    runner = Runner(agents, seeds, workers)

    def fun(u: np.ndarray) -> np.ndarray:
        u = np.clip(u, 0.0, 1.0)
        key = np.round(u, 9).tobytes()
        if key in cache:
            return cache[key]
        if len(history) >= evaluations:
            raise _BudgetSpentError
        world = with_values(loaded, blocs, knob_table, decode(u))
        res, _ = residuals(runner(world, years[1]), targets, blocs, years)
        loss = float(res @ res)
        history.append(loss)
        if loss < best["loss"]:
            best.update(loss=loss, u=np.array(u, dtype=float))
        if progress is not None:
            progress(len(history), loss, best["loss"])
        cache[key] = res
        return res

    def compass(step: float, smallest: float) -> None:
        while step >= smallest:
            moved = False
            for k in range(max(sizes)):
                for sign in (1.0, -1.0):
                    here = best["u"]
                    before = bloc_losses(fun(here))
                    trial = here.copy()
                    trial[column_rank == k] += sign * step
                    trial = np.clip(trial, 0.0, 1.0)
                    if np.array_equal(trial, here):
                        continue
                    gained = bloc_losses(fun(trial)) < before
                    if gained.any() and not gained.all():
                        # keep the move only in the blocs it helped, and check the whole again
                        keep = gained[column_bloc] & (column_rank == k)
                        trial = np.where(keep, trial, here)
                        fun(trial)
                    if best["u"] is not here:
                        moved = True
                        break
            if not moved:
                step /= 2.0

    def restore_worsened() -> None:
        # least squares moves every bloc at once and may buy a gain in one bloc with a loss in
        # another (through the couplings); a bloc left worse than it started gets its starting
        # values back if the world as a whole does not lose by it
        start_losses = bloc_losses(fun(u0))
        for b in np.flatnonzero(bloc_losses(fun(best["u"])) > start_losses):
            fun(np.where(column_bloc == b, u0, best["u"]))

    try:
        fun(u0)  # the starting world: its loss is the first of the history
        sparsity = (owner[:, None] == column_bloc[None, :]).astype(int)
        with contextlib.suppress(_BudgetSpentError):
            least_squares(fun, u0, bounds=(0.0, 1.0), method="trf", jac="2-point",
                          jac_sparsity=sparsity, diff_step=DIFF_STEP, x_scale=1.0,
                          xtol=XTOL, ftol=FTOL, max_nfev=10 * evaluations)
            restore_worsened()
            compass(COMPASS_STEP, COMPASS_SMALLEST)
    finally:
        runner.close()
    fitted = decode(best["u"])
    loss_start = _losses_of(fun(u0), blocs, targets, years)
    loss_end = _losses_of(fun(best["u"]), blocs, targets, years)
    return Calibration(blocs, knob_table, start, fitted, loss_start, loss_end, len(history),
                       runner.runs, time.perf_counter() - t0, agents, tuple(seeds), years,
                       history)


def _row_blocs(targets: Series, blocs: Sequence[Bloc], years: tuple[int, int]) -> np.ndarray:
    """The bloc index of each residual (the layout depends on the data only)."""
    return residuals(targets, targets, blocs, years)[1]


def _losses_of(res: np.ndarray, blocs: Sequence[Bloc], targets: Series,
               years: tuple[int, int]) -> dict[str, float]:
    """Per-bloc and overall loss from a weighted residual vector."""
    owner = _row_blocs(targets, blocs, years)
    n = len(blocs)
    out = {b.name: float(n * (res[owner == i] @ res[owner == i])) for i, b in enumerate(blocs)}
    out["all"] = float(res @ res)
    return out


# --- the calibrated scenario ---------------------------------------------------------------

def provenance(cal: Calibration, bloc: str, date: str) -> str:
    """The source string of a calibrated number: fitted, when, how well and against what."""
    return (f"calibrated by sovsim calibrate on {date}: loss {cal.loss['all']:.4f} "
            f"(bloc {bloc} {cal.loss[bloc]:.4f}; mean squared log error of yearly output per "
            f"head, {cal.agents} agents, mean of seeds {', '.join(map(str, cal.seeds))}), "
            f"{DATASET} {cal.years[0]}-{cal.years[1]}")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def overlay_text(cal: Calibration, loaded: LoadedScenario, inherits: str, name: str,
                 date: str | None = None, notes: Sequence[str] = ()) -> str:
    """The overlay scenario file: it inherits the calibrated scenario and sets, in every region
    of every bloc, the bloc's calibrated values, each with its provenance."""
    date = date or dt.date.today().isoformat()
    horizon = loaded.model.scenario
    description = (f"{horizon.description} Growth parameters calibrated per bloc against "
                   f"{DATASET} output per head {cal.years[0]}-{cal.years[1]}.")
    lines = [
        f"# {name}.toml -- {loaded.name} with its growth parameters calibrated per bloc "
        f"against {DATASET} output per head {cal.years[0]}-{cal.years[1]}.",
        "#",
        "# Written by `sovsim calibrate` (sovsim.claims.calibrate); do not edit by hand, rerun it.",
        f"# Loss (mean squared log error, blocs weighted equally): {cal.loss_start['all']:.4f} "
        f"before, {cal.loss['all']:.4f} after; {cal.evaluations} candidate worlds, "
        f"{cal.runs} runs of {cal.agents} agents, {cal.wall_s:.0f} s.",
        "# Tied knobs: g0_industry sets g0_heavy and g0_light to one value. Every region of a bloc",
        "# gets its bloc's values; everything else is inherited unchanged.",
        *[f"# {note}" for note in notes],
        "",
        "[scenario]",
        f"name = {_toml_string(name)}",
        f"description = {_toml_string(description)}",
        f'start = "{horizon.start}"',
        f'end = "{horizon.end}"',
        f"inherits = {_toml_string(inherits)}",
    ]
    for bloc in cal.blocs:
        source = provenance(cal, bloc.name, date)
        knobs = cal.knobs[bloc.name]
        start = ", ".join(f"{k.label} {v:.4g}" for k, v in
                          zip(knobs, cal.start[bloc.name], strict=True))
        lines += ["", "# " + "=" * 93,
                  f"# Bloc {bloc.name}: {bloc.label or ', '.join(bloc.regions)}; compared with "
                  f"{DATASET} {', '.join(bloc.codes)}.",
                  f"# Before: {start}. Loss {cal.loss_start[bloc.name]:.4f} -> "
                  f"{cal.loss[bloc.name]:.4f}.",
                  "# " + "=" * 93]
        for region in bloc.regions:
            for table in ("pars", "policy"):
                entries = [(name, k, v) for k, v in zip(knobs, cal.values[bloc.name], strict=True)
                           if k.table == table for name in k.names]
                if not entries:
                    continue
                lines += ["", f"[regions.{region}.{table}]"]
                for par, knob, value in entries:
                    unit = f'unit = "{knob.unit}", ' if knob.unit != "1" else ""
                    lines.append(f"{par} = {{ value = {_round(value)}, {unit}"
                                 f"source = {_toml_string(source)} }}")
        lines.append("")
    return "\n".join(lines)


def _round(value: float) -> str:
    # five significant digits: far below what the fit can tell apart, and a readable file
    return f"{float(f'{value:.5g}'):.10g}"


# --- errors in and out of sample -----------------------------------------------------------

@dataclass
class Errors:
    """Root mean square log errors of output per head per bloc and overall ('all'), in the fit
    window and after it, of one scenario over the report seeds."""

    scenario: str
    fit: dict[str, float]
    test: dict[str, float]
    series: dict[str, dict[int, float]]


def errors(loaded: LoadedScenario, runner: Runner, *, blocs: Sequence[Bloc] = WORLD1946_BLOCS,
           targets: Series | None = None, fit: tuple[int, int] = FIT_YEARS,
           test: tuple[int, int] = TEST_YEARS) -> Errors:
    """Run the scenario to the end of the test window once per seed of `runner` and score it
    on both windows (RMSLE = the square root of the loss)."""
    if targets is None:
        targets = targets_for(blocs, maddison2010())
    simulated = runner(loaded, test[1])
    in_sample = losses(simulated, targets, blocs, fit)
    out_sample = losses(simulated, targets, blocs, test)
    return Errors(loaded.name, {k: math.sqrt(v) for k, v in in_sample.items()},
                  {k: math.sqrt(v) for k, v in out_sample.items()}, simulated)


def error_table(before: Errors, after: Errors, blocs: Sequence[Bloc],
                fit: tuple[int, int] = FIT_YEARS, test: tuple[int, int] = TEST_YEARS) -> str:
    """A Markdown table of the RMSLE per bloc and overall, uncalibrated against calibrated."""
    head = (f"| bloc | in-sample {fit[0]}-{fit[1]}, uncalibrated | in-sample, calibrated | "
            f"out-of-sample {test[0]}-{test[1]}, uncalibrated | out-of-sample, calibrated |")
    rows = [head, "|---|---:|---:|---:|---:|"]
    for key in [b.name for b in blocs] + ["all"]:
        label = "overall" if key == "all" else key
        rows.append(f"| {label} | {before.fit[key]:.3f} | {after.fit[key]:.3f} | "
                    f"{before.test[key]:.3f} | {after.test[key]:.3f} |")
    return "\n".join(rows)


def region_table(before: Errors, after: Errors, targets: Series, blocs: Sequence[Bloc],
                 years: Sequence[int] = (1950, 1960, 1970, 1980, 1989)) -> str:
    """A Markdown table of output per head, data against the uncalibrated and calibrated runs."""
    rows = ["| region | " + " | ".join(f"{y} data / uncal. / cal." for y in years) + " |",
            "|---|" + "---:|" * len(years)]
    for bloc in blocs:
        for region in bloc.regions:
            cells = []
            for y in years:
                data = targets[region].get(y)
                shown = f"{data:,.0f}" if data else "-"
                cells.append(f"{shown} / {before.series[region][y]:,.0f} / "
                             f"{after.series[region][y]:,.0f}")
            rows.append(f"| {region} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


# --- the command ---------------------------------------------------------------------------

@dataclass
class CalibrationReport:
    """Everything `sovsim calibrate` found and wrote."""

    calibration: Calibration
    overlay: Path
    before: Errors
    after: Errors
    markdown: str
    wall_s: float


def calibration_command(scenario: str = "world1946", out: Path | None = None, *,
                        agents: int = DEFAULT_AGENTS, seeds: Sequence[int] = FIT_SEEDS,
                        report_seeds: Sequence[int] = REPORT_SEEDS,
                        evaluations: int = DEFAULT_EVALUATIONS,
                        fit: tuple[int, int] = FIT_YEARS, test: tuple[int, int] = TEST_YEARS,
                        workers: int | None = None,
                        say: Callable[[str], None] = print) -> CalibrationReport:
    """`sovsim calibrate`: fit the growth parameters per bloc on `fit`, write the overlay
    scenario to `out` (default ./<scenario>_calibrated.toml), then report the RMSLE of the
    uncalibrated and the calibrated scenario in and out of sample, on `report_seeds`."""
    t0 = time.perf_counter()
    loaded = load(scenario)
    blocs = WORLD1946_BLOCS
    targets = targets_for(blocs, maddison2010())
    name = f"{loaded.name}_calibrated"
    out = Path(out) if out is not None else Path(f"{name}.toml")
    builtin = Path(scenario).suffix != ".toml"
    inherits = scenario if builtin else os.path.relpath(Path(scenario).resolve(),
                                                        out.resolve().parent)

    def progress(i: int, loss: float, best: float) -> None:
        say(f"candidate {i:3d}/{evaluations}: loss {loss:.4f}, best {best:.4f} "
            f"({time.perf_counter() - t0:.0f} s)")

    say(f"calibrating {loaded.name} on {DATASET} {fit[0]}-{fit[1]}: {agents} agents, seeds "
        f"{list(seeds)}, at most {evaluations} candidate worlds")
    cal = calibrate(loaded, blocs=blocs, targets=targets, years=fit, agents=agents,
                    seeds=seeds, evaluations=evaluations, workers=workers, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(overlay_text(cal, loaded, inherits, name), encoding="utf-8")
    say(f"wrote {out}")
    say("calibrated values:\n" + values_table(cal))
    before, after, markdown = compare(loaded, out, agents=agents, seeds=report_seeds,
                                      fit_seeds=seeds, fit=fit, test=test, workers=workers)
    wall = time.perf_counter() - t0
    say(markdown)
    say(f"calibration {cal.wall_s:.0f} s; with the report runs {wall:.0f} s")
    return CalibrationReport(cal, out, before, after, markdown, wall)


def compare(uncalibrated: LoadedScenario | str | Path, calibrated: LoadedScenario | str | Path,
            *, agents: int = DEFAULT_AGENTS, seeds: Sequence[int] = REPORT_SEEDS,
            fit_seeds: Sequence[int] = FIT_SEEDS, fit: tuple[int, int] = FIT_YEARS,
            test: tuple[int, int] = TEST_YEARS, workers: int | None = None,
            blocs: Sequence[Bloc] = WORLD1946_BLOCS) -> tuple[Errors, Errors, str]:
    """Errors in and out of sample of both scenarios on `seeds`, and the Markdown report.

    Pass the calibrated scenario as its file, so that what is scored is what was written
    (values rounded as in the file), not what the optimiser held in memory."""
    before_world = uncalibrated if isinstance(uncalibrated, LoadedScenario) \
        else load(uncalibrated)
    after_world = calibrated if isinstance(calibrated, LoadedScenario) else load(calibrated)
    targets = targets_for(blocs, maddison2010())
    with Runner(agents, seeds, workers) as runner:
        before = errors(before_world, runner, blocs=blocs, targets=targets, fit=fit, test=test)
        after = errors(after_world, runner, blocs=blocs, targets=targets, fit=fit, test=test)
    markdown = "\n\n".join([
        "Root mean square log error of yearly output per head against "
        f"{DATASET} (blocs weighted equally in 'overall'), {agents} agents, geometric mean of "
        f"seeds {', '.join(map(str, seeds))} (not the fit's seeds "
        f"{', '.join(map(str, fit_seeds))}):",
        error_table(before, after, blocs, fit, test),
        "Output per head (1990 GK$), data / uncalibrated / calibrated:",
        region_table(before, after, targets, blocs),
    ])
    return before, after, markdown


def values_table(cal: Calibration) -> str:
    """A Markdown table of each bloc's knobs: start value, calibrated value, bounds."""
    rows = ["| bloc | knob | sets | before | calibrated | bounds |",
            "|---|---|---|---:|---:|---|"]
    for bloc in cal.blocs:
        for knob, v0, v in zip(cal.knobs[bloc.name], cal.start[bloc.name],
                               cal.values[bloc.name], strict=True):
            rows.append(f"| {bloc.name} | {knob.label} | {knob.table}: {', '.join(knob.names)} "
                        f"| {v0:.4g} | {v:.4g} | [{knob.low:g}, {knob.high:g}] |")
    return "\n".join(rows)
