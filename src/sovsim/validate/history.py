"""`sovsim history`: the scorecard of a world against the history of 1946-1989.

Pattern-oriented validation (Grimm et al. 2005, Science 310:987): a model is judged on several
patterns at different levels at once, with one parameter set. The patterns are those of the
project's HISTORY.md, E1-E8 (economy and population) and P1-P5 (politics); each is a function
in `PATTERNS` that reads the seeds' series and returns one `Row` (id, what, data, model with the
seeds' range, tolerance, pass). The E-rows read yearly series; the P-rows read each run's monthly
series of action, authority, controller, course and tendency (`Trajectory.monthly`; the measures
are in `validate.history_politics`), compute their statistic on each seed alone and take its
median over seeds.

Over seeds, output per head is summarised by its geometric mean (growth is multiplicative, as in
the calibration's loss), every other series by its median; a row's range is the spread of the
row's statistic computed on each seed alone.

The runs are either made here (`run_seeds`: the default world, or a scenario file, over seeds)
or read from run folders written by `sovsim run` (`from_folder`). The scorecard is written as a
`history/` folder: meta.json ("kind": "history"), rows.parquet (the table printed) and
series.parquet (every region's output per head, population and wage share, data against the
model's band over seeds) and politics.parquet (each run's monthly share in left and right
action, authority and controller per region and the USSR's course), which `sovsim report` draws.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from sovsim.validate import history_data as hd
from sovsim.validate import history_politics as hp

FIT_YEARS = (1946, 1970)   # the calibration window (in sample)
TEST_YEARS = (1971, 1989)  # out of sample
END_YEAR = TEST_YEARS[1]
RUN_END = hp.ZIGZAG_YEARS[1]  # runs go on to 1991 for P4's reversals 1953-1991
DEFAULT_SEEDS = 4
DEFAULT_AGENTS = 20_000
HISTORY_KIND = "history"

# Blocs of the output-per-head error, as the calibration's (equal weights within and across).
BLOCS: dict[str, tuple[str, ...]] = {
    "USSR": ("USSR",),
    "buffer": ("Poland", "Czechoslovakia", "Hungary", "Romania", "Bulgaria", "Germany_East"),
    "western": ("USA", "UK", "France", "Netherlands", "Germany_West", "Italy"),
    "colonies": ("India", "Indochina", "Indonesia"),
}
# Market regions of Kaldor's facts (E6) and the catch-up (E3) and Golden Age (E4) patterns: the
# imperialist powers with West Germany and Italy, the economies whose wage share the data give.
WESTERN = BLOCS["western"]
CATCH_UP = ("USA", "UK", "Netherlands", "France", "Germany_West", "Italy")

# Yearly series kept per seed: name -> how twelve months make a year.
MEAN_VARIABLES = ("output_per_capita", "population", "wage_share", "collective_share",
                  "investment", "output_heavy", "output_light", "output_agri",
                  "capital_state", "capital_private", "capital_foreign", "capital_landlord",
                  "capital_small", "capital_collective", "authority", "controller")
SUM_VARIABLES = ("births", "deaths_natural", "deaths_war")
SERIES_DRAWN = ("output_per_capita", "population", "wage_share")
# Monthly series kept per seed for the politics rows (P1-P5) and the report's politics charts.
MONTHLY_VARIABLES = ("active_left", "active_right", "authority", "controller", "course",
                     "proletarian", "population", "deaths_war")


class HistoryError(ValueError):
    """Bad input to `sovsim history`: a folder that is not a run, a run without the years."""


# --- the seeds' yearly series ------------------------------------------------------------------

@dataclass
class Trajectory:
    """One run's yearly series: `series[name]` is (years, regions); and its monthly series of
    MONTHLY_VARIABLES: `monthly[name]` is (months, regions), `months` the month indices (months
    since year 0)."""

    label: str
    years: np.ndarray
    regions: list[str]
    series: dict[str, np.ndarray]
    months: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    monthly: dict[str, np.ndarray] = field(default_factory=dict)

    def month_series(self, name: str) -> np.ndarray:
        if name not in self.monthly:
            raise HistoryError(f"{self.label}: no monthly `{name}` (the politics rows need "
                               f"{', '.join(MONTHLY_VARIABLES)})")
        return self.monthly[name]

    def get(self, name: str, region: str) -> np.ndarray:
        return self.series[name][:, self.regions.index(region)]

    def at(self, name: str, region: str, year: int) -> float:
        hit = np.flatnonzero(self.years == year)
        return float(self.get(name, region)[hit[0]]) if hit.size else math.nan

    def output(self) -> np.ndarray:
        return (self.series["output_heavy"] + self.series["output_light"]
                + self.series["output_agri"])

    def capital(self) -> np.ndarray:
        return sum(self.series[f"capital_{o}"] for o in
                   ("state", "private", "foreign", "landlord", "small", "collective"))


def yearly(months: Sequence[int] | np.ndarray, monthly: dict[str, np.ndarray]
           ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Monthly (steps, regions) arrays into years: means of stocks and rates, sums of the
    monthly counts (births, deaths). Only whole years are kept."""
    months = np.asarray(months)
    years_of = months // 12
    years = np.array([y for y in np.unique(years_of) if (years_of == y).sum() == 12])
    out: dict[str, np.ndarray] = {}
    for name, arr in monthly.items():
        rows = []
        for y in years:
            block = arr[years_of == y]
            rows.append(block.sum(axis=0) if name in SUM_VARIABLES else block.mean(axis=0))
        out[name] = np.array(rows) if rows else np.zeros((0, arr.shape[1]))
    return years, out


