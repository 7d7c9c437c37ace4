"""All docking cases of `sovsim validate`, in one list."""

from __future__ import annotations

import importlib

from sovsim.validate.checks import Check

# module -> function returning list[Check]; each takes `quick` if it has statistical cases
CASES: tuple[tuple[str, str], ...] = (
    ("sovsim.validate.economy_cases", "cases"),
    ("sovsim.validate.epstein", "cases"),
    ("sovsim.validate.granovetter", "cases"),
)


def all_checks(quick: bool = False) -> list[Check]:
    """Run every docking case and return its rows."""
    rows: list[Check] = []
    for module, func in CASES:
        fn = getattr(importlib.import_module(module), func)
        try:
            rows.extend(fn(quick=quick))
        except TypeError:
            rows.extend(fn())
    return rows
