"""The scenario file's schema: every number with its provenance, every share in [0, 1].

A scenario is a TOML file. A number is written either as a table
`{ value = 0.3, source = "..." }` or `{ value = 0.3, assumed = true, reason = "..." }`; a table of
shares (classes, sectors, owners) carries one `source` or `assumed`/`reason` for all its entries.
A behavioural parameter in `[pars]` may add `prior = { dist = "uniform", low = 0.2, high = 0.4 }`
(sovsim.world.priors).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sovsim.world.names import (
    AUTHORITIES,
    BLOCS,
    CLASSES,
    LEVER_DOMAINS,
    LEVERS,
    OWNERS,
    SECTORS,
    WAGE_SETTINGS,
)
from sovsim.world.pars import PARS
from sovsim.world.priors import Prior

SHARE_TOLERANCE = 1e-6

# Behavioural parameters a region may set for itself in `[regions.X.pars]`, overriding the
# shared `[pars]`: the growth parameters the economy reads region by region (productivity growth,
# capital-output ratios, capitalists' reinvestment), so that each bloc can be calibrated against
# its own history (claims laboratory, item 7). Every other parameter stays world-wide.
REGIONAL_PARS: tuple[str, ...] = (
    "sigma_heavy", "sigma_light", "sigma_agri", "g0_heavy", "g0_light", "g0_agri", "eta",
    "saving_capitalist",
)


class Strict(BaseModel):
    """Base of every scenario table: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_lever(name: str, value: float) -> None:
    """Refuse an unknown lever or a value outside its domain."""
    if name not in LEVERS:
        raise ValueError(f"unknown lever `{name}`; valid: {sorted(LEVERS)}")
    low, high = LEVER_DOMAINS[name]
    if not low <= value <= high:
        raise ValueError(f"lever `{name}` = {value} is outside its domain [{low}, {high}]")


def check_regional_par(name: str, value: float) -> None:
    """Refuse a parameter a region cannot set for itself, or a value outside its domain."""
    if name not in REGIONAL_PARS:
        raise ValueError(f"`{name}` cannot be set per region; valid: {list(REGIONAL_PARS)}")
    spec = PARS[name]
    if not spec.low <= value <= spec.high:
        raise ValueError(f"`{name}` = {value} is outside its domain [{spec.low}, {spec.high}] "
                         f"({spec.unit})")


def _check_provenance(source: str | None, assumed: bool, reason: str | None) -> None:
    if source is not None and assumed:
        raise ValueError("give either `source` or `assumed = true`, not both")
    if source is None and not assumed:
        raise ValueError("a number needs `source = \"...\"` or `assumed = true` with a `reason`")
    if source is not None and not source.strip():
        raise ValueError("`source` is empty")
    if assumed and not (reason and reason.strip()):
        raise ValueError("`assumed = true` needs a one-line `reason`")


class Number(Strict):
    """A number with its provenance."""

    value: float
    source: str | None = None
    assumed: bool = False
    reason: str | None = None
    unit: str | None = None
    prior: Prior | None = None  # read for [pars] only; loading.validate checks its domain

    @model_validator(mode="after")
    def _provenance(self) -> Number:
        _check_provenance(self.source, self.assumed, self.reason)
        if not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        return self


class Share(Number):
    """A number in [0, 1] with its provenance."""

    value: Annotated[float, Field(ge=0.0, le=1.0)]


