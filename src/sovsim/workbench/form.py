"""The set-up form: what can be changed, each field's check, and the scenario TOML it becomes.

A workbench run is an overlay scenario: a TOML file that inherits the chosen built-in scenario
and states what the user changed (behavioural parameters from PARS, policy changes on the
schedule, added events), each changed number marked `assumed` with the reason that the user set
it. The same file is what "export" offers and what the run loads, so an exported scenario is
the one that ran, and `sovsim check` reads it like any other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic import ValidationError

from sovsim.authorities.bureaucracy import THEORIES
from sovsim.politics.mobilisation.regions import MODES
from sovsim.world.loading import LoadedScenario, builtin_names, load
from sovsim.world.names import LEVER_DOMAINS, LEVERS
from sovsim.world.parameter_table import prior_text
from sovsim.world.pars import PARS
from sovsim.world.schema import EVENT_KINDS, SHOCK_KINDS, Event

MAX_AGENTS = 1_000_000
DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
REASON = "set in the sovsim workbench"

# PARS are listed in groups named by their prefix, in the order the table declares them
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Authorities: the Soviet bureaucracy", ("bureau_", "dws_", "statecap_", "bc_")),
    ("Authorities: occupation, finance capital, colonies, councils",
     ("occupation_", "finance_", "war_decision", "colonial_", "councils_", "provisional_")),
    ("Politics: legitimacy, tendencies, action", ("legitimacy_", "interest_", "tendency_",
                                                  "agitation_", "prestige_pull", "epstein_",
                                                  "enforcer_", "citizen_", "left_reform",
                                                  "right_output", "course_property")),
    ("Prestige and war", ("prestige_", "war_")),
)
ECONOMY = "Economy and population"


def group_of(name: str) -> str:
    """The form section a parameter is shown in."""
    for title, prefixes in GROUPS:
        if name.startswith(prefixes):
            return title
    return ECONOMY


@dataclass(frozen=True)
class Field:
    """One parameter of the form: its domain, meaning, the scenario's value and prior."""

    name: str
    low: float
    high: float
    unit: str
    doc: str
    value: float
    prior: str
    group: str

    @property
    def help(self) -> str:
        """The help text shown under the field."""
        prior = f"; prior {self.prior}" if self.prior else ""
        return (f"{self.doc} [{self.low:g}, {self.high:g}] {self.unit}; scenario value "
                f"{self.value:g}{prior}")


@cache
def scenario(name: str) -> LoadedScenario:
    """A built-in scenario, loaded once."""
    return load(name)


def fields(scenario_name: str) -> list[Field]:
    """Every behavioural parameter with the scenario's value, domain, help and prior."""
    pars = scenario(scenario_name).model.pars
    return [Field(name, spec.low, spec.high, spec.unit, spec.doc, pars[name].value,
                  prior_text(pars[name]), group_of(name)) for name, spec in PARS.items()]


def regions(scenario_name: str) -> list[str]:
    """The scenario's region names."""
    return list(scenario(scenario_name).model.regions)


def horizon(scenario_name: str) -> tuple[str, str]:
    """First and last month of the scenario."""
    h = scenario(scenario_name).model.scenario
    return h.start, h.end


def base_events(scenario_name: str) -> list[dict[str, Any]]:
    """The scenario's own events, as written in its files."""
    return [dict(e) for e in scenario(scenario_name).resolved.get("events", [])]


@dataclass
class Setup:
    """A checked set-up: everything a run needs."""

    scenario: str
    theory: str
    mode: str
    agents: int
    seed: int
    end: int | None
    pars: dict[str, float] = field(default_factory=dict)       # only the changed ones
    changes: list[dict[str, Any]] = field(default_factory=list)  # schedule entries
    events: list[dict[str, Any]] = field(default_factory=list)   # added events


def _number(text: Any) -> float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text)
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def _integer(text: Any) -> int | None:
    value = _number(text)
    return int(value) if value is not None and value == int(value) else None


