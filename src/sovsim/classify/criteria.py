"""Class criteria: named quantities measured on a run's monthly flows, each with its threshold and
the label it supports when met (MODEL.md §5; seed ¶5-7, ¶12).

A criterion reads only what a run wrote: the regions, classes and links tables (the observables of
`sovsim.engine.results`). It never reads a region's bloc, authority or name; a region is an index
into the run's list of regions and nothing else. Flip a policy and the flows flip, and with them
the criteria.

Three kinds of measure, all over a calendar year of monthly rows:

* a flow of the year: the ratio of two yearly sums of monthly rates (e.g. capital exported into a
  dependency over the dependency's output), or the year's mean of a share;
* a change over the year: a stock's value in the year's last month minus its value in the last
  month of the year before (in the run's first year: its first month);
* a change since control began: what happened in a dependency while its controller governed it,
  from the first month of the controller's unbroken rule (or the run's first month) to the last
  month of the year under that rule. Reforms are done in a few years and then stop; measuring
  them since control began keeps what an expansion DID in its sphere in view after they stop.
  Rates are annualised; incomes and outputs are three-month means at both ends, because agents'
  incomes are noisy from month to month.

A value that cannot be measured (no landlords left, no output, too short a span) is NaN, and a NaN
criterion is never met: absence of evidence supports no label.

Two measures differ from the obvious one, for a reason:

* superexploitation compares what a WORKER gets against the output per head of his country, in
  the dependency and in the controller. The wage share would not do: it counts hired labour only,
  so an agrarian reform (tenants becoming owners) or a collectivisation lowers it while nobody's
  pay falls, and a Soviet-type reform would read as superexploitation;
* expropriation of small producers is the fall of SMALL plus COLLECTIVE capital: collectivisation
  moves small holdings into collective farms, which is not their expropriation by capital (seed
  ¶5), while expropriation hands them to landlords and foreign plantations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyarrow as pa

# --- labels (MODEL.md §5) -------------------------------------------------------------------
IMPERIALIST_POWER = "imperialist power"
COLONY = "colony"
CAPITALIST = "capitalist"
DEGENERATED = "degenerated workers' state"
COUNCILS = "workers' state under councils"
TRANSITIONAL = "transitional (under occupation)"
RESTORED = "restored capitalism"
REGION_LABELS: tuple[str, ...] = (IMPERIALIST_POWER, COLONY, CAPITALIST, DEGENERATED, COUNCILS,
                                  TRANSITIONAL, RESTORED)
WORKERS_STATE = "workers' state"  # what collective property supports: one of the two below

IMPERIALIST = "imperialist"
SOVIET_TYPE = "Soviet-type"
UNDETERMINED = "undetermined"
EXPANSION_LABELS: tuple[str, ...] = (IMPERIALIST, SOVIET_TYPE, UNDETERMINED)

# --- thresholds: each with the one line that says why ----------------------------------------
# property forms
# most means of production in state and collective hands: collective property dominates (seed
# ¶11-12)
COLLECTIVE_PROPERTY_MIN = 0.5
# privileges under 2% of the state budget are the cost of an elected administration, not a caste's
# share (MODEL.md §4.6: councils Pi ~ 0)
COUNCIL_PRIVILEGE_MAX = 0.02
# a point of all capital a year changing form is reform; unequal accumulation alone moves shares by
# tenths of a point
PROPERTY_CHANGE_MIN = 0.01
# flows of a region
# 1% of output a year: a fifth of Britain's ~5% before 1914, far above incidental flows (seed ¶5)
CAPITAL_EXPORT_MIN = 0.01
# a fifth of the means of production owned abroad gives foreign capital command of the economy
FOREIGN_OWNERSHIP_MIN = 0.2
# 1% of output a year sent abroad as profit is a standing drain, not an incidental transfer
PROFIT_DRAIN_MIN = 0.01
# flows and changes in a dependency (an expansion)
# as PROFIT_DRAIN_MIN, counted for the controller's own capital only
REPATRIATION_MIN = 0.01
# a worker gets, against output per head, half or less of what a worker gets at the controller's:
# labour held far below the metropolitan rate
SUPEREXPLOITATION_RATIO_MAX = 0.5
# small producers' capital is kept whole by replacement: losing 1% a year is dispossession, not wear
EXPROPRIATION_MIN = 0.01
# landlords' mean income growing a point a year or more: the controller sustains them, it does not
# strike them (seed ¶7)
LANDLORD_GAIN_MIN = 0.01
# landlords' income falling 10% a year faster than peasants': blows, not the catching-up of poorer
# classes (seed ¶7)
LANDLORDS_STRUCK_MIN = 0.10
# a dependency growing a point a year slower than its controller is held back (seed ¶5: a barrier)
GROWTH_GAP_MIN = 0.01
# five points of all capital made collective under the controller: a change of property, beyond
# decades of drift
NATIONALISATION_MIN = 0.05
# a tenth of landlord capital gone: land does not wear out (AGRI depreciation 1.5%/yr) and landlords
# reinvest, so this is confiscation
AGRARIAN_REFORM_MIN = 0.10
# half a percent of the dependency's output a year in shipped equipment: systematic dismantling, not
# stray transfers (seed ¶6)
PILLAGE_MIN = 0.005

# months averaged at each end of an income or output change: damps agents' monthly noise
INCOME_WINDOW_MONTHS = 3
# a rate of growth or loss is read over a year at least: a shorter span reads a run's start-up
# transients and months' noise
MIN_SPAN_MONTHS = 12

Op = Literal[">=", "<"]


@dataclass(frozen=True)
class Criterion:
    """A class criterion: a named measured quantity, its threshold, and the label it supports."""

    name: str
    measures: str      # what is measured, in words
    unit: str
    op: Op
    threshold: float
    supports: str      # the label this criterion speaks for when met
    seed: str          # where the essay states it
    indicates: str     # what meeting it indicates, in the essay's terms
    core: bool = False  # a defining feature: an expansion's label needs one of its side's met

    def met(self, value: float) -> bool:
        """Whether a measured value meets the criterion (NaN never does)."""
        if value is None or math.isnan(value):
            return False
        return value >= self.threshold if self.op == ">=" else value < self.threshold


@dataclass(frozen=True)
class Measurement:
    """One criterion measured for one subject and year."""

    criterion: Criterion
    value: float

    @property
    def met(self) -> bool:
        """Whether the measured value meets the criterion's threshold."""
        return self.criterion.met(self.value)


