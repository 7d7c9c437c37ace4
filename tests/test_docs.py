"""The documentation stays true to the code: the ODD's step plan, parameters and outputs."""

from __future__ import annotations

import re
from pathlib import Path

from sovsim.engine.sim import Sim
from sovsim.world.loading import load
from sovsim.world.parameter_table import render
from sovsim.world.pars import PARS

ROOT = Path(__file__).resolve().parents[1]
ODD = (ROOT / "docs" / "ODD.md").read_text()


def test_odd_parameter_appendix_is_the_scenarios_own():
    assert render(load("world1946")) in ODD, (
        "regenerate the appendix: python -c 'from pathlib import Path; "
        "from sovsim.world.loading import load; "
        "from sovsim.world.parameter_table import render, splice; p = Path(\"docs/ODD.md\"); "
        "p.write_text(splice(p.read_text(), render(load(\"world1946\"))))'")


def test_odd_step_plan_table_is_the_sims(tiny_path):
    sim = Sim(tiny_path, agents=100)
    rows = re.findall(r"^\| (\d+) \| `?([\w.]+)`? \| (\w+) \|", ODD, flags=re.M)
    assert [(m, n) for _, m, n in rows] == [(e.module, e.name) for e in sim.plan]


def test_every_parameter_named_in_the_odd_exists():
    named = set(re.findall(r"(?<!`)\[([a-z_0-9*]+)\](?!`)", ODD))
    for name in named:
        if name.endswith("*"):
            assert any(p.startswith(name[:-1]) for p in PARS), name
        else:
            assert name in PARS, name