def check_par(name: str, text: Any) -> tuple[float | None, str | None]:
    """A parameter's value, or the message its field shows."""
    spec = PARS.get(name)
    if spec is None:
        return None, f"unknown parameter `{name}`"
    value = _number(text)
    if value is None:
        return None, f"`{text}` is not a number"
    if not spec.low <= value <= spec.high:
        return None, f"{value:g} is outside the domain [{spec.low:g}, {spec.high:g}] {spec.unit}"
    return value, None


def check_change(change: dict[str, Any], scenario_name: str) -> str | None:
    """The message for a policy change that cannot be scheduled, or None."""
    lever, region, date = change.get("lever"), change.get("region"), change.get("date")
    if lever not in LEVERS:
        return f"choose a lever; valid: {', '.join(sorted(LEVERS))}"
    if region not in regions(scenario_name):
        return f"choose a region of {scenario_name}"
    start, end = horizon(scenario_name)
    if not isinstance(date, str) or not DATE.match(date.strip()):
        return f"date `{date}` is not YYYY-MM"
    if not start <= date.strip() <= end:
        return f"date {date} is outside the horizon {start}..{end}"
    value = _number(change.get("value"))
    low, high = LEVER_DOMAINS[lever]
    if value is None:
        return f"value `{change.get('value')}` is not a number"
    if not low <= value <= high:
        return f"{lever} = {value:g} is outside its domain [{low:g}, {high:g}]"
    return None


def event_record(raw: dict[str, Any]) -> dict[str, Any]:
    """An event as the scenario file writes it, from the form's fields (blank ones dropped)."""
    out: dict[str, Any] = {"kind": raw.get("kind"), "date": str(raw.get("date") or "").strip()}
    for key in ("attacker", "target", "region", "shock"):
        if raw.get(key):
            out[key] = raw[key]
    if raw.get("regions"):
        names = raw["regions"]
        out["regions"] = ([n.strip() for n in names.split(",") if n.strip()]
                          if isinstance(names, str) else list(names))
    months = _integer(raw.get("months")) if raw.get("months") not in (None, "") else None
    if months is not None:
        out["months"] = months
    elif raw.get("months") not in (None, ""):
        out["months"] = raw.get("months")     # left for the schema to refuse, with its message
    size = _number(raw.get("size")) if raw.get("size") not in (None, "") else None
    if size is not None:
        out["size"] = {"value": size, "assumed": True, "reason": REASON}
    out["assumed"] = True
    out["reason"] = REASON
    return out


def check_event(raw: dict[str, Any], scenario_name: str) -> tuple[dict[str, Any] | None,
                                                                   str | None]:
    """An added event in the scenario's words, or the message the event form shows."""
    if raw.get("kind") not in EVENT_KINDS:
        return None, f"choose a kind of event; valid: {', '.join(EVENT_KINDS)}"
    if raw.get("kind") == "shock" and raw.get("shock") not in SHOCK_KINDS:
        return None, f"choose a shock; valid: {', '.join(SHOCK_KINDS)}"
    if raw.get("size") not in (None, "") and _number(raw.get("size")) is None:
        return None, f"size `{raw.get('size')}` is not a number"
    record = event_record(raw)
    try:
        event = Event.model_validate(record)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function"))
        msg = err["msg"].removeprefix("Value error, ")
        return None, f"{where}: {msg}" if where else msg
    names = regions(scenario_name)
    unknown = [n for n in event.names() if n not in names]
    if unknown:
        return None, f"unknown region `{unknown[0]}`; valid: {', '.join(names)}"
    start, end = horizon(scenario_name)
    if not start <= event.date <= end:
        return None, f"date {event.date} is outside the horizon {start}..{end}"
    return record, None


