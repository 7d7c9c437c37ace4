"""Which module governs a region: an authority kind (and, for the bureaucracy, a theory) by name."""

from __future__ import annotations

from sovsim.authorities.base import Authority
from sovsim.authorities.bureaucracy import THEORIES
from sovsim.authorities.colonial import Colonial
from sovsim.authorities.councils import Councils
from sovsim.authorities.finance_capital import FinanceCapital
from sovsim.authorities.occupation import Occupation
from sovsim.authorities.provisional import Provisional
from sovsim.world.names import AUTHORITIES
from sovsim.world.pars import Pars

# the theory of the bureaucracy a run takes when none is named (the seed's own: a degenerated
# workers' state)
THEORY_DEFAULT = "dws"

KINDS: dict[str, type[Authority]] = {
    "occupation": Occupation,
    "finance_capital": FinanceCapital,
    "colonial": Colonial,
    "councils": Councils,
    "provisional": Provisional,
}


def make_authority(kind: str, r: int, pars: Pars, initial: dict[str, float],
                   theory: str) -> Authority:
    """The authority of kind `kind` governing region `r`; `theory` chooses the bureaucracy's
    (it has no default, so that no run credits a theory it did not name; other kinds ignore it).

    `pars` are the scenario's behavioural parameters, `initial` the region's lever values at the
    start (name -> value). Raises ValueError naming the valid kinds or theories.
    """
    if kind == "bureaucracy":
        if theory not in THEORIES:
            raise ValueError(f"unknown theory of the bureaucracy {theory!r}; "
                             f"valid: {', '.join(THEORIES)}")
        return THEORIES[theory](r, pars, initial)
    if kind not in KINDS:
        raise ValueError(f"unknown authority kind {kind!r}; valid: {', '.join(AUTHORITIES)}")
    return KINDS[kind](r, pars, initial)
