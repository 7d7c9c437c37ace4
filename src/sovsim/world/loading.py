"""Reading scenario files: built-in names or paths, inheritance, validation, clear errors."""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sovsim.world.pars import PARS, Pars
from sovsim.world.priors import Prior
from sovsim.world.schema import Scenario, number_values

BUILTIN_PACKAGE = "sovsim.world.scenarios"


class ScenarioError(ValueError):
    """A scenario that cannot be run, with the file and key that say why."""


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with the text it was resolved from."""

    model: Scenario
    path: str
    resolved: dict[str, Any]

    @property
    def name(self) -> str:
        return self.model.scenario.name

    @property
    def pars(self) -> Pars:
        """The behavioural parameters as a typed, frozen record (`pars.eta`); `validate` has
        checked that every name of PARS is set, and within its domain."""
        return Pars.from_mapping(number_values(self.model.pars))

    @property
    def ref(self) -> str:
        """What `load` takes back: a built-in scenario's name, or the file's absolute path."""
        if self.path.endswith(".toml"):
            return str(Path(self.path).resolve())
        return self.path.split(" (", 1)[0]

    @property
    def sha256(self) -> str:
        """SHA-256 of the resolved scenario (inheritance applied), as canonical JSON."""
        text = json.dumps(self.resolved, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the package (base files excluded)."""
    root = resources.files(BUILTIN_PACKAGE)
    return sorted(p.name[:-5] for p in root.iterdir()
                  if p.name.endswith(".toml") and not p.name.startswith("base"))


