"""The calibration's data: Maddison (2010) output per head, the blocs of world1946 and the
country each region is compared with, the fit and test windows."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DATA_FILE = "maddison2010_gdp_pc.csv"
DATASET = "Maddison2010"
FIT_YEARS = (1946, 1970)
TEST_YEARS = (1971, 1989)

Series = dict[str, dict[int, float]]  # region -> year -> output per head


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


def maddison2010(path: Path | None = None) -> dict[str, dict[int, float]]:
    """Maddison (2010) GDP per head (1990 GK$) by country code and year, from the package's copy
    (or from `path`, a file of the same form); lines starting with '#' are comments."""
    if path is None:
        text = resources.files("sovsim.calibration").joinpath(DATA_FILE).read_text(encoding="utf-8")
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