def from_results(label: str, results: object, regions: list[str], first_month: int,
                 first_step: int = 0) -> Trajectory:
    """A finished Sim's results (engine.results.Results) as a Trajectory."""
    regs = results.regions  # type: ignore[attr-defined]
    n = next(iter(regs.values())).shape[0]
    monthly = {name: regs[name][first_step:] for name in MEAN_VARIABLES + SUM_VARIABLES}
    months = first_month + np.arange(first_step, n)
    years, series = yearly(months, monthly)
    politics = {name: np.array(regs[name][first_step:], dtype=float)
                for name in MONTHLY_VARIABLES}
    return Trajectory(label, years, list(regions), series, months, politics)


def from_folder(folder: Path) -> Trajectory:
    """A run folder written by `sovsim run` as a Trajectory; HistoryError if it is not one."""
    from sovsim.io import folders
    from sovsim.io import report_data as rd

    folder = Path(folder)
    try:
        folders.require(folder, "run")
    except folders.FolderError as exc:
        raise HistoryError(str(exc)) from None
    meta = json.loads((folder / "meta.json").read_text())
    table = rd.read(folder, "regions")
    if table is None:
        raise HistoryError(f"{folder}: a sovsim folder without a regions table; give run "
                           "folders written by sovsim run")
    regions = [str(r) for r in meta.get("regions", [])]
    dates = rd.column(table, "date")
    months = np.array([int(d[:4]) * 12 + int(d[5:7]) - 1 for d in dates])
    steps = np.unique(months)
    index = {m: i for i, m in enumerate(steps)}
    region = rd.column(table, "region")
    variable = rd.column(table, "variable")
    value = rd.column(table, "value")
    col = {r: i for i, r in enumerate(regions)}
    monthly: dict[str, np.ndarray] = {}
    for name in dict.fromkeys(MEAN_VARIABLES + SUM_VARIABLES + MONTHLY_VARIABLES):
        pick = variable == name
        if not pick.any():
            raise HistoryError(f"{folder}: the regions table has no `{name}`")
        arr = np.full((len(steps), len(regions)), np.nan)
        rows = np.array([index[m] for m in months[pick]])
        cols = np.array([col.get(r, -1) for r in region[pick]])
        ok = cols >= 0
        arr[rows[ok], cols[ok]] = value[pick][ok]
        monthly[name] = arr
    years, series = yearly(steps, {k: monthly[k] for k in MEAN_VARIABLES + SUM_VARIABLES})
    label = f"{meta.get('scenario', folder.name)} s{meta.get('seed', '?')}"
    return Trajectory(label, years, regions, series, steps,
                      {k: monthly[k] for k in MONTHLY_VARIABLES})


def _run_one(resolved: dict, path: str, agents: int, seed: int, end: int) -> Trajectory:
    # in a worker process: rebuild the scenario from its resolved data (cheap to send)
    from sovsim.engine.sim import Sim
    from sovsim.world.loading import LoadedScenario, validate

    loaded = LoadedScenario(validate(resolved, path), path, resolved)
    sim = Sim(loaded, agents=agents, seed=seed, end=end)
    sim.run()
    return from_results(f"{loaded.name} s{seed}", sim.results, sim.geo.names,
                        sim.first_month, sim.record_from)


def run_seeds(scenario: str | Path = "world1946", *, seeds: Sequence[int] = (0, 1, 2, 3),
              agents: int = DEFAULT_AGENTS, workers: int = 1, end: int = RUN_END,
              done: Callable[[Trajectory], None] | None = None) -> list[Trajectory]:
    """Run a scenario once per seed to the end of `end`; in `workers` processes when > 1.
    Runs go to the project's one process pool (sovsim.engine.pool)."""
    from sovsim.engine.pool import Task, run_tasks
    from sovsim.world.loading import load

    loaded = load(scenario)
    args = [(loaded.resolved, loaded.path, int(agents), int(s), int(end)) for s in seeds]
    got: dict[int, Trajectory] = {}

    def finished(key: int, traj: Trajectory) -> None:
        got[key] = traj
        if done is not None:
            done(traj)

    failures = run_tasks([Task(i, _run_one, a) for i, a in enumerate(args)],
                         workers=max(1, min(workers, len(args))), on_result=finished)
    if failures:
        raise RuntimeError(f"{len(failures)} run(s) failed: {failures[0].why}")
    return [got[i] for i in range(len(args))]


# --- over seeds -------------------------------------------------------------------------------