def check(raw: dict[str, Any]) -> tuple[Setup | None, dict[str, str]]:
    """A checked set-up from the form's raw values, or one message per field that is wrong.

    Keys of `raw`: scenario, theory, mode, agents, seed, end, pars (name -> text), changes and
    events (lists of dicts). Keys of the messages: the same names, `par:<name>` for a parameter,
    `changes[i]` and `events[i]`.
    """
    errors: dict[str, str] = {}
    name = raw.get("scenario")
    if name not in builtin_names():
        return None, {"scenario": f"choose a scenario; valid: {', '.join(builtin_names())}"}
    if raw.get("theory") not in THEORIES:
        errors["theory"] = f"choose a theory; valid: {', '.join(THEORIES)}"
    if raw.get("mode") not in MODES:
        errors["mode"] = f"choose a mode; valid: {', '.join(MODES)}"
    agents = _integer(raw.get("agents"))
    if agents is None or not 1 <= agents <= MAX_AGENTS:
        errors["agents"] = f"a whole number of agents from 1 to {MAX_AGENTS:,}"
    seed = _integer(raw.get("seed"))
    if seed is None or seed < 0:
        errors["seed"] = "a whole number >= 0"
    start, last = horizon(name)
    end = None
    if raw.get("end") not in (None, ""):
        end = _integer(raw.get("end"))
        if end is None or not int(start[:4]) <= end <= int(last[:4]):
            errors["end"] = f"a year from {start[:4]} to {last[:4]}"
    base = {f.name: f.value for f in fields(name)}
    pars: dict[str, float] = {}
    for par, text in (raw.get("pars") or {}).items():
        value, message = check_par(par, text)
        if message:
            errors[f"par:{par}"] = message
        elif value != base.get(par):
            pars[par] = value
    changes = []
    for i, change in enumerate(raw.get("changes") or []):
        message = check_change(change, name)
        if message:
            errors[f"changes[{i}]"] = message
        else:
            changes.append({"date": change["date"].strip(), "region": change["region"],
                            "lever": change["lever"], "value": float(change["value"])})
    events = []
    for i, event in enumerate(raw.get("events") or []):
        record, message = check_event(event, name)
        if message:
            errors[f"events[{i}]"] = message
        else:
            events.append(record)
    if errors:
        return None, errors
    return Setup(name, raw["theory"], raw["mode"], agents, seed, end, pars, changes,
                 events), {}


# --- the scenario file ---------------------------------------------------------------------------

def _value(x: Any) -> str:
    """A TOML value: string, boolean, number, array or inline table."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, str):
        return json.dumps(x, ensure_ascii=False)
    if isinstance(x, list | tuple):
        return "[" + ", ".join(_value(v) for v in x) + "]"
    if isinstance(x, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in x.items()) + " }"
    raise TypeError(f"cannot write {type(x).__name__} to TOML")


def scenario_toml(setup: Setup, *, name: str | None = None) -> str:
    """The overlay scenario of a set-up: inherits the built-in scenario, states the changes."""
    base = scenario(setup.scenario)
    horizon_ = base.model.scenario
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    values = {f.name: f.value for f in fields(setup.scenario)}
    lines = [f"# Written by the sovsim workbench, {stamp}: the scenario {setup.scenario} with the",
             "# changes made in the workbench (run it with `sovsim run FILE`, check it with",
             f"# `sovsim check FILE`). Theory {setup.theory}, mode {setup.mode}, "
             f"{setup.agents} agents, seed {setup.seed}"
             + (f", last year {setup.end}" if setup.end else "") + " were chosen with it.",
             "", "[scenario]",
             f"name = {_value(name or setup.scenario + '-workbench')}",
             f"description = {_value('Workbench variant of ' + setup.scenario + ': ' + horizon_.description)}",  # noqa: E501
             f"start = {_value(horizon_.start)}", f"end = {_value(horizon_.end)}",
             f"inherits = {_value(setup.scenario)}"]
    if setup.pars:
        lines += ["", "[pars]"]
        for par, value in setup.pars.items():
            number = {"value": value, "assumed": True,
                      "reason": f"{REASON}; the scenario's value is {values[par]:g}"}
            lines.append(f"{par} = {_value(number)}")
    for change in setup.changes:
        lines += ["", "[[schedule]]", f"date = {_value(change['date'])}",
                  f"region = {_value(change['region'])}", f"lever = {_value(change['lever'])}",
                  "value = " + _value({"value": float(change["value"]), "assumed": True,
                                       "reason": REASON})]
    # a scenario's events are replaced, not appended, by an inheriting file: all are written
    events = base_events(setup.scenario) + setup.events
    for event in events:
        lines += ["", "[[events]]"] + [f"{k} = {_value(v)}" for k, v in event.items()]
    return "\n".join(lines) + "\n"