# --- the criteria of a region's own label -----------------------------------------------------
COLLECTIVE_PROPERTY = Criterion(
    "collective_property", "year's mean of (state + collective capital) / all capital", "share",
    ">=", COLLECTIVE_PROPERTY_MIN, WORKERS_STATE, "seed ¶11-12",
    "most means of production in state and collective hands")
BUREAUCRATIC_PRIVILEGE = Criterion(
    "bureaucratic_privilege",
    "privileges / state budget over the year: who disposes of the surplus", "share", ">=",
    COUNCIL_PRIVILEGE_MAX, DEGENERATED, "seed ¶11",
    "a caste takes a share of the surplus")
COUNCIL_DISPOSAL = Criterion(
    "council_disposal", "privileges / state budget over the year: who disposes of the surplus",
    "share", "<", COUNCIL_PRIVILEGE_MAX, COUNCILS, "seed ¶14",
    "no caste's share: the producers' councils dispose of the surplus")
EARLIER_COLLECTIVE = Criterion(
    "earlier_collective_property", "highest yearly mean collective share in an earlier year",
    "share", ">=", COLLECTIVE_PROPERTY_MIN, RESTORED, "seed ¶11-12",
    "collective property was dominant before (restored if it is not now)")
EXPORTS_CAPITAL = Criterion(
    "exports_capital", "capital exported / own output over the year", "1/year", ">=",
    CAPITAL_EXPORT_MIN, IMPERIALIST_POWER, "seed ¶5", "export of capital")
IMPERIALIST_EXPANSIONS = Criterion(
    "imperialist_expansions", "number of its expansions labelled imperialist this year", "count",
    ">=", 1.0, IMPERIALIST_POWER, "seed ¶5", "it governs a dependency the imperialist way")
FOREIGN_OWNERSHIP = Criterion(
    "foreign_ownership", "year's mean of capital owned abroad / all capital", "share", ">=",
    FOREIGN_OWNERSHIP_MIN, COLONY, "seed ¶5, ¶12", "foreign capital commands the economy")
PROFIT_DRAIN = Criterion(
    "profit_drain", "profit sent abroad / own output over the year", "1/year", ">=",
    PROFIT_DRAIN_MIN, COLONY, "seed ¶5", "a standing drain of profit to the owners abroad")