@dataclass
class Ensemble:
    """The seeds' trajectories on common years and regions, and their summaries."""

    runs: list[Trajectory]
    years: np.ndarray = field(init=False)
    regions: list[str] = field(init=False)

    def __post_init__(self) -> None:
        if not self.runs:
            raise HistoryError("no runs to score")
        self.regions = list(self.runs[0].regions)
        for t in self.runs[1:]:
            if t.regions != self.regions:
                raise HistoryError(f"{t.label}: its regions differ from {self.runs[0].label}'s; "
                                   "runs of one world only")
        common = set(self.runs[0].years.tolist())
        for t in self.runs[1:]:
            common &= set(t.years.tolist())
        self.years = np.array(sorted(common), dtype=int)
        for t in self.runs:
            keep = np.isin(t.years, self.years)
            t.years = t.years[keep]
            t.series = {k: v[keep] for k, v in t.series.items()}

    def stack(self, fn: Callable[[Trajectory], np.ndarray]) -> np.ndarray:
        return np.stack([fn(t) for t in self.runs])

    def summary(self, name: str) -> Trajectory:
        """One trajectory: geometric mean of output per head over seeds, median of the rest."""
        series = {}
        for key in self.runs[0].series:
            arr = self.stack(lambda t, k=key: t.series[k])
            if key == "output_per_capita":
                with np.errstate(divide="ignore"):
                    series[key] = np.exp(np.log(np.maximum(arr, 1e-9)).mean(axis=0))
            else:
                series[key] = np.median(arr, axis=0)
        return Trajectory(name, self.years.copy(), list(self.regions), series)


# --- rows ------------------------------------------------------------------------------------

@dataclass
class Row:
    """One pattern of the scorecard. `value` is the row's statistic on the seeds' summary,
    `low`/`high` its range over the seeds taken one by one."""

    id: str
    what: str
    data: str
    model: str
    tolerance: str
    passed: bool
    value: float
    low: float
    high: float


def _rng(values: Sequence[float], digits: int = 2) -> str:
    vals = [v for v in values if math.isfinite(v)]
    if not vals:
        return "n/a"
    return f"{min(vals):.{digits}f}..{max(vals):.{digits}f}"


def growth(t: Trajectory, region: str, y0: int, y1: int) -> float:
    """Mean yearly growth of output per head from y0 to y1, %/yr (log)."""
    a, b = t.at("output_per_capita", region, y0), t.at("output_per_capita", region, y1)
    if not (a > 0 and b > 0):
        return math.nan
    return 100.0 * math.log(b / a) / (y1 - y0)


def data_growth(region: str, y0: int, y1: int) -> float:
    d = hd.output_per_head(region)
    return 100.0 * math.log(d[y1] / d[y0]) / (y1 - y0)


def bloc_rmsle(series: Callable[[str], dict[int, float]], years: tuple[int, int]
               ) -> dict[str, float]:
    """RMSLE of output per head against Maddison per bloc and overall ('all'), as the
    calibration's loss: mean square log error over each region's years with a figure, the mean
    over a bloc's regions, then over the blocs."""
    out: dict[str, float] = {}
    for bloc, regions in BLOCS.items():
        per_region = []
        for region in regions:
            data, model = hd.output_per_head(region), series(region)
            errs = [math.log(model[y]) - math.log(data[y])
                    for y in range(years[0], years[1] + 1)
                    if y in data and model.get(y, math.nan) > 0]
            missing = [y for y in range(years[0], years[1] + 1)
                       if y in data and not model.get(y, math.nan) > 0]
            if missing:
                return {b: math.nan for b in [*BLOCS, "all"]}
            if errs:
                per_region.append(float(np.mean(np.square(errs))))
        out[bloc] = float(np.mean(per_region)) if per_region else math.nan
    out["all"] = float(np.mean([out[b] for b in BLOCS]))
    return {k: math.sqrt(v) for k, v in out.items()}


def model_series(t: Trajectory) -> Callable[[str], dict[int, float]]:
    def series(region: str) -> dict[int, float]:
        return {int(y): float(v) for y, v in zip(t.years, t.get("output_per_capita", region),
                                                  strict=True)}
    return series


def naive_forecast(region: str, base: tuple[int, int] = (1951, 1970)) -> dict[int, float]:
    """Each region's 1951-1970 trend carried on from 1970 (HISTORY.md E1's benchmark)."""
    d = hd.output_per_head(region)
    g = math.log(d[base[1]] / d[base[0]]) / (base[1] - base[0])
    return {y: d[base[1]] * math.exp(g * (y - base[1])) for y in range(1946, END_YEAR + 1)}


def naive_rmsle() -> dict[str, float]:
    return bloc_rmsle(naive_forecast, TEST_YEARS)


