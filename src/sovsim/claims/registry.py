"""The registry of the essay's claims (MODEL.md §6): what each claim says, where the essay says it,
and how it is tested.

The registry is package data (`registry.toml`), validated by the pydantic schema below: nine claims
C1-C9, each with its seed paragraphs, a sentence of our own, a verbatim quotation cited as
seed ¶N, the hypothesis as a measurable comparison, and the experiment's design.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

REGISTRY_FILE = "registry.toml"
CLAIM_ID = r"^C[1-9][0-9]*$"


class RegistryError(ValueError):
    """A registry file that cannot be read, with the key that says why."""


class Strict(BaseModel):
    """Base of every registry table: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Hypothesis(Strict):
    """A claim as a measurable comparison: metric, scenarios, what is compared, the direction
    that supports it, the horizon, the support rule and the effect reported."""

    metric: str = Field(min_length=1)
    scenarios: list[str] = Field(min_length=1)
    compared: str = Field(min_length=1)
    direction: str = Field(min_length=1)
    horizon: str = Field(min_length=1)
    support: str = Field(min_length=1)
    effect_name: str = Field(min_length=1)
    effect_unit: str = Field(min_length=1)


class Claim(Strict):
    """One claim of the essay and the design of its experiment."""

    id: Annotated[str, Field(pattern=CLAIM_ID)]
    title: str = Field(min_length=1)
    paragraphs: list[Annotated[int, Field(ge=1)]] = Field(min_length=1)
    statement: str = Field(min_length=1)
    quotation: str = Field(min_length=1)
    cited: Annotated[int, Field(ge=1)]   # the paragraph the quotation is taken from
    design: str = Field(min_length=1)
    hypothesis: Hypothesis

    @model_validator(mode="after")
    def _cited_among_paragraphs(self) -> Claim:
        if self.cited not in self.paragraphs:
            raise ValueError(f"{self.id}: the quotation's paragraph {self.cited} is not among "
                             f"its paragraphs {self.paragraphs}")
        return self

    @property
    def seed(self) -> str:
        """The claim's paragraphs as a citation, e.g. `seed ¶5-6` or `seed ¶7`."""
        return "seed ¶" + _span(self.paragraphs)

    @property
    def citation(self) -> str:
        """The quotation with its source: `"..." (seed ¶N)`."""
        return f"“{self.quotation}” (seed ¶{self.cited})"


class Registry(Strict):
    """All claims, in order, with unique ids."""

    claim: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        ids = [c.id for c in self.claim]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"claim ids must be unique; repeated: {dupes}")
        return self

    @property
    def ids(self) -> list[str]:
        """The claim ids in registry order."""
        return [c.id for c in self.claim]

    def get(self, claim_id: str) -> Claim:
        """The claim with this id; KeyError naming the valid ids otherwise."""
        for c in self.claim:
            if c.id == claim_id:
                return c
        raise KeyError(f"unknown claim `{claim_id}`; valid: {', '.join(self.ids)}")


def _span(paragraphs: list[int]) -> str:
    ps = sorted(set(paragraphs))
    if len(ps) > 1 and ps == list(range(ps[0], ps[-1] + 1)):
        return f"{ps[0]}-{ps[-1]}"
    return ", ".join(str(p) for p in ps)


def parse(text: str, where: str = REGISTRY_FILE) -> Registry:
    """A registry from TOML text; RegistryError names the file and the failing key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{where}: not valid TOML: {exc}") from None
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        raise RegistryError(f"{where}: {loc}: {msg}") from None


@functools.lru_cache(maxsize=1)
def load_registry() -> Registry:
    """The claims shipped with the package."""
    text = resources.files(__package__).joinpath(REGISTRY_FILE).read_text(encoding="utf-8")
    return parse(text)


def select(only: str | list[str] | None) -> list[Claim]:
    """The claims named in `only` ("C4,C7" or a list; None or empty: all), in registry order.

    Raises ValueError naming the unknown ids and the valid ones."""
    reg = load_registry()
    if only is None or (isinstance(only, str) and not only.strip()):
        return list(reg.claim)
    names = only.split(",") if isinstance(only, str) else list(only)
    wanted = [n.strip().upper() for n in names if n.strip()]
    unknown = [n for n in wanted if n not in reg.ids]
    if unknown or not wanted:
        raise ValueError(f"unknown claim id(s) {', '.join(unknown) or repr(only)}; "
                         f"valid: {', '.join(reg.ids)}")
    return [c for c in reg.claim if c.id in wanted]


__all__ = ["Claim", "Hypothesis", "Registry", "RegistryError", "load_registry", "parse",
           "select"]