GOVERNED_IMPERIALIST = Criterion(
    "governed_imperialist", "governed this year under an expansion labelled imperialist", "0/1",
    ">=", 1.0, COLONY, "seed ¶5, ¶12", "its controller's expansion is imperialist")
GOVERNED_SOVIET_TYPE = Criterion(
    "governed_soviet_type", "governed this year under an expansion labelled Soviet-type", "0/1",
    ">=", 1.0, TRANSITIONAL, "seed ¶6-8", "its controller's expansion is Soviet-type")
PROPERTY_CHANGING = Criterion(
    "property_changing",
    "largest change over the year of the collective or the landlord share of all capital",
    "share/year", ">=", PROPERTY_CHANGE_MIN, TRANSITIONAL, "seed ¶6, ¶14",
    "property forms are still being transformed")

# --- the criteria of an expansion (controller -> dependency) ----------------------------------
EXPORT_INTO = Criterion(
    "capital_export", "capital exported by the controller into the dependency / dependency's "
    "output over the year", "1/year", ">=", CAPITAL_EXPORT_MIN, IMPERIALIST, "seed ¶5",
    "export of capital", core=True)
REPATRIATION = Criterion(
    "profit_repatriation", "profit sent from the dependency to the controller / dependency's "
    "output over the year", "1/year", ">=", REPATRIATION_MIN, IMPERIALIST, "seed ¶5",
    "the controller's capital drains the dependency's surplus", core=True)
SUPEREXPLOITATION = Criterion(
    "superexploitation", "WORKER mean income / output per head over the year, in the dependency "
    "over the same in the controller", "ratio",
    "<", SUPEREXPLOITATION_RATIO_MAX, IMPERIALIST, "seed ¶5",
    "superexploitation of the colonial masses")
EXPROPRIATION = Criterion(
    "expropriation_of_small_producers", "annualised fall of small producers' and collectives' "
    "capital since control began", "1/year", ">=", EXPROPRIATION_MIN, IMPERIALIST, "seed ¶5",
    "expropriation of small artisans and small farmers")
LANDLORDS_GAIN = Criterion(
    "landlords_gain", "annualised growth of LANDLORD mean income since control began",
    "1/year", ">=", LANDLORD_GAIN_MIN, IMPERIALIST, "seed ¶7",
    "imperialism rests on the large landed proprietors")
GROWTH_BARRIER = Criterion(
    "barrier_to_growth", "annualised output-per-head growth of the dependency minus the "
    "controller's since control began", "1/year", "<", -GROWTH_GAP_MIN, IMPERIALIST, "seed ¶5",
    "a barrier to the development of the productive forces")
NATIONALISATION = Criterion(
    "nationalisation", "rise of the dependency's collective share since control began", "share",
    ">=", NATIONALISATION_MIN, SOVIET_TYPE, "seed ¶6", "nationalisation of heavy industry",
    core=True)
AGRARIAN_REFORM = Criterion(
    "agrarian_reform", "fall of landlord capital since control began / its level then", "share",
    ">=", AGRARIAN_REFORM_MIN, SOVIET_TYPE, "seed ¶6", "agrarian reform", core=True)
PILLAGE = Criterion(
    "pillage", "equipment shipped from the dependency to the controller / dependency's output "
    "over the year", "1/year", ">=", PILLAGE_MIN, SOVIET_TYPE, "seed ¶6",
    "pillaging of a part of the industrial equipment")
LANDLORDS_STRUCK = Criterion(
    "landlords_struck", "annualised income growth of PEASANT minus LANDLORD since control began",
    "1/year", ">=", LANDLORDS_STRUCK_MIN, SOVIET_TYPE, "seed ¶7",
    "the bureaucracy directs its blows against the landed proprietors")

REGION_CRITERIA: tuple[Criterion, ...] = (
    COLLECTIVE_PROPERTY, BUREAUCRATIC_PRIVILEGE, COUNCIL_DISPOSAL, GOVERNED_IMPERIALIST,
    GOVERNED_SOVIET_TYPE, PROPERTY_CHANGING, FOREIGN_OWNERSHIP, PROFIT_DRAIN, EXPORTS_CAPITAL,
    IMPERIALIST_EXPANSIONS, EARLIER_COLLECTIVE)