def e1(ens: Ensemble, summary: Trajectory) -> Row:
    naive = naive_rmsle()
    model = bloc_rmsle(model_series(summary), TEST_YEARS)
    seeds = [bloc_rmsle(model_series(t), TEST_YEARS)["all"] for t in ens.runs]
    blocs_ok = all(model[b] < naive[b] for b in BLOCS)
    passed = blocs_ok and model["all"] <= 0.15
    per_bloc = ", ".join(f"{b} {model[b]:.3f}" for b in BLOCS)
    return Row("E1", "output per head out of sample 1971-1989 (RMSLE)",
               "naive trend forecast: " + ", ".join(f"{b} {naive[b]:.3f}" for b in BLOCS)
               + f", overall {naive['all']:.3f}",
               f"overall {model['all']:.3f} ({_rng(seeds, 3)}); {per_bloc}",
               "every bloc below its naive forecast; overall <= 0.15",
               passed, model["all"], min(seeds), max(seeds))


def e2(ens: Ensemble, summary: Trajectory) -> Row:
    model = bloc_rmsle(model_series(summary), FIT_YEARS)
    seeds = [bloc_rmsle(model_series(t), FIT_YEARS)["all"] for t in ens.runs]
    per_bloc = ", ".join(f"{b} {model[b]:.3f}" for b in BLOCS)
    return Row("E2", "output per head in sample 1946-1970 (RMSLE)",
               "Maddison 2010",
               f"overall {model['all']:.3f} ({_rng(seeds, 3)}); {per_bloc}",
               "overall <= 0.12 (values at a bound: see sovsim calibrate's table, not "
               "scored here)",
               bool(model["all"] <= 0.12), model["all"], min(seeds), max(seeds))


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (no ties expected in these series)."""
    rx = np.argsort(np.argsort(x)).astype(float)
    ry = np.argsort(np.argsort(y)).astype(float)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


def catch_up_rho(t: Trajectory | None) -> float:
    """rho(1950 level, 1950-73 growth) over the catch-up regions (t None: the data)."""
    if t is None:
        level = [hd.output_per_head(r)[1950] for r in CATCH_UP]
        grow = [data_growth(r, 1950, 1973) for r in CATCH_UP]
    else:
        level = [t.at("output_per_capita", r, 1950) for r in CATCH_UP]
        grow = [growth(t, r, 1950, 1973) for r in CATCH_UP]
    return spearman(level, grow)


def e3(ens: Ensemble, summary: Trajectory) -> Row:
    rho = catch_up_rho(summary)
    seeds = [catch_up_rho(t) for t in ens.runs]
    return Row("E3", "catch-up: the poorer western economies of 1950 grow fastest to 1973",
               f"Spearman rho(1950 level, 1950-73 growth) = {catch_up_rho(None):.2f} over "
               + ", ".join(CATCH_UP),
               f"rho {rho:.2f} ({_rng(seeds)})", "rho <= -0.6", bool(rho <= -0.6), rho,
               min(seeds), max(seeds))


GOLDEN_AGE = ((1950, 1973), (1973, 1989))


def golden_age_gap(t: Trajectory) -> tuple[float, str]:
    """Largest |model - data| growth gap (points) over western regions and both periods."""
    worst, where = -1.0, ""
    for r in WESTERN:
        for y0, y1 in GOLDEN_AGE:
            gap = abs(growth(t, r, y0, y1) - data_growth(r, y0, y1))
            if not math.isfinite(gap):
                return math.inf, f"{r} {y0}-{y1} missing"
            if gap > worst:
                worst, where = gap, f"{r} {y0}-{y1}"
    return worst, where


def e4(ens: Ensemble, summary: Trajectory) -> Row:
    gap, where = golden_age_gap(summary)
    seeds = [golden_age_gap(t)[0] for t in ens.runs]
    model = "; ".join(f"{r} {growth(summary, r, *GOLDEN_AGE[0]):.1f}/"
                      f"{growth(summary, r, *GOLDEN_AGE[1]):.1f}" for r in WESTERN)
    data = "; ".join(f"{r} {data_growth(r, *GOLDEN_AGE[0]):.2f}/"
                     f"{data_growth(r, *GOLDEN_AGE[1]):.2f}" for r in WESTERN)
    return Row("E4", "Golden Age and its end: western growth 1950-73 / 1973-89 (%/yr)", data,
               f"{model}; worst gap {gap:.1f} points ({where}; seeds {_rng(seeds, 1)})",
               "each period within 1 point of the data per region", bool(gap <= 1.0), gap,
               min(seeds), max(seeds))


def investment_share(t: Trajectory, region: str, y0: int, y1: int) -> float:
    """Mean of investment / output over the years y0..y1."""
    pick = (t.years >= y0) & (t.years <= y1)
    r = t.regions.index(region)
    out = t.output()[pick, r]
    inv = t.series["investment"][pick, r]
    return float(np.mean(inv / np.maximum(out, 1e-12))) if pick.any() else math.nan


def ussr_slowdown(t: Trajectory) -> tuple[float, float, float]:
    """(growth ratio 1970-89 / 1950-70, investment share 1950-59, investment share 1980-89)."""
    g0, g1 = growth(t, "USSR", 1950, 1970), growth(t, "USSR", 1970, 1989)
    ratio = g1 / g0 if g0 > 0 else math.inf
    return ratio, investment_share(t, "USSR", 1950, 1959), investment_share(t, "USSR", 1980, 1989)


def e5(ens: Ensemble, summary: Trajectory) -> Row:
    ratio, i0, i1 = ussr_slowdown(summary)
    seeds = [ussr_slowdown(t)[0] for t in ens.runs]
    d0, d1 = data_growth("USSR", 1950, 1970), data_growth("USSR", 1970, 1989)
    g0, g1 = growth(summary, "USSR", 1950, 1970), growth(summary, "USSR", 1970, 1989)
    return Row("E5", "the limit of extensive growth: USSR growth 1970-89 / 1950-70",
               f"USSR {d1:.2f} / {d0:.2f} %/yr = {d1 / d0:.2f}",
               f"{g1:.2f} / {g0:.2f} = {ratio:.2f} ({_rng(seeds)}); investment share "
               f"1950s {i0:.2f} -> 1980s {i1:.2f}",
               "ratio <= 0.5 with the investment share rising",
               bool(ratio <= 0.5 and i1 > i0), ratio, min(seeds), max(seeds))


def kaldor(t: Trajectory) -> tuple[float, float, float]:
    """(lowest, highest wage share, largest |K/Y change| from 1950) of the western regions
    over 1950-1989."""
    pick = (t.years >= 1950) & (t.years <= END_YEAR)
    if not pick.any() or 1950 not in t.years:
        return math.nan, math.nan, math.inf
    cols = [t.regions.index(r) for r in WESTERN]
    ws = t.series["wage_share"][pick][:, cols]
    ky = (t.capital() / np.maximum(t.output(), 1e-12))[:, cols]
    base = ky[np.flatnonzero(t.years == 1950)[0]]
    drift = np.abs(ky[pick] / base - 1.0)
    return float(ws.min()), float(ws.max()), float(drift.max())


def e6(ens: Ensemble, summary: Trajectory) -> Row:
    lo, hi, drift = kaldor(summary)
    seeds = [kaldor(t)[0] for t in ens.runs]
    return Row("E6", "Kaldor's facts: wage share and K/Y of market (western) regions, 1950-89",
               "wage share 0.6-0.7 in the USA and western Europe, no trend",
               f"wage share {lo:.2f}..{hi:.2f} (lowest by seed {_rng(seeds)}); largest K/Y "
               f"change from 1950 {100 * drift:.0f}%",
               "every year in [0.5, 0.8]; K/Y within +-30% of 1950",
               bool(lo >= 0.5 and hi <= 0.8 and drift <= 0.3), lo, min(seeds), max(seeds))


def population_errors(t: Trajectory, year: int = END_YEAR) -> dict[str, float]:
    """Relative error of each population group in `year`."""
    out = {}
    for g in hd.POPULATION_GROUPS:
        model = sum(t.at("population", r, year) for r in g.regions)
        data = hd.group_population(g, year)
        out[g.label] = model / data - 1.0
    return out


def birth_rate(t: Trajectory, region: str, y0: int, y1: int) -> float:
    """Crude birth rate per 1000 over the years y0..y1."""
    pick = (t.years >= y0) & (t.years <= y1)
    r = t.regions.index(region)
    pop = t.series["population"][pick, r]
    return float(1000.0 * t.series["births"][pick, r].sum() / max(pop.sum(), 1e-12))


def transition_misses(t: Trajectory) -> list[str]:
    """Regions whose WPP crude birth rate fell by more than 5 per 1000 from 1950-54 to
    1985-89 while the model's did not fall."""
    out = []
    for region in hd.WPP_LOCATIONS:
        if region not in t.regions:
            continue
        before, after = hd.region_rates(region, 1950)[0], hd.region_rates(region, 1985)[0]
        if after < before - 5.0 and not (birth_rate(t, region, 1985, 1989)
                                         < birth_rate(t, region, 1950, 1954)):
            out.append(region)
    return out