class ShareTable(BaseModel):
    """Shares over a fixed set of names that sum to 1, with one provenance for the table."""

    model_config = ConfigDict(extra="allow", frozen=True)
    NAMES: tuple[str, ...] = ()

    source: str | None = None
    assumed: bool = False
    reason: str | None = None

    @model_validator(mode="after")
    def _shares(self) -> ShareTable:
        _check_provenance(self.source, self.assumed, self.reason)
        extra = dict(self.model_extra or {})
        unknown = sorted(set(extra) - set(self.NAMES))
        if unknown:
            raise ValueError(f"unknown name(s) {unknown}; valid: {list(self.NAMES)}")
        for name, value in extra.items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"`{name}` must be a number, got {value!r}")
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"share `{name}` = {value} is outside [0, 1]")
        total = sum(float(v) for v in extra.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"shares sum to {total:.6g}, they must sum to 1")
        return self

    def vector(self) -> list[float]:
        """The shares in the fixed order of NAMES (missing names are 0)."""
        extra = self.model_extra or {}
        return [float(extra.get(n, 0.0)) for n in self.NAMES]


class ClassShares(ShareTable):
    """Shares of the population by class."""

    NAMES: tuple[str, ...] = CLASSES


class SectorShares(ShareTable):
    """Shares of output by sector."""

    NAMES: tuple[str, ...] = SECTORS


class OwnerShares(ShareTable):
    """Shares of a sector's capital by owner."""

    NAMES: tuple[str, ...] = OWNERS


class ForeignOwners(BaseModel):
    """Shares of a region's FOREIGN capital by owning region (names checked against regions)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    source: str | None = None
    assumed: bool = False
    reason: str | None = None

    @model_validator(mode="after")
    def _shares(self) -> ForeignOwners:
        _check_provenance(self.source, self.assumed, self.reason)
        extra = self.model_extra or {}
        total = 0.0
        for name, value in extra.items():
            if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"share `{name}` = {value!r} must be a number in [0, 1]")
            total += float(value)
        if extra and abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"shares sum to {total:.6g}, they must sum to 1")
        return self

    def shares(self) -> dict[str, float]:
        """Owner region name -> share of FOREIGN capital."""
        return {k: float(v) for k, v in (self.model_extra or {}).items()}


class Ownership(Strict):
    """Ownership of each sector's capital."""

    HEAVY: OwnerShares
    LIGHT: OwnerShares
    AGRI: OwnerShares


class Region(Strict):
    """A country or zone at the start of the run."""

    bloc: Literal[BLOCS]  # type: ignore[valid-type]
    controller: str | None = None
    authority: Literal[AUTHORITIES]  # type: ignore[valid-type]
    wage_setting: Literal[WAGE_SETTINGS]  # type: ignore[valid-type]
    population: Number
    output_per_capita: Number
    birth_rate: Number
    death_rate: Number
    wage_share: Share
    classes: ClassShares
    sectors: SectorShares
    ownership: Ownership
    foreign_owners: ForeignOwners | None = None
    policy: dict[str, Number] = Field(default_factory=dict)
    # the region's own values of some shared parameters (names in REGIONAL_PARS)
    pars: dict[str, Number] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _levers(self) -> Region:
        for name, number in self.policy.items():
            check_lever(name, number.value)
        for name, number in self.pars.items():
            try:
                check_regional_par(name, number.value)
            except ValueError as exc:
                raise ValueError(f"pars.{name}: {exc}") from None
        if self.population.value <= 0 or self.output_per_capita.value <= 0:
            raise ValueError("population and output_per_capita must be positive")
        return self


class Change(Strict):
    """A scheduled policy value: from `date` on, `lever` of `region` takes `value`."""

    date: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    region: str
    lever: str
    value: Number

    @model_validator(mode="after")
    def _lever(self) -> Change:
        check_lever(self.lever, self.value.value)
        return self


EVENT_KINDS = ("attack", "withdraw", "federate", "mobilise", "shock")
SHOCK_KINDS = ("harvest", "destruction", "famine")