EXPANSION_CRITERIA: tuple[Criterion, ...] = (
    EXPORT_INTO, REPATRIATION, SUPEREXPLOITATION, EXPROPRIATION, LANDLORDS_GAIN, GROWTH_BARRIER,
    NATIONALISATION, AGRARIAN_REFORM, PILLAGE, LANDLORDS_STRUCK)

CAPITAL_VARIABLES = ("capital_state", "capital_private", "capital_foreign", "capital_landlord",
                     "capital_small", "capital_collective")
OUTPUT_VARIABLES = ("output_heavy", "output_light", "output_agri")


@dataclass
class Observed:
    """A run's monthly observables as arrays: the only thing the classifier reads.

    `region[v]` is (months, regions), `klass[v]` is (months, regions, classes), `link[v]` is
    (months, source region, target region). Missing rows are NaN (links: 0, as the run lists only
    nonzero flows)."""

    regions: tuple[str, ...]
    dates: np.ndarray                   # (T,) "YYYY-MM"
    region: dict[str, np.ndarray]
    klass: dict[str, np.ndarray]
    classes: tuple[str, ...]
    link: dict[str, np.ndarray]
    years: np.ndarray = field(init=False)   # (T,) calendar year of each month

    def __post_init__(self) -> None:
        self.years = np.array([int(d[:4]) for d in self.dates], dtype=np.int64)

    @classmethod
    def from_tables(cls, regions: pa.Table, classes: pa.Table, links: pa.Table,
                    names: Sequence[str] | None = None) -> Observed:
        """Arrays from the long tables of a run folder (`names`: the run's regions in order;
        default: those of the regions table, in order of appearance, without "world")."""
        if regions.num_rows == 0:
            raise ValueError("the run's regions table is empty: nothing to classify")
        steps = np.unique(np.concatenate([_column(t, "step").astype(np.int64)
                                          for t in (regions, classes, links) if t.num_rows]))
        T = len(steps)
        dates = np.full(T, "", dtype=object)
        if names is None:
            names = [n for n in dict.fromkeys(_column(regions, "region").astype(str).tolist())
                     if n != "world"]
        names = tuple(names)
        where = {n: i for i, n in enumerate(names)}
        R = len(names)

        def rows(table: pa.Table, col: str) -> np.ndarray:
            keys, inverse = np.unique(_column(table, col).astype(str), return_inverse=True)
            return np.array([where.get(str(k), -1) for k in keys], dtype=np.int64)[inverse]

        t_reg = np.searchsorted(steps, _column(regions, "step").astype(np.int64))
        dates[t_reg] = _column(regions, "date").astype(str)
        r_reg = rows(regions, "region")
        region = _pivot(regions, (T, R), (t_reg, r_reg))

        class_names = tuple(dict.fromkeys(_column(classes, "class").astype(str).tolist()))
        kwhere = {k: i for i, k in enumerate(class_names)}
        t_cls = np.searchsorted(steps, _column(classes, "step").astype(np.int64))
        keys, inverse = np.unique(_column(classes, "class").astype(str), return_inverse=True)
        k_cls = np.array([kwhere[str(k)] for k in keys], dtype=np.int64)[inverse]
        klass = _pivot(classes, (T, R, len(class_names)), (t_cls, rows(classes, "region"), k_cls))

        t_lnk = np.searchsorted(steps, _column(links, "step").astype(np.int64))
        link = _pivot(links, (T, R, R), (t_lnk, rows(links, "source"), rows(links, "target")),
                      fill=0.0)
        return cls(names, dates.astype(str), region, klass, class_names, link)

    def year_list(self) -> list[int]:
        """The calendar years the run covers, in order."""
        return sorted(set(self.years.tolist()))

    def months(self, year: int) -> np.ndarray:
        """Indices of the months of a calendar year."""
        return np.flatnonzero(self.years == year)

    def series(self, variable: str, r: int) -> np.ndarray:
        """A region variable's monthly series (NaN where the run did not write it)."""
        arr = self.region.get(variable)
        return np.full(len(self.dates), np.nan) if arr is None else arr[:, r]

    def output(self, r: int) -> np.ndarray:
        """Monthly output of a region, all sectors (GK$/year)."""
        return sum(self.series(v, r) for v in OUTPUT_VARIABLES)

    def capital(self, r: int) -> np.ndarray:
        """Monthly capital of a region, all owners (GK$)."""
        return sum(self.series(v, r) for v in CAPITAL_VARIABLES)

    def income(self, r: int, klass: str) -> np.ndarray:
        """Monthly mean income of a class in a region; NaN in months the class has no one."""
        if klass not in self.classes or "mean_income" not in self.klass:
            return np.full(len(self.dates), np.nan)
        k = self.classes.index(klass)
        inc = self.klass["mean_income"][:, r, k].copy()
        if "count" in self.klass:
            inc[~(self.klass["count"][:, r, k] > 0)] = np.nan
        return inc

    def flow(self, variable: str, source: int, target: int) -> np.ndarray:
        """Monthly flow between two regions (0 where the run listed none)."""
        arr = self.link.get(variable)
        return np.zeros(len(self.dates)) if arr is None else arr[:, source, target]

    def controllers(self, year: int) -> dict[int, int]:
        """Governed region -> its controller in the year's last month."""
        control = self.link.get("control")
        if control is None:
            return {}
        last = control[int(self.months(year)[-1])] > 0
        return {int(d): int(c) for c, d in zip(*np.nonzero(last), strict=True) if c != d}

    def expansions(self, year: int) -> list[tuple[int, int]]:
        """(controller, dependency) pairs with control in at least one month of the year."""
        control = self.link.get("control")
        if control is None:
            return []
        m = self.months(year)
        ever = (control[m] > 0).any(axis=0)
        np.fill_diagonal(ever, False)
        return [(int(c), int(d)) for c, d in zip(*np.nonzero(ever), strict=True)]

    def control_span(self, c: int, d: int, year: int) -> tuple[int, int] | None:
        """First and last month of c's unbroken rule over d that reaches into `year` (its last
        month in that year); None if c did not govern d that year."""
        control = self.flow("control", c, d) > 0
        m = self.months(year)
        ruled = m[control[m]]
        if ruled.size == 0:
            return None
        last = int(ruled[-1])
        first = last
        while first > 0 and control[first - 1]:
            first -= 1
        return first, last