def e7(ens: Ensemble, summary: Trajectory) -> Row:
    errs = population_errors(summary)
    worst = max(errs, key=lambda k: abs(errs[k]))
    seeds = [max(abs(v) for v in population_errors(t).values()) for t in ens.runs]
    misses = transition_misses(summary)
    value = abs(errs[worst])
    off = [f"{k} {100 * v:+.0f}%" for k, v in errs.items() if abs(v) > 0.10]
    return Row("E7", "population 1989 by region; birth rates falling with income",
               "Maddison 2010 population 1989 (British India = IND+PAK+BGD; the two Germanies "
               "= DEU); WPP 2019 crude birth rates 1950-55 -> 1985-90",
               f"worst {worst} {100 * errs[worst]:+.0f}% (seeds {_rng(seeds)}); beyond 10%: "
               f"{', '.join(off) or 'none'}; birth rate not falling where WPP's did: "
               f"{', '.join(misses) or 'none'}",
               "every region within 10% in 1989; the birth rate falls wherever WPP's fell by "
               "more than 5 per 1000",
               bool(value <= 0.10 and not misses), value, min(seeds), max(seeds))


def collective_floor(t: Trajectory) -> float:
    """Lowest USSR collective share of capital 1946-1989, up to the first year of a war on
    its soil or a change of its authority (which may overturn property)."""
    r = t.regions.index("USSR")
    pick = t.years <= END_YEAR
    share = t.series["collective_share"][pick, r]
    auth = t.series["authority"][pick, r]
    war = t.series["deaths_war"][pick, r]
    broken = (np.abs(auth - auth[0]) > 1e-9) | (war > 0)
    stop = int(np.argmax(broken)) if broken.any() else len(share)
    return float(share[:stop].min()) if stop > 0 else math.nan