def builtin_path(name: str) -> Path:
    """Path of a built-in scenario file."""
    return Path(str(resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.toml")))


def describe_builtin(name: str) -> str:
    """The one-line description of a built-in scenario."""
    return load(name).model.scenario.description


def _locate(ref: str, relative_to: Path | None) -> Path:
    candidate = Path(ref)
    if candidate.suffix == ".toml":
        if not candidate.is_absolute() and relative_to is not None:
            candidate = relative_to.parent / candidate
        if not candidate.exists():
            raise ScenarioError(f"{ref}: no such scenario file")
        return candidate
    if ref in builtin_names() or builtin_path(ref).exists():
        return builtin_path(ref)
    raise ScenarioError(
        f"{ref}: unknown scenario; valid: {', '.join(builtin_names())} or a path to a .toml file")


LISTS = ("schedule", "events")  # appended to by a child scenario, unless it replaces them
REPLACE_KEY = "replace"         # [scenario] replace = ["events"]: the child's list replaces
MIN_AGENTS_PER_REGION = 10      # fewer leaves a region's classes empty and its growth undefined


def _merge(base: dict[str, Any], over: dict[str, Any],
           replace: tuple[str, ...] = ()) -> dict[str, Any]:
    """Deep merge: tables merge key by key, schedules and events are appended (those named in
    `replace` are replaced), a number with its provenance and anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if key in LISTS and isinstance(value, list) and key not in replace:
            out[key] = list(base.get(key, [])) + list(value)
        elif isinstance(value, dict) and isinstance(base.get(key), dict) and not _is_leaf(value):
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
    return out


def _is_leaf(table: dict[str, Any]) -> bool:
    # A number with its provenance is replaced whole, so that a file that overrides a value
    # also states where the new value comes from.
    return "value" in table


def _read(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path.resolve() in chain:
        raise ScenarioError(f"{path}: scenario.inherits forms a cycle")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start}); scenario files are "
                            "UTF-8 TOML") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc.strerror}") from None
    head = data.get("scenario", {})
    if not isinstance(head, dict):
        raise ScenarioError(f"{path}: scenario: must be a table ([scenario] with name, "
                            "description, start, end), got a {type(head).__name__}")
    replace = head.pop(REPLACE_KEY, [])
    if not isinstance(replace, list) or not set(replace) <= set(LISTS):
        raise ScenarioError(f"{path}: scenario.replace: a list of {' and '.join(LISTS)}, "
                            f"got {replace!r}")
    parent = head.get("inherits")
    if parent is None:
        if replace:
            raise ScenarioError(f"{path}: scenario.replace: only a scenario that inherits "
                                "replaces lists")
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: scenario.inherits must be a scenario name or a path")
    base = _read(_locate(parent, path), (*chain, path.resolve()))
    # every table is inherited, [scenario] included: a child states only what it changes
    return _merge(base, data, tuple(replace))


def agents_needed(model: Scenario, least: int = MIN_AGENTS_PER_REGION) -> int:
    """The fewest agents that give every region of the scenario at least `least` agents (agents
    are apportioned to regions by population, largest remainder first)."""
    from sovsim.world.build import largest_remainder

    pops = [r.population.value for r in model.regions.values()]
    if not pops:
        return least
    total = sum(pops)
    n = max(least, math.floor((least - 1) * total / min(pops)))
    while min(largest_remainder(n, pops)) < least:
        n += 1
    return n


def check_agents(loaded: LoadedScenario, agents: int, option: str = "--agents") -> None:
    """Refuse an agent count that leaves a region of the scenario nearly empty."""
    need = agents_needed(loaded.model)
    if agents < need:
        raise ScenarioError(
            f"{option} {agents}: too few for {loaded.path}; its {len(loaded.model.regions)} "
            f"regions need at least {need} agents ({MIN_AGENTS_PER_REGION} in the smallest "
            "region)")


def _loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif not str(item).startswith(("function-", "literal[")):
            parts.append(str(item))
    return ".".join(parts)


def validate(data: dict[str, Any], path: str) -> Scenario:
    """Validate resolved scenario data; raise ScenarioError naming the file and key path."""
    try:
        model = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _loc(tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        if err["type"] == "literal_error":
            msg = f"got {err.get('input')!r}; {msg}"
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        prefix = f"{path}: {where}: " if where else f"{path}: "
        raise ScenarioError(f"{prefix}{msg}{more}") from None
    unknown = sorted(set(model.pars) - set(PARS))
    if unknown:
        raise ScenarioError(f"{path}: pars.{unknown[0]}: unknown parameter; valid: {sorted(PARS)}")
    for name, number in model.pars.items():
        spec = PARS[name]
        if not spec.low <= number.value <= spec.high:
            raise ScenarioError(
                f"{path}: pars.{name}: {number.value} is outside its domain "
                f"[{spec.low}, {spec.high}] ({spec.unit})")
        if number.prior is not None:
            _check_prior(path, name, number.value, number.prior)
    _refuse_stray_priors(data, path)
    missing = sorted(set(PARS) - set(model.pars))
    if missing:
        raise ScenarioError(f"{path}: pars: missing parameter(s) {missing}")
    return model


def _check_prior(path: str, name: str, value: float, prior: Prior) -> None:
    """Refuse a prior whose support leaves the parameter's domain or does not hold its value."""
    spec = PARS[name]
    lo, hi = prior.support()
    if lo < spec.low or hi > spec.high:
        raise ScenarioError(
            f"{path}: pars.{name}.prior: its support [{lo:g}, {hi:g}] leaves the domain "
            f"[{spec.low:g}, {spec.high:g}] ({spec.unit}); bound it with `low`/`high` inside")
    if not lo <= value <= hi:
        raise ScenarioError(
            f"{path}: pars.{name}.prior: the value {value:g} is outside the prior's support "
            f"[{lo:g}, {hi:g}]")


def _refuse_stray_priors(data: Any, path: str, where: str = "") -> None:
    # Only [pars] is sampled; a prior anywhere else would be silently ignored, so it is refused.
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{where}.{key}" if where else str(key)
            if key == "prior" and "value" in data and not where.startswith("pars."):
                raise ScenarioError(f"{path}: {here}: priors are read only in [pars]")
            _refuse_stray_priors(value, path, here)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            _refuse_stray_priors(item, path, f"{where}[{i}]")


def load(ref: str | Path) -> LoadedScenario:
    """Load a built-in scenario by name or a scenario file by path, resolved and validated."""
    path = _locate(str(ref), None)
    data = _read(path)
    shown = str(ref) if Path(str(ref)).suffix == ".toml" else f"{ref} ({path.name})"
    return LoadedScenario(validate(data, shown), shown, data)
