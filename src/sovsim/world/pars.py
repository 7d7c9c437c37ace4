"""The behavioural parameters every scenario sets: name, domain and meaning.

Values and their provenance live in the scenario files (`scenarios/base.toml` gives each one);
this table only says which names exist and which values are meaningful, so that a scenario
file, a command-line override or a prior that leaves the domain is refused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParSpec:
    """Domain and meaning of one behavioural parameter."""

    low: float
    high: float
    unit: str
    doc: str


PARS: dict[str, ParSpec] = {
    # Production (MODEL.md §4.1)
    "sigma_heavy": ParSpec(0.5, 10.0, "years", "capital-output ratio of HEAVY"),
    "sigma_light": ParSpec(0.5, 10.0, "years", "capital-output ratio of LIGHT"),
    "sigma_agri": ParSpec(0.5, 10.0, "years", "capital-output ratio of AGRI (land included)"),
    "delta_heavy": ParSpec(0.0, 0.3, "1/year", "depreciation rate of HEAVY capital"),
    "delta_light": ParSpec(0.0, 0.3, "1/year", "depreciation rate of LIGHT capital"),
    "delta_agri": ParSpec(0.0, 0.3, "1/year", "depreciation rate of AGRI capital"),
    "g0_heavy": ParSpec(-0.05, 0.1, "1/year", "autonomous productivity growth in HEAVY"),
    "g0_light": ParSpec(-0.05, 0.1, "1/year", "autonomous productivity growth in LIGHT"),
    "g0_agri": ParSpec(-0.05, 0.1, "1/year", "autonomous productivity growth in AGRI"),
    "eta": ParSpec(0.0, 2.0, "1", "productivity growth per unit of I_heavy/K_heavy"),
    "landlord_drag": ParSpec(0.0, 1.0, "1",
                             "fraction of AGRI productivity growth lost per unit landlord share"),
    "participation": ParSpec(0.1, 1.0, "1", "share of the population in the labour force"),
    "rural_surplus_labour": ParSpec(0.0, 0.8, "1",
                                    "share of agricultural labour beyond AGRI capacity at start"),
    "initial_employment": ParSpec(0.3, 1.0, "1", "industrial employment rate at start"),
    # Distribution (§4.2)
    "agri_wage_share": ParSpec(0.05, 1.0, "1",
                               "wage share of AGRI output on land not worked by its owners"),
    "repatriation": ParSpec(0.0, 1.0, "1", "share rho_repat of FOREIGN surplus sent home"),
    "relief_ratio": ParSpec(0.0, 1.0, "1", "income of an unemployed worker relative to the wage"),
    # Accumulation (§4.3)
    "saving_capitalist": ParSpec(0.0, 1.0, "1", "share of profit capitalists reinvest"),
    "wage_advance": ParSpec(0.0, 2.0, "years",
                            "wages a capitalist advances per unit of extra labour (Marx's v)"),
    "saving_landlord": ParSpec(0.0, 1.0, "1", "share of rent landlords reinvest"),
    "phillips_gamma": ParSpec(0.0, 5.0, "1/year", "Goodwin's gamma: wage fall at zero employment"),
    "phillips_rho": ParSpec(0.0, 10.0, "1/year", "Goodwin's rho: wage response to employment"),
    "planned_agri_share": ParSpec(0.0, 1.0, "1",
                                  "share of non-HEAVY planned investment going to AGRI"),
    "effective_demand": ParSpec(0.0, 1.0, "1",
                                "1: market regions produce only what is demanded (0: Say's law)"),
    "export_gap_response": ParSpec(0.0, 20.0, "1",
                                   "extra export share per unit of profit-rate gap"),
    "export_to_agri": ParSpec(0.0, 1.0, "1", "share of exported capital put into AGRI"),
    "export_to_light": ParSpec(0.0, 1.0, "1", "share of exported capital put into LIGHT"),
    "pillage_loss": ParSpec(0.0, 1.0, "1", "share of pillaged equipment lost in transfer"),
    # Hardship (§4.4)
    "subsistence": ParSpec(50.0, 2000.0, "1990 GK$/person/year", "subsistence income"),
    "hardship_absolute": ParSpec(0.0, 1.0, "1", "weight of deprivation against subsistence"),
    "hardship_relative": ParSpec(0.0, 1.0, "1",
                                 "weight of deprivation against one's own recent income"),
    "income_memory": ParSpec(1.0, 120.0, "months", "averaging time of one's recent income"),
    # Population (§4.10)
    "proletarianisation_speed": ParSpec(0.0, 5.0, "1/year",
                                        "share of the industrial labour gap closed each year"),
    "collectivisation_loss": ParSpec(0.0, 1.0, "1",
                                     "AGRI capital destroyed per unit of land collectivised"),
    "collectivisation_deaths": ParSpec(0.0, 0.2, "1",
                                       "deaths per peasant collectivised by force"),
    "forced_collectivisation": ParSpec(0.0, 1.0, "1/year",
                                       "collectivisation rate above which it counts as forced"),
    "emigration_rate": ParSpec(0.0, 1.0, "1/year", "emigration rate of the dispossessed"),
}