def e8(ens: Ensemble, summary: Trajectory) -> Row:
    seeds = [collective_floor(t) for t in ens.runs]
    value = float(np.median(seeds))
    r = summary.regions.index("USSR")
    private = summary.series["capital_private"][:, r]
    at = {y: private[np.flatnonzero(summary.years == y)[0]] / 1e9
          for y in (1946, 1970, 1989) if y in summary.years}
    return Row("E8", "collective property holds in the USSR (seed ¶11)",
               "socialist sector 98.7% of productive fixed funds in 1936 (SI56); no private "
               "industry after",
               f"lowest collective share {value:.2f} (seeds {_rng(seeds)}); private capital "
               + ", ".join(f"{y} {v:,.0f}" for y, v in at.items()) + " bn GK$",
               ">= 0.9 every year 1946-1989 unless a war or a change of authority",
               bool(value >= 0.9), value, min(seeds), max(seeds))


# --- politics (P1-P5): a statistic per seed from the monthly series, its median over seeds ---

def shares(t: Trajectory) -> np.ndarray:
    """(months, regions) share of the people in action, left and right together."""
    return hp.action_share(t.month_series("active_left"), t.month_series("active_right"),
                           t.month_series("population"))


def _median(values: Sequence[float]) -> float:
    return float(np.median(values)) if len(values) else math.nan


def p1(ens: Ensemble, summary: Trajectory) -> Row:
    per = [hp.waves(t.months, shares(t), t.month_series("authority"),
                    t.month_series("controller"), t.month_series("deaths_war"), t.regions)
           for t in ens.runs]
    worst = [float(w["worst"]) for w in per]
    longest = [float(w["longest"]) for w in per]
    bursts = [float(w["outbursts"]) for w in per]
    w, lg, ob = _median(worst), _median(longest), _median(bursts)
    top = max(per, key=lambda d: float(d["worst"]))
    long = max(per, key=lambda d: float(d["longest"]))
    return Row("P1", "mass action comes in waves, not a flood (1946-1989)",
               "Tarrow's cycles of contention; Chenoweth & Stephan 2011: 3.5% in action is "
               "already regime-threatening",
               f"worst region-decade mean in action {100 * w:.2f}% (seeds "
               f"{_rng([100 * v for v in worst])}%, highest {top['worst_where']}); longest run "
               f"above 3.5% outside war or change of authority {lg:.0f} months (seeds "
               f"{_rng(longest, 0)}{', ' + str(long['longest_where']) if long['longest'] else ''}"
               f"); outbursts (>= 1% for >= 1 month) {ob:.0f} (seeds {_rng(bursts, 0)})",
               "median over seeds: every region-decade mean <= 3%; no run above 3.5% longer "
               "than 24 months (months at war or within 24 of a change of authority or "
               "controller left out); at least one outburst",
               bool(w <= hp.DECADE_CEILING and lg <= hp.THREAT_MONTHS and ob >= 1), w,
               min(worst), max(worst))


def p2(ens: Ensemble, summary: Trajectory) -> Row:
    # value: the lowest share of seeds over the three colonies; low/high: the three shares' range
    share, years = {}, {}
    for colony in hp.COLONIES:
        left = [hp.left_colonial_rule(t.months, t.month_series("authority")[
            :, t.regions.index(colony)]) for t in ens.runs]
        share[colony] = float(np.mean([y <= hp.LEAVE_BY for y in left]))
        years[colony] = _median(left)
    shown = "; ".join(f"{c} {100 * share[c]:.0f}% of seeds (median year "
                      f"{'never' if not math.isfinite(years[c]) else f'{years[c]:.0f}'})"
                      for c in hp.COLONIES)
    low = min(share.values())
    return Row("P2", "decolonisation: India, Indonesia, Indochina leave colonial rule by 1965",
               "India 1947, Indonesia 1949, Indochina 1954", shown,
               "each leaves colonial rule by 1965 in >= 80% of seeds", bool(low >= 0.8), low,
               low, max(share.values()))