def _column(table: pa.Table, name: str) -> np.ndarray:
    col = table.column(name).combine_chunks()
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    return np.asarray(col.to_numpy(zero_copy_only=False))


def _pivot(table: pa.Table, shape: tuple[int, ...], index: tuple[np.ndarray, ...],
           fill: float = np.nan) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if table.num_rows == 0:
        return out
    variables = _column(table, "variable").astype(str)
    values = _column(table, "value").astype(np.float64)
    keep = np.all([ix >= 0 for ix in index], axis=0)
    names, inverse = np.unique(variables, return_inverse=True)
    for i, name in enumerate(names):
        sel = keep & (inverse == i)
        arr = np.full(shape, fill)
        arr[tuple(ix[sel] for ix in index)] = values[sel]
        out[str(name)] = arr
    return out


# --- measures -------------------------------------------------------------------------------
def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 and not math.isnan(num) else math.nan


def _nanmean(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else math.nan


def _year_ratio(obs: Observed, num: np.ndarray, den: np.ndarray, year: int) -> float:
    """Yearly sum of one monthly rate over the yearly sum of another, months where both exist."""
    m = obs.months(year)
    ok = ~np.isnan(num[m]) & ~np.isnan(den[m])
    return _ratio(float(num[m][ok].sum()), float(den[m][ok].sum())) if ok.any() else math.nan


def _before(obs: Observed, year: int) -> int:
    """The month a change over `year` is measured from: the last month of the year before, or the
    run's first month."""
    first = int(obs.months(year)[0])
    return first - 1 if first > 0 else first


def _window_mean(x: np.ndarray, start: int, stop: int) -> float:
    return _nanmean(x[max(start, 0):stop])


def _growth(x: np.ndarray, first: int, last: int) -> float:
    """Annualised log growth between three-month means at both ends of [first, last]."""
    if last - first < MIN_SPAN_MONTHS:
        return math.nan
    w = INCOME_WINDOW_MONTHS
    a = _window_mean(x, first, first + w)
    b = _window_mean(x, last - w + 1, last + 1)
    if not (a > 0 and b > 0):
        return math.nan
    # the two windows' centres are (last - first) - (w - 1) months apart
    return math.log(b / a) * 12.0 / (last - first - (w - 1))


def collective_share(obs: Observed, r: int, year: int) -> float:
    """Year's mean collective share of a region."""
    return _nanmean(obs.series("collective_share", r)[obs.months(year)])


def privilege_share(obs: Observed, r: int, year: int) -> float:
    """Privileges over the state budget in a year: the bureaucracy's share of the surplus."""
    return _year_ratio(obs, obs.series("privileges", r), obs.series("state_budget", r), year)


def earlier_collective(obs: Observed, r: int, year: int) -> float:
    """The highest yearly mean collective share before `year` (NaN in the run's first year)."""
    earlier = [collective_share(obs, r, y) for y in obs.year_list() if y < year]
    earlier = [v for v in earlier if not math.isnan(v)]
    return max(earlier) if earlier else math.nan


def property_change(obs: Observed, r: int, year: int) -> float:
    """Largest absolute change over the year of the collective and the landlord share of capital."""
    t0, t1 = _before(obs, year), int(obs.months(year)[-1])
    landlord = obs.series("capital_landlord", r) / obs.capital(r)
    coll = obs.series("collective_share", r)
    changes = [abs(s[t1] - s[t0]) for s in (coll, landlord) if not np.isnan(s[[t0, t1]]).any()]
    return max(changes) if changes else math.nan


def region_measurements(obs: Observed, r: int, year: int) -> dict[str, Measurement]:
    """The measured criteria of a region's own label that need no other subject's label."""
    m = obs.months(year)
    priv = privilege_share(obs, r, year)
    values = {
        COLLECTIVE_PROPERTY: collective_share(obs, r, year),
        BUREAUCRATIC_PRIVILEGE: priv,
        COUNCIL_DISPOSAL: priv,
        PROPERTY_CHANGING: property_change(obs, r, year),
        FOREIGN_OWNERSHIP: _nanmean(obs.series("capital_foreign", r)[m] / obs.capital(r)[m]),
        PROFIT_DRAIN: _year_ratio(obs, obs.series("repatriated_profit", r), obs.output(r), year),
        EXPORTS_CAPITAL: _year_ratio(obs, obs.series("exported_capital", r), obs.output(r), year),
        EARLIER_COLLECTIVE: earlier_collective(obs, r, year),
    }
    return {c.name: Measurement(c, float(v)) for c, v in values.items()}


def expansion_measurements(obs: Observed, c: int, d: int, year: int) -> list[Measurement]:
    """Every criterion of the expansion of controller `c` into dependency `d` in a year."""
    span = obs.control_span(c, d, year)
    out_d = obs.output(d)
    nan = math.nan
    first, last = span if span is not None else (0, 0)

    def since(x: np.ndarray) -> tuple[float, float]:
        return (float(x[first]), float(x[last])) if span is not None else (nan, nan)

    pay_c, pay_d = (_year_ratio(obs, obs.income(r, "WORKER"), obs.series("output_per_capita", r),
                                year) for r in (c, d))
    small0, small1 = since(obs.series("capital_small", d) + obs.series("capital_collective", d))
    elapsed = (last - first) / 12.0
    expropriation = (-math.log(small1 / small0) / elapsed
                     if elapsed * 12 >= MIN_SPAN_MONTHS and small0 > 0 and small1 > 0 else nan)
    landlords = _growth(obs.income(d, "LANDLORD"), first, last) if span else nan
    peasants = _growth(obs.income(d, "PEASANT"), first, last) if span else nan
    opc = "output_per_capita"
    growth_gap = (_growth(obs.series(opc, d), first, last)
                  - _growth(obs.series(opc, c), first, last)) if span else nan
    coll0, coll1 = since(obs.series("collective_share", d))
    land0, land1 = since(obs.series("capital_landlord", d))
    values = {
        EXPORT_INTO: _year_ratio(obs, obs.flow("capital_export", c, d), out_d, year),
        REPATRIATION: _year_ratio(obs, obs.flow("profit_repatriation", d, c), out_d, year),
        SUPEREXPLOITATION: _ratio(pay_d, pay_c),
        EXPROPRIATION: expropriation,
        LANDLORDS_GAIN: landlords,
        GROWTH_BARRIER: growth_gap,
        NATIONALISATION: coll1 - coll0,
        AGRARIAN_REFORM: _ratio(land0 - land1, land0),
        PILLAGE: _year_ratio(obs, obs.flow("pillage", d, c), out_d, year),
        LANDLORDS_STRUCK: peasants - landlords,
    }
    return [Measurement(crit, float(v)) for crit, v in values.items()]
