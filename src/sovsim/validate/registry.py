"""All docking cases of `sovsim validate`, in one list."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sovsim.validate.checks import Check

# module -> function returning list[Check]; each takes `quick` if it has statistical cases
CASES: tuple[tuple[str, str], ...] = (
    ("sovsim.validate.economy_cases", "cases"),
    ("sovsim.validate.epstein", "cases"),
    ("sovsim.validate.granovetter", "cases"),
)


def all_checks(quick: bool = False,
               progress: Callable[[str, int], None] | None = None) -> list[Check]:
    """Run every docking case and return its rows; `progress(name, done)` is told when each
    group of cases starts."""
    rows: list[Check] = []
    for done, (module, func) in enumerate(CASES):
        if progress is not None:
            progress(module.rsplit(".", 1)[-1].replace("_", " "), done)
        fn = getattr(importlib.import_module(module), func)
        try:
            rows.extend(fn(quick=quick))
        except TypeError:
            rows.extend(fn())
    return rows


def skipped() -> list[str]:
    """One line per docking case that cannot run here, saying what would let it run."""
    from sovsim.validate.epstein import MESA_HINT, mesa_available

    return [] if mesa_available() else [MESA_HINT]