def p3(ens: Ensemble, summary: Trajectory) -> Row:
    per = [hp.buffer_crises(t.months, shares(t)[:, [t.regions.index(r) for r in hp.BUFFER]])
           for t in ens.runs]
    counts = [float(c) for c, _ in per]
    longest = max(lg for _, lg in per)
    med = _median(counts)
    return Row("P3", "crises in the buffer zone: outbursts crushed or conceded (1946-1989)",
               "several uprisings 1953-1981 (East Germany 1953, Poland and Hungary 1956, "
               "Czechoslovakia 1968, Poland 1970, 1980-81)",
               f"outbursts across {', '.join(hp.BUFFER)}: {med:.1f} (seeds {_rng(counts, 0)}); "
               f"longest {longest} months",
               "median over seeds >= 3; each (every seed) over within 24 months",
               bool(med >= 3 and longest <= hp.OUTBURST_MONTHS), med, min(counts), max(counts))


def p4(ens: Ensemble, summary: Trajectory) -> Row:
    per = [hp.zigzags(t.months, t.month_series("course")[:, t.regions.index("USSR")])
           for t in ens.runs]
    counts = [float(c) for c, _ in per]
    med = _median(counts)
    return Row("P4", "the zigzags go on after 1953 (seed ¶10-11): USSR course reversals",
               "dated turns of the post-Stalin leadership, a turn every few years",
               f"{med:.1f} reversals (seeds {_rng(counts, 0)}) over {per[0][1]}, a reversal "
               f"being a swing of >= {hp.REVERSAL_SWING} each way (as claim C4 counts them)",
               "4-12 (median over seeds; under dws, the default theory)",
               bool(4 <= med <= 12), med, min(counts), max(counts))


def p5(ens: Ensemble, summary: Trajectory) -> Row:
    margins, lows, highs, decades = [], [], [], []
    for t in ens.runs:
        w = t.month_series("proletarian")
        pick = hp.in_years(t.months, *hp.WINDOW)
        market = w[pick][:, [t.regions.index(r) for r in WESTERN]]
        lows.append(float(market.min()))
        highs.append(float(market.max()))
        ranks = hp.tendency_ranks(t.months, w, t.regions)
        margins.append(hp.rank_margin(ranks)[0])
        decades.append(ranks)
    # the ranking on the median over seeds of each region-decade's mean W
    median_ranks = {d: {r: _median([x[d][r] for x in decades]) for r in decades[0][d]}
                    for d in decades[0]}
    margin, where = hp.rank_margin(median_ranks)
    lo, hi = _median(lows), _median(highs)
    last = median_ranks[max(median_ranks)] if median_ranks else {}
    return Row("P5", "the proletarian tendency's weight follows the left's weight",
               "mass communist parties in France and Italy, marginal ones in the UK, the USA "
               "and West Germany",
               f"W in market regions {lo:.3f}..{hi:.3f} (median of the seeds' extremes); "
               f"smallest margin min(France, Italy) - max(UK, USA, West Germany) {margin:+.3f} "
               f"({where}s; seeds {_rng(margins, 3)}); 1980s: "
               + ", ".join(f"{r} {v:.3f}" for r, v in last.items()),
               "W in [0, 0.5]; France and Italy above the UK, USA and West Germany in every "
               "decade (median over seeds of each decade's mean)",
               bool(lo >= hp.W_BOUNDS[0] and hi <= hp.W_BOUNDS[1] and margin > 0), margin,
               min(margins), max(margins))


# The scorecard's patterns in order.
PATTERNS: list[Callable[[Ensemble, Trajectory], Row]] = [e1, e2, e3, e4, e5, e6, e7, e8,
                                                         p1, p2, p3, p4, p5]


def score(runs: list[Trajectory]) -> tuple[list[Row], Ensemble, Trajectory]:
    """The scorecard of a world's runs: one Row per pattern."""
    ens = Ensemble(runs)
    last = int(ens.years.max()) if ens.years.size else 0
    if last < END_YEAR or (ens.years.size and int(ens.years.min()) > FIT_YEARS[0]):
        raise HistoryError(f"the runs cover {int(ens.years.min()) if ens.years.size else '-'}"
                           f"-{last}; the scorecard needs whole years {FIT_YEARS[0]}-{END_YEAR}")
    summary = ens.summary("summary")
    return [pattern(ens, summary) for pattern in PATTERNS], ens, summary


# --- the history folder ---------------------------------------------------------------------

def rows_table(rows: list[Row]) -> pa.Table:
    return pa.Table.from_pylist([asdict(r) for r in rows])


def series_table(ens: Ensemble, summary: Trajectory) -> pa.Table:
    """Per year, region and variable: the data (nan where none), the model's summary over
    seeds and its range (lowest and highest seed)."""
    cols: dict[str, list] = {k: [] for k in ("year", "region", "variable", "data", "model",
                                             "low", "high")}
    for name in SERIES_DRAWN:
        arr = ens.stack(lambda t, n=name: t.series[n])
        for j, region in enumerate(ens.regions):
            if name == "output_per_capita" and region in hd.OUTPUT_CODES:
                data = hd.output_per_head(region)
            elif name == "population" and region in hd.OUTPUT_CODES:
                groups = [g for g in hd.POPULATION_GROUPS if g.regions == (region,)]
                data = ({y: hd.group_population(groups[0], y) for y in range(1946, 1992)}
                        if groups else {})
            else:
                data = {}
            for i, year in enumerate(ens.years):
                cols["year"].append(int(year))
                cols["region"].append(region)
                cols["variable"].append(name)
                d = data.get(int(year), math.nan)
                cols["data"].append(float(d) if d == d else math.nan)
                cols["model"].append(float(summary.series[name][i, j]))
                cols["low"].append(float(arr[:, i, j].min()))
                cols["high"].append(float(arr[:, i, j].max()))
    return pa.table(cols)