class Event(Strict):
    """A scheduled event: war, withdrawal, federation, instrumental mobilisation, shock."""

    kind: str
    date: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    attacker: str | None = None
    target: str | None = None
    region: str | None = None
    regions: list[str] | None = None
    months: int | None = Field(default=None, ge=1, le=600)
    shock: str | None = None
    size: Number | None = None
    # where the event's date (and months) come from, like any number's provenance
    source: str | None = None
    assumed: bool = False
    reason: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Event:
        _check_provenance(self.source, self.assumed, self.reason)
        need = {"attack": ("attacker", "target"), "withdraw": ("region",),
                "federate": ("regions",), "mobilise": ("region", "months"),
                "shock": ("region", "shock", "size")}
        if self.kind not in need:
            raise ValueError(f"unknown event kind `{self.kind}`; valid: {list(EVENT_KINDS)}")
        missing = [k for k in need[self.kind] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a `{self.kind}` event needs {missing}")
        if self.kind == "attack" and self.attacker == self.target:
            raise ValueError(f"`{self.attacker}` cannot attack itself")
        if self.kind == "shock" and self.shock not in SHOCK_KINDS:
            raise ValueError(f"unknown shock `{self.shock}`; valid: {list(SHOCK_KINDS)}")
        if self.kind == "shock" and self.size is not None and not 0 <= self.size.value <= 1:
            raise ValueError("a shock's size is a share in [0, 1]")
        if self.kind == "federate" and self.regions is not None and len(self.regions) < 2:
            raise ValueError("a federation needs at least two regions")
        return self

    def names(self) -> list[str]:
        """Every region the event names."""
        out = [n for n in (self.attacker, self.target, self.region) if n is not None]
        return out + list(self.regions or [])


class Horizon(Strict):
    """Name, description and time span of the scenario."""

    name: str
    description: str
    start: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    end: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    inherits: str | None = None

    @model_validator(mode="after")
    def _order(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Scenario(Strict):
    """A whole scenario: horizon, behavioural parameters, regions, policy defaults, schedule."""

    scenario: Horizon
    pars: dict[str, Number] = Field(default_factory=dict)
    policy: dict[str, Number] = Field(default_factory=dict)
    regions: dict[str, Region]
    schedule: list[Change] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        names = list(self.regions)
        if not names:
            raise ValueError("a scenario needs at least one region")
        for name, number in self.policy.items():
            try:
                check_lever(name, number.value)
            except ValueError as exc:
                raise ValueError(f"policy.{name}: {exc}") from None
        for name, region in self.regions.items():
            if region.controller is not None and region.controller not in self.regions:
                raise ValueError(
                    f"regions.{name}.controller: unknown region `{region.controller}`; "
                    f"valid: {names}")
            if region.foreign_owners is not None:
                for owner in region.foreign_owners.shares():
                    if owner not in self.regions:
                        raise ValueError(
                            f"regions.{name}.foreign_owners: unknown region `{owner}`; "
                            f"valid: {names}")
        for i, change in enumerate(self.schedule):
            if change.region not in self.regions:
                raise ValueError(
                    f"schedule[{i}].region: unknown region `{change.region}`; valid: {names}")
            if not self.scenario.start <= change.date <= self.scenario.end:
                raise ValueError(
                    f"schedule[{i}].date: {change.date} is outside the horizon "
                    f"{self.scenario.start}..{self.scenario.end}")
        for i, event in enumerate(self.events):
            for name in event.names():
                if name not in self.regions:
                    raise ValueError(
                        f"events[{i}]: unknown region `{name}`; valid: {names}")
            if not self.scenario.start <= event.date <= self.scenario.end:
                raise ValueError(
                    f"events[{i}].date: {event.date} is outside the horizon "
                    f"{self.scenario.start}..{self.scenario.end}")
            if event.kind == "withdraw":
                region = self.regions[event.region]
                if region.controller in (None, event.region) or region.authority != "occupation":
                    occupied = [n for n, r in self.regions.items()
                                if r.authority == "occupation" and r.controller not in (None, n)]
                    raise ValueError(
                        f"events[{i}].region: `{event.region}` is not under occupation; "
                        f"regions under occupation: {occupied}")
        return self


def number_values(table: dict[str, Number]) -> dict[str, float]:
    """Strip provenance from a table of numbers."""
    return {k: v.value for k, v in table.items()}

