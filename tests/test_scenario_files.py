"""Scenario inheritance (a child inherits every table, [scenario] included; schedules and events
append, or are replaced on request), the least agent count, and the documented example files
in docs/, which `sovsim check` accepts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sovsim.cli import app
from sovsim.world.build import largest_remainder
from sovsim.world.loading import (
    MIN_AGENTS_PER_REGION,
    ScenarioError,
    agents_needed,
    check_agents,
    load,
)
from sovsim.world.schema import EVENT_KINDS, SHOCK_KINDS

DOCS = Path(__file__).resolve().parents[1] / "docs"
TINY = Path(__file__).parent / "data" / "tiny.toml"
runner = CliRunner()


@pytest.mark.parametrize("name", ["example_scenario.toml", "example_child.toml"])
def test_sovsim_check_accepts_the_documented_examples(name: str) -> None:
    result = runner.invoke(app, ["check", str(DOCS / name)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok ")


def test_the_example_shows_every_event_kind_and_shock() -> None:
    events = load(DOCS / "example_scenario.toml").model.events
    assert {e.kind for e in events} == set(EVENT_KINDS)
    assert {e.shock for e in events if e.kind == "shock"} == set(SHOCK_KINDS)


def test_the_example_child_inherits_and_replaces_what_it_says() -> None:
    parent = load(DOCS / "example_scenario.toml")
    child = load(DOCS / "example_child.toml")
    assert child.name == "example_child" and child.model.scenario.end == "1953-12"
    assert child.model.scenario.start == parent.model.scenario.start        # inherited
    assert child.model.scenario.description == parent.model.scenario.description
    assert [e.months for e in child.model.events] == [12]                    # replaced
    assert len(child.model.schedule) == len(parent.model.schedule) + 1       # appended
    assert child.model.regions["Plan"].wage_share.value == 0.55
    assert child.model.regions["Plan"].birth_rate == parent.model.regions["Plan"].birth_rate


def write(tmp: Path, text: str) -> Path:
    path = tmp / "child.toml"
    path.write_text(f'[scenario]\ninherits = "{TINY}"\n' + text)
    return path


MOBILISE = ('[[events]]\nkind = "mobilise"\ndate = "1947-01"\nregion = "Plan"\nmonths = 3\n'
            'assumed = true\nreason = "test"\n')
CHANGE = ('[[schedule]]\ndate = "1948-01"\nregion = "Plan"\nlever = "collectivisation_rate"\n'
          'value = { value = 0.1, assumed = true, reason = "test" }\n')


def test_a_child_need_not_repeat_its_scenario_table(tmp_path: Path) -> None:
    child = load(write(tmp_path, 'end = "1948-12"\n'))
    assert child.name == "tiny" and child.model.scenario.start == "1946-01"
    assert child.model.scenario.end == "1948-12"


def test_events_and_schedules_append(tmp_path: Path) -> None:
    parent = load(TINY)
    child = load(write(tmp_path, MOBILISE + CHANGE))
    assert len(child.model.events) == len(parent.model.events) + 1
    assert child.model.schedule[:-1] == parent.model.schedule
    assert child.model.schedule[-1].date == "1948-01"


def test_events_of_a_built_in_parent_are_kept(tmp_path: Path) -> None:
    # a child of world1946 that says nothing of events keeps the Berlin mobilisation
    # (world1946_calibrated, the child this test used, became world1946 itself in issue 8)
    child = tmp_path / "child.toml"
    child.write_text('[scenario]\nname = "child"\ndescription = "inherits world1946"\n'
                     'start = "1946-01"\nend = "1991-12"\ninherits = "world1946"\n')
    assert load(child).resolved["events"] == load("world1946").resolved["events"] != []


@pytest.mark.parametrize("replace", [["schedule"], ["events"], ["schedule", "events"]])
def test_replace_takes_the_childs_list_alone(tmp_path: Path, replace: list[str]) -> None:
    words = ", ".join(f'"{r}"' for r in replace)
    child = load(write(tmp_path, f"replace = [{words}]\n" + MOBILISE + CHANGE))
    parent = load(TINY)
    assert len(child.model.schedule) == (1 if "schedule" in replace
                                         else len(parent.model.schedule) + 1)
    assert len(child.model.events) == (1 if "events" in replace
                                       else len(parent.model.events) + 1)
    assert "replace" not in child.resolved["scenario"]


def test_agents_needed_is_the_least_that_fills_every_region() -> None:
    model = load(TINY).model
    need = agents_needed(model)
    pops = [r.population.value for r in model.regions.values()]
    assert min(largest_remainder(need, np.array(pops))) >= MIN_AGENTS_PER_REGION
    assert min(largest_remainder(need - 1, np.array(pops))) < MIN_AGENTS_PER_REGION
    check_agents(load(TINY), need)
    with pytest.raises(ScenarioError, match=f"need at least {need} agents"):
        check_agents(load(TINY), need - 1)


def test_too_few_agents_is_refused_before_running(tmp_path: Path) -> None:
    need = agents_needed(load(TINY).model)
    result = runner.invoke(app, ["run", str(TINY), "--agents", str(need - 1), "--out",
                                 str(tmp_path / "r")])
    assert result.exit_code == 2 and f"need at least {need} agents" in result.output
    assert not (tmp_path / "r").exists()
