"""The historical series `sovsim history` compares a run with, packaged with sovsim.

Two files ship with the package, each with a first line naming its source:
`maddison2010_history.csv` (Maddison 2010: GDP per head in 1990 GK$ and mid-year population in
thousands, 1946-1991, for the countries of the patterns) and `wpp2019_rates.csv` (UN World
Population Prospects 2019: crude birth and death rates per 1000 by five-year period, 1950-1995).

Which scenario region is compared with which series is declared here once (`OUTPUT_CODES`,
`POPULATION_GROUPS`, `WPP_LOCATIONS`) and said in the history page.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

MADDISON_FILE = "maddison2010_history.csv"
WPP_FILE = "wpp2019_rates.csv"

# Output per head: each region against one Maddison (2010) series. Maddison has no East German
# series: both German zones are compared with Germany as a whole; Indochina with Vietnam.
OUTPUT_CODES: dict[str, str] = {
    "USSR": "SUN", "Poland": "POL", "Czechoslovakia": "CSK", "Hungary": "HUN",
    "Romania": "ROU", "Bulgaria": "BGR", "Germany_East": "DEU",
    "USA": "USA", "UK": "GBR", "France": "FRA", "Netherlands": "NLD", "Germany_West": "DEU",
    "Italy": "ITA", "India": "IND", "Indochina": "VNM", "Indonesia": "IDN",
}


@dataclass(frozen=True)
class Group:
    """Scenario regions whose summed population is compared with the summed Maddison series of
    `codes` (the two German zones with Germany; British India with India, Pakistan, Bangladesh)."""

    label: str
    regions: tuple[str, ...]
    codes: tuple[str, ...]


POPULATION_GROUPS: tuple[Group, ...] = (
    *(Group(region, (region,), (code,)) for region, code in OUTPUT_CODES.items()
      if region not in ("Germany_East", "Germany_West", "India")),
    Group("Germany (both zones)", ("Germany_East", "Germany_West"), ("DEU",)),
    Group("British India", ("India",), ("IND", "PAK", "BGD")),
)

# Crude birth and death rates: each region against the unweighted mean of the WPP locations
# named (WPP 2019 has today's countries only: Czechia and Slovakia for Czechoslovakia, Germany
# for both zones). The USSR is left out: WPP has its fifteen republics but no weights for them.
WPP_LOCATIONS: dict[str, tuple[str, ...]] = {
    "Poland": ("Poland",), "Czechoslovakia": ("Czechia", "Slovakia"), "Hungary": ("Hungary",),
    "Romania": ("Romania",), "Bulgaria": ("Bulgaria",), "Germany_East": ("Germany",),
    "USA": ("United States of America",), "UK": ("United Kingdom",), "France": ("France",),
    "Netherlands": ("Netherlands",), "Germany_West": ("Germany",), "Italy": ("Italy",),
    "India": ("India", "Pakistan", "Bangladesh"), "Indochina": ("Viet Nam",),
    "Indonesia": ("Indonesia",),
}


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("sovsim.validate").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def maddison() -> tuple[dict[str, dict[int, float]], dict[str, dict[int, float]]]:
    """GDP per head (1990 GK$) and population (persons) by Maddison code and year."""
    gdp: dict[str, dict[int, float]] = {}
    pop: dict[str, dict[int, float]] = {}
    for row in _rows(MADDISON_FILE):
        code, year = row["country_code"], int(row["year"])
        if row["gdp_pc"]:
            gdp.setdefault(code, {})[year] = float(row["gdp_pc"])
        if row["population_thousands"]:
            pop.setdefault(code, {})[year] = 1000.0 * float(row["population_thousands"])
    return gdp, pop


@cache
def wpp_rates() -> dict[str, dict[int, tuple[float, float]]]:
    """(crude birth rate, crude death rate) per 1000 by WPP location and first year of the
    five-year period (1950 for 1950-1955)."""
    out: dict[str, dict[int, tuple[float, float]]] = {}
    for row in _rows(WPP_FILE):
        first = int(row["period"].split("-")[0])
        out.setdefault(row["location"], {})[first] = (float(row["cbr"]), float(row["cdr"]))
    return out


def output_per_head(region: str) -> dict[int, float]:
    """Maddison (2010) output per head of the series a region is compared with."""
    return dict(maddison()[0][OUTPUT_CODES[region]])


def group_population(group: Group, year: int) -> float:
    """Summed Maddison population of a group's codes in `year` (nan if one is missing)."""
    pop = maddison()[1]
    values = [pop.get(code, {}).get(year, math.nan) for code in group.codes]
    return float(sum(values))


def region_rates(region: str, period: int) -> tuple[float, float]:
    """WPP crude birth and death rates (per 1000) of a region in the period starting in
    `period` (unweighted mean over its locations); nan where WPP has none."""
    if region not in WPP_LOCATIONS:
        return math.nan, math.nan
    rates = wpp_rates()
    values = [rates[loc][period] for loc in WPP_LOCATIONS[region] if period in rates.get(loc, {})]
    if not values:
        return math.nan, math.nan
    return (sum(v[0] for v in values) / len(values), sum(v[1] for v in values) / len(values))


# --- the demographic transition's elasticities (sovsim.economy.demography) -------------------
FIT_PERIODS = (1950, 1955, 1960, 1965)   # WPP periods 1950-1955 ... 1965-1970
# WPP location -> Maddison code of its GDP per head (Czechia and Slovakia take Czechoslovakia's)
FIT_COUNTRIES: dict[str, str] = {
    "Poland": "POL", "Czechia": "CSK", "Slovakia": "CSK", "Hungary": "HUN", "Romania": "ROU",
    "Bulgaria": "BGR", "Germany": "DEU", "United States of America": "USA",
    "United Kingdom": "GBR", "France": "FRA", "Netherlands": "NLD", "Italy": "ITA",
    "India": "IND", "Pakistan": "PAK", "Bangladesh": "BGD", "Viet Nam": "VNM",
    "Indonesia": "IDN",
}


def transition_elasticities(periods: tuple[int, ...] = FIT_PERIODS
                            ) -> dict[str, tuple[float, float]]:
    """Within-country elasticities of the crude birth and death rates on GDP per head, with
    their standard errors: {"birth": (eps, se), "death": (eps, se)}."""
    gdp, _ = maddison()
    rates = wpp_rates()
    out = {}
    for k, name in enumerate(("birth", "death")):
        xs, ys, groups = [], [], []
        for g, (loc, code) in enumerate(FIT_COUNTRIES.items()):
            for p in periods:
                years = [gdp[code][y] for y in range(p, p + 5) if y in gdp.get(code, {})]
                if not years or p not in rates.get(loc, {}):
                    continue
                xs.append(math.log(sum(years) / len(years)))
                ys.append(math.log(rates[loc][p][k]))
                groups.append(g)
        x, y, grp = np.array(xs), np.array(ys), np.array(groups)
        for g in np.unique(grp):
            m = grp == g
            x[m] -= x[m].mean()
            y[m] -= y[m].mean()
        eps = float(x @ y / (x @ x))
        resid = y - eps * x
        dof = len(y) - len(np.unique(grp)) - 1
        out[name] = (eps, float(math.sqrt(resid @ resid / dof / (x @ x))))
    return out
