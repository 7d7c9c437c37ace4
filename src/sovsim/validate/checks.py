"""One comparison of a docking case: what the literature says against what sovsim computes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """A row of the `sovsim validate` table."""

    case: str
    quantity: str
    expected: float
    got: float
    tolerance: float
    passed: bool
    note: str = ""

    @classmethod
    def near(
        cls, case: str, quantity: str, expected: float, got: float, tolerance: float,
        *, relative: bool = False, note: str = "",
    ) -> Check:
        """A check that passes when |got - expected| <= tolerance (times |expected| if relative)."""
        bound = tolerance * abs(expected) if relative else tolerance
        return cls(case, quantity, float(expected), float(got), float(bound),
                   bool(abs(got - expected) <= bound), note)