POLITICS_DRAWN = ("share_left", "share_right", "authority", "controller")


def politics_table(ens: Ensemble) -> pa.Table:
    """Per run, month and region: the share in left and in right action, the authority and the
    controller (indices into AUTHORITIES and meta.json `regions`); and the USSR's course."""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("run", "month", "region", "variable",
                                                          "value")}

    def add(run: str, months: np.ndarray, region: str, name: str, values: np.ndarray) -> None:
        parts["run"].append(np.full(months.size, run, dtype=object))
        parts["month"].append(months.astype(np.int64))
        parts["region"].append(np.full(months.size, region, dtype=object))
        parts["variable"].append(np.full(months.size, name, dtype=object))
        parts["value"].append(np.asarray(values, dtype=float))

    for t in ens.runs:
        if not t.monthly:
            continue
        pop = np.maximum(t.month_series("population"), 1e-12)
        values = {"share_left": t.month_series("active_left") / pop,
                  "share_right": t.month_series("active_right") / pop,
                  "authority": t.month_series("authority"),
                  "controller": t.month_series("controller")}
        for j, region in enumerate(t.regions):
            for name in POLITICS_DRAWN:
                add(t.label, t.months, region, name, values[name][:, j])
        if "USSR" in t.regions:
            add(t.label, t.months, "USSR", "course",
                t.month_series("course")[:, t.regions.index("USSR")])
    if not parts["run"]:
        return pa.table({"run": pa.array([], pa.string()), "month": pa.array([], pa.int64()),
                         "region": pa.array([], pa.string()),
                         "variable": pa.array([], pa.string()),
                         "value": pa.array([], pa.float64())})
    return pa.table({k: np.concatenate(v) for k, v in parts.items()})


def write_history(out: Path, rows: list[Row], ens: Ensemble, summary: Trajectory,
                  meta: dict, *, force: bool = False) -> Path:
    """Write the history folder (all or nothing): meta.json, rows and series tables."""
    from sovsim.io import folders
    from sovsim.io.outputs import write_table

    info = {"fit_years": list(FIT_YEARS), "test_years": list(TEST_YEARS),
            "runs": [t.label for t in ens.runs], "passed": sum(r.passed for r in rows),
            "rows": len(rows), "regions": list(ens.regions), **meta}
    with folders.create(HISTORY_KIND, out, force=force, meta=info) as tmp:
        write_table(rows_table(rows), tmp, "rows", "parquet")
        write_table(series_table(ens, summary), tmp, "series", "parquet")
        write_table(politics_table(ens), tmp, "politics", "parquet")
    return out


def default_history_dir() -> Path:
    """A unique default folder under runs/."""
    from sovsim.io import folders

    return folders.default_out(HISTORY_KIND)


@dataclass
class Scorecard:
    rows: list[Row]
    folder: Path


def history_command(run_dirs: Sequence[Path], *, scenario: str = "world1946",
                    seeds: int = DEFAULT_SEEDS, agents: int = DEFAULT_AGENTS, workers: int = 1,
                    out: Path | None = None, force: bool = False,
                    say: Callable[[str], None] = print) -> Scorecard:
    """`sovsim history`: score run folders, or run `scenario` over `seeds` seeds, and write the
    history folder. HistoryError (bad input) before anything is run or written."""
    from sovsim.io import folders
    from sovsim.world.loading import ScenarioError, load

    target = out or default_history_dir()
    try:
        folders.check_out(target, HISTORY_KIND, force=force)
    except folders.FolderError as exc:
        raise HistoryError(str(exc)) from None
    if run_dirs:
        runs = [from_folder(Path(p)) for p in run_dirs]
        meta = {"source": "run folders", "folders": [str(p) for p in run_dirs]}
    else:
        if seeds < 1 or agents < 1:
            raise HistoryError("--seeds and --agents must be at least 1")
        try:
            loaded = load(scenario)
        except ScenarioError as exc:
            raise HistoryError(str(exc)) from None
        say(f"running {loaded.name} to {RUN_END}: {seeds} seeds x {agents:,} agents")
        runs = run_seeds(scenario, seeds=range(seeds), agents=agents, workers=workers,
                         done=lambda t: say(f"  done {t.label}"))
        meta = {"source": "runs", "scenario": loaded.name, "scenario_sha256": loaded.sha256,
                "seeds": list(range(seeds)), "agents": agents}
    rows, ens, summary = score(runs)
    folder = write_history(target, rows, ens, summary, meta, force=force)
    return Scorecard(rows, folder)
