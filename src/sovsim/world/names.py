"""The model's vocabulary: classes, sectors, owners, blocs, authorities, policy levers.

Every index used in an array of the model is defined here once, so that the economy, the
politics and the classifier agree on what row 3 of a class table is.
"""

from __future__ import annotations

from enum import IntEnum


class Klass(IntEnum):
    """Social class of an agent (MODEL.md §2)."""

    WORKER = 0
    PEASANT = 1
    COLLECTIVE_FARMER = 2
    ARTISAN = 3
    LANDLORD = 4
    CAPITALIST = 5
    BUREAUCRAT = 6
    ENFORCER = 7


class Sector(IntEnum):
    """Branch of production: Marx's Departments I and II, and agriculture with its land."""

    HEAVY = 0
    LIGHT = 1
    AGRI = 2


class Owner(IntEnum):
    """Property form of a stock of capital."""

    STATE = 0
    PRIVATE = 1
    FOREIGN = 2
    LANDLORD = 3
    SMALL = 4
    COLLECTIVE = 5


class Status(IntEnum):
    """Public state of an agent (Epstein 2002, with death for terror, war and famine)."""

    QUIET = 0
    ACTIVE = 1
    JAILED = 2
    DEAD = 3


CLASSES: tuple[str, ...] = tuple(k.name for k in Klass)
SECTORS: tuple[str, ...] = tuple(s.name for s in Sector)
OWNERS: tuple[str, ...] = tuple(o.name for o in Owner)
N_CLASSES = len(CLASSES)
N_SECTORS = len(SECTORS)
N_OWNERS = len(OWNERS)

BLOCS: tuple[str, ...] = ("soviet", "buffer", "imperialist", "capitalist", "colony", "federation")

AUTHORITIES: tuple[str, ...] = (
    "bureaucracy",       # the Soviet bureaucracy: its behaviour is the chosen theory
    "occupation",        # Soviet occupation authority in the buffer zone
    "finance_capital",   # government of an imperialist or capitalist power
    "colonial",          # colonial administration
    "councils",          # workers' councils
    "provisional",       # after a withdrawal, until the mobilised balance decides
)

WAGE_SETTINGS: tuple[str, ...] = ("planned", "market")

# Policy levers: the values an authority sets each step and the economy and politics read.
# Scenarios give their initial values and a schedule; authorities decide them as the run goes.
# Rates are continuous yearly rates: a stock moved at rate r falls as exp(-r t).
LEVERS: dict[str, str] = {
    "course": "course x in [-1,1]: -1 concessions to private accumulation, +1 crackdown on it",
    "lam": "lambda: share of planned investment going to HEAVY (Feldman-Mahalanobis lambda_k)",
    "privilege_share": "share Pi of the state budget consumed as privileges of the bureaucracy",
    "accumulation_share": "share of the state budget put into the accumulation fund",
    "procurement": "share of SMALL and COLLECTIVE agricultural income taken by the state",
    "planned_wage_share": "wage share u set by a planning authority (wage_setting=planned)",
    "colonial_wage_share": "ceiling on the wage share in a controlled region (superexploitation)",
    "enforcers_per_pop": "enforcers per person of the region",
    "jail_max": "maximum jail term J_max in months",
    "psi_left": "weight of left (proletarian) action in the enforcers' targeting",
    "psi_right": "weight of right (restorationist) action in the enforcers' targeting",
    "terror_rate": "monthly probability that a jailed agent dies (terror)",
    "nationalisation_rate": "yearly share of PRIVATE and FOREIGN industrial capital made STATE",
    "agrarian_reform_rate": "yearly share of LANDLORD land given to SMALL holders",
    "collectivisation_rate": "yearly share of SMALL land and of peasants made COLLECTIVE",
    "expropriation_rate": "yearly share of SMALL capital taken by FOREIGN and LANDLORD owners",
    "pillage_rate": "yearly share of industrial capital shipped to the controller",
    "export_share": "share of capitalist savings exported to controlled regions",
    "agitation": "intensity in [0,1] of anti-Soviet agitation by a finance-capital government",
}

# lever -> (low, high): values outside are refused in scenario files
LEVER_DOMAINS: dict[str, tuple[float, float]] = {
    "course": (-1.0, 1.0), "lam": (0.0, 1.0), "privilege_share": (0.0, 1.0),
    "accumulation_share": (0.0, 1.0), "procurement": (0.0, 1.0),
    "planned_wage_share": (0.0, 1.0), "colonial_wage_share": (0.0, 1.0),
    "enforcers_per_pop": (0.0, 0.2), "jail_max": (0.0, 600.0), "psi_left": (0.0, 10.0),
    "psi_right": (0.0, 10.0), "terror_rate": (0.0, 1.0), "nationalisation_rate": (0.0, 12.0),
    "agrarian_reform_rate": (0.0, 12.0), "collectivisation_rate": (0.0, 12.0),
    "expropriation_rate": (0.0, 12.0), "pillage_rate": (0.0, 12.0), "export_share": (0.0, 1.0),
    "agitation": (0.0, 1.0),
}
