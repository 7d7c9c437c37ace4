"""After July 1946, the essay's date, world1946 schedules no event and no `course` (issue 9,
HISTORY.md "Politics"): uprisings, independence and turns must come from the mechanisms. Other
levers' dated values (the buffer's reforms, the USSR's procurement) may stay as documented
inputs."""

from __future__ import annotations

import copy

from sovsim.world.loading import LoadedScenario, load, validate

ESSAY = "1946-07"  # seed: 27 July 1946


def after_the_essay(loaded: LoadedScenario) -> list[str]:
    """The scheduled events and `course` values dated after July 1946."""
    model = loaded.model
    late = [f"event {e.kind} {e.date}" for e in model.events if e.date > ESSAY]
    late += [f"course {s.region} {s.date}" for s in model.schedule
             if s.lever == "course" and s.date > ESSAY]
    return late


def test_world1946_schedules_nothing_that_must_emerge() -> None:
    assert after_the_essay(load("world1946")) == []


def test_a_dated_turn_or_event_is_caught() -> None:
    loaded = load("world1946")
    data = copy.deepcopy(loaded.resolved)
    data["schedule"].append({"date": "1953-09", "region": "USSR", "lever": "course",
                             "value": {"value": -0.3, "assumed": True, "reason": "test"}})
    data["events"].append({"kind": "mobilise", "date": "1956-10", "region": "Hungary",
                           "months": 1, "assumed": True, "reason": "test"})
    dated = LoadedScenario(validate(data, loaded.path), loaded.path, data)
    assert after_the_essay(dated) == ["event mobilise 1956-10", "course USSR 1953-09"]
