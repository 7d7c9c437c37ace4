"""The behavioural parameters every scenario sets: name, domain and meaning.

Values and their provenance live in the scenario files (`scenarios/base.toml` gives each one);
this table only says which names exist and which values are meaningful, so that a scenario
file, a command-line override or a prior that leaves the domain is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
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
    "verdoorn": ParSpec(0.0, 1.0, "1",
                        "industrial productivity growth per unit growth of industrial output "
                        "(Verdoorn's law; 0: learning from heavy investment, eta)"),
    "catch_up_rate": ParSpec(0.0, 0.2, "1/year",
                             "share of the log productivity gap to the frontier closed a year "
                             "at full absorptive capacity"),
    "absorption_investment_share": ParSpec(0.01, 1.0, "1",
                                           "investment share of output at which a region "
                                           "absorbs the frontier's techniques fully"),
    "planned_absorption": ParSpec(0.0, 1.0, "1",
                                  "absorptive capacity of a planned economy relative to a "
                                  "market one"),
    "landlord_drag": ParSpec(0.0, 1.0, "1",
                             "fraction of AGRI productivity growth lost per unit landlord share"),
    "planned_substitution": ParSpec(0.0, 1.0, "1",
                                    "elasticity of substitution of capital for labour in "
                                    "planned industry (CES; 0: Leontief)"),
    "planned_capital_weight": ParSpec(0.05, 0.95, "1",
                                      "weight of capital in planned industry's CES"),
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
    "phillips_nonlinear": ParSpec(0.0, 1.0, "1",
                                  "1: the Phillips curve of Grasselli and Costa Lima (2012); "
                                  "0: Goodwin's linear curve"),
    "phillips_phi0": ParSpec(0.0, 0.5, "1/year", "fastest fall of wages (nonlinear curve)"),
    "phillips_phi1": ParSpec(0.0, 0.01, "1/year", "steepness near full employment (nonlinear)"),
    "wage_indexation": ParSpec(0.0, 1.0, "1",
                               "share of industrial productivity growth bargained into market "
                               "wages (0: Goodwin's Phillips curve alone)"),
    "wage_hysteresis": ParSpec(0.0, 600.0, "months",
                               "memory of the employment rate that holds wages steady "
                               "(insiders' bargaining; 0: the Phillips curve reads v itself)"),
    "plan_absorbs_heavy": ParSpec(0.0, 1.0, "1",
                                  "share of unsold HEAVY output a plan invests (Kornai's "
                                  "investment hunger)"),
    "plan_capital_goods": ParSpec(0.0, 1.0, "1",
                                  "share of private, foreign and landlord net reinvestment a "
                                  "plan refuses (capital goods allocated by the plan)"),
    "planned_agri_share": ParSpec(0.0, 1.0, "1",
                                  "share of non-HEAVY planned investment going to AGRI"),
    "plan_share": ParSpec(0.0, 1.01, "1",
                          "collective share of capital from which the plan sets wages and "
                          "output (above 1: never)"),
    "effective_demand": ParSpec(0.0, 1.0, "1",
                                "1: market regions produce only what is demanded (0: Say's law)"),
    "demand_adjustment": ParSpec(1.0, 60.0, "months",
                                 "months over which market production follows demand"),
    "export_gap_response": ParSpec(0.0, 20.0, "1",
                                   "extra export share per unit of profit-rate gap"),
    "open_export": ParSpec(0.0, 1.0, "1",
                           "share of the savings a market region cannot invest at home that "
                           "seek a return abroad in open regions (0: only governed regions)"),
    "utilisation_heavy": ParSpec(0.0, 1.0, "1",
                                 "1: owners' net reinvestment follows the utilisation of "
                                 "industry (HEAVY + LIGHT); 0: of LIGHT alone"),
    "export_realisation": ParSpec(0.0, 1.0, "1",
                                  "1: exported capital is taken by a host only in the share of "
                                  "its consumer-goods capacity that sells (0: all is placed)"),
    "expropriation_risk": ParSpec(0.0, 1.0, "1",
                                  "discount on the expected return of a region the investor's "
                                  "government does not rule"),
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
    "birth_income_elasticity": ParSpec(-2.0, 0.0, "1",
                                       "elasticity of the birth rate on income per head "
                                       "(demographic transition)"),
    "death_income_elasticity": ParSpec(-2.0, 0.0, "1",
                                       "elasticity of the death rate on income per head "
                                       "(demographic transition)"),
    "proletarianisation_speed": ParSpec(0.0, 5.0, "1/year",
                                        "share of the industrial labour gap closed each year"),
    "collectivisation_loss": ParSpec(0.0, 1.0, "1",
                                     "AGRI capital destroyed per unit of land collectivised"),
    "collectivisation_deaths": ParSpec(0.0, 0.2, "1",
                                       "deaths per peasant collectivised by force"),
    "forced_collectivisation": ParSpec(0.0, 1.0, "1/year",
                                       "collectivisation rate above which it counts as forced"),
    "emigration_rate": ParSpec(0.0, 1.0, "1/year", "emigration rate of the dispossessed"),
    # Authorities (§4.6): every theory of the bureaucracy
    "bureau_relaxation": ParSpec(0.0, 5.0, "1/year",
                                 "eps: relaxation of the course toward neutral (all theories)"),
    "bureau_perception_lag": ParSpec(0.0, 60.0, "months",
                                     "delay with which the bureaucracy perceives its inputs"),
    "bureau_harvest_response": ParSpec(-20.0, 20.0, "1/year",
                                       "push on the course per unit of harvest above normal"),
    "bureau_war_response": ParSpec(-5.0, 5.0, "1/year", "push on the course while at war"),
    "bureau_procurement_swing": ParSpec(0.0, 0.5, "1",
                                        "procurement above its base at course +1 (below at -1)"),
    "bureau_collectivisation_push": ParSpec(0.0, 3.0, "1/year",
                                            "collectivisation rate added at course +1"),
    "bureau_psi_swing": ParSpec(0.0, 4.0, "1",
                                "relative rise of psi_right at course +1, of psi_left at -1"),
    # DWS, the Bonapartist caste (seed ¶10-11)
    "dws_kappa": ParSpec(0.0, 20.0, "1/year", "kappa: course speed per unit of f(P) - g(W)"),
    "dws_restoration_threshold": ParSpec(0.0, 1.0, "1",
                                         "P* at which the restoration threat f(P) is steepest"),
    "dws_restoration_width": ParSpec(0.005, 0.5, "1", "width in P of the steep part of f"),
    "dws_restoration_gain": ParSpec(0.0, 10.0, "1", "rise of f across the restoration threshold"),
    "dws_proletarian_weight": ParSpec(0.0, 5.0, "1", "g(W) = weight * W"),
    # State capitalism
    "statecap_kappa": ParSpec(0.0, 20.0, "1/year", "course speed per unit competitive pressure"),
    "statecap_output_weight": ParSpec(0.0, 5.0, "1", "pressure per unit log output gap to rival"),
    "statecap_growth_weight": ParSpec(0.0, 100.0, "years",
                                      "pressure per unit growth gap (1/year) to the rival"),
    "statecap_rival_growth": ParSpec(-0.1, 0.2, "1/year",
                                     "growth of output per head of the capitalist rival when "
                                     "the scenario has no rival region"),
    "statecap_lam_gain": ParSpec(0.0, 0.5, "1", "lambda above its base at full pressure"),
    "statecap_accumulation_gain": ParSpec(0.0, 0.5, "1",
                                          "accumulation share above its base at full pressure"),
    # Bureaucratic collectivism
    "bc_unrest_tolerance": ParSpec(0.001, 0.5, "1",
                                   "share of the living in action the class tolerates"),
    "bc_kappa": ParSpec(0.0, 20.0, "1/year", "course speed per unit of order margin"),
    "bc_privilege_speed": ParSpec(0.0, 1.0, "1/year",
                                  "change of privilege share per unit of order margin"),
    "bc_privilege_max": ParSpec(0.0, 0.9, "1", "highest privilege share it takes"),
    "bc_repression_gain": ParSpec(0.0, 10.0, "1",
                                  "relative rise of enforcers per unit of unrest beyond tolerance"),
    # Occupation (seed ¶6-8)
    "occupation_nationalisation": ParSpec(0.0, 5.0, "1/year",
                                          "background nationalisation rate under occupation"),
    "occupation_agrarian_reform": ParSpec(0.0, 5.0, "1/year",
                                          "background agrarian reform rate while landlords remain"),
    "occupation_left_tolerance": ParSpec(0.0, 0.5, "1",
                                         "share of the living in left action it tolerates"),
    "occupation_psi_left_escalation": ParSpec(1.0, 10.0, "1",
                                              "psi_left relative to its start at full alarm"),
    "occupation_alarm_rise": ParSpec(1.0, 60.0, "months",
                                     "time for the alarm to rise once left action is too strong"),
    "occupation_alarm_memory": ParSpec(1.0, 240.0, "months",
                                       "time for the alarm to fade once left action subsides"),
    # Finance capital (seed ¶1, 5, 12)
    "finance_export_gain": ParSpec(0.0, 5.0, "1",
                                   "export share per unit of the dependencies' opportunity"),
    "finance_growth_weight": ParSpec(0.0, 50.0, "years",
                                     "opportunity per unit growth gap of dependencies over home"),
    "finance_export_max": ParSpec(0.0, 1.0, "1", "highest export share it sets"),
    "finance_agitation_base": ParSpec(0.0, 1.0, "1", "anti-Soviet agitation at full prestige"),
    "finance_agitation_pretext": ParSpec(0.0, 1.0, "1",
                                         "extra agitation as prestige D falls to 0 (seed ¶1)"),
    "finance_agitation_threat": ParSpec(0.0, 50.0, "1",
                                        "extra agitation per unit share in left action at home"),
    "war_decision": ParSpec(0.0, 1.0, "1", "1: endogenous war decision on, 0: off"),
    "finance_war_superiority": ParSpec(1.0, 20.0, "1",
                                       "output ratio over a workers' state needed to attack it"),
    "finance_war_prestige": ParSpec(0.0, 1.0, "1",
                                    "prestige D at or below which it attacks (opinion prepared)"),
    # Colonial administration (seed ¶5, 7)
    "colonial_wage_ceiling": ParSpec(0.05, 1.0, "1", "highest colonial wage share it allows"),
    "colonial_expropriation": ParSpec(0.0, 0.5, "1/year",
                                      "lowest expropriation rate of small producers it sets"),
    "colonial_left_targeting": ParSpec(1.0, 10.0, "1", "lowest psi_left / psi_right it sets"),
    # Workers' councils (seed ¶14)
    "councils_enforcers": ParSpec(0.0, 0.05, "1", "enforcers per person under councils"),
    "councils_relief": ParSpec(0.0, 2.0, "1",
                               "relative cut of procurement (accumulation) per unit grievance of "
                               "peasants (workers)"),
    "councils_collectivisation": ParSpec(0.0, 0.1, "1/year", "voluntary collectivisation rate"),
    "councils_psi_left": ParSpec(0.0, 1.0, "1", "psi_left / psi_right under councils"),
    # Provisional authority (seed ¶14)
    "provisional_months": ParSpec(1.0, 120.0, "months", "time until the mobilised balance decides"),
    "provisional_action_weight": ParSpec(0.0, 100.0, "1",
                                         "weight of mobilised action against tendency strength"),
}

# Politics (§4.4-4.5, 4.7-4.9): legitimacy, tendencies, mobilisation, war, prestige
PARS.update({
    "legitimacy_base": ParSpec(0.0, 1.0, "1", "legitimacy an authority starts from and tends to"),
    "legitimacy_hardship": ParSpec(0.0, 2.0, "1", "legitimacy lost per unit of class hardship"),
    "legitimacy_reform": ParSpec(0.0, 2.0, "years",
                                 "legitimacy gained (lost) per unit rate of a reform that "
                                 "benefits (strikes at) the class"),
    "legitimacy_privilege": ParSpec(0.0, 2.0, "1",
                                    "workers' legitimacy lost per unit of privilege share"),
    "legitimacy_pillage": ParSpec(0.0, 2.0, "1",
                                  "legitimacy lost per unit of pillage / output (a year)"),
    "legitimacy_terror": ParSpec(0.0, 2.0, "1",
                                 "legitimacy lost at terror deaths of 1% of the people a year"),
    "legitimacy_rally": ParSpec(0.0, 1.0, "1", "legitimacy gained when attacked from abroad"),
    "legitimacy_councils": ParSpec(0.0, 1.0, "1", "extra legitimacy of elected councils"),
    "legitimacy_time": ParSpec(1.0, 240.0, "months", "time constant of legitimacy"),
    "legitimacy_spread": ParSpec(0.0, 0.5, "1", "s.d. of agents' own legitimacy offsets"),
    "interest_worker": ParSpec(-1.0, 1.0, "1", "tendency workers are pulled toward"),
    "interest_peasant": ParSpec(-1.0, 1.0, "1", "tendency landless-to-middle peasants tend to"),
    "interest_collective_farmer": ParSpec(-1.0, 1.0, "1", "tendency collective farmers tend to"),
    "interest_artisan": ParSpec(-1.0, 1.0, "1", "tendency artisans tend to"),
    "interest_landlord": ParSpec(-1.0, 1.0, "1", "tendency landlords tend to"),
    "interest_capitalist": ParSpec(-1.0, 1.0, "1", "tendency capitalists tend to"),
    "interest_bureaucrat": ParSpec(-1.0, 1.0, "1", "tendency bureaucrats tend to, no privilege"),
    "interest_enforcer": ParSpec(-1.0, 1.0, "1", "tendency enforcers tend to"),
    "interest_smallholding": ParSpec(0.0, 2.0, "1",
                                     "rightward drift of peasants per unit SMALL share of land"),
    "interest_privilege": ParSpec(0.0, 5.0, "1",
                                  "rightward drift of bureaucrats per unit privilege share"),
    "tendency_neighbours": ParSpec(0.0, 10.0, "1",
                                   "weight of the neighbours' mean against class interest"),
    "tendency_time": ParSpec(1.0, 240.0, "months", "time constant of tendencies"),
    "tendency_noise": ParSpec(0.0, 1.0, "1/sqrt(year)", "random drift of each tendency"),
    "tendency_spread": ParSpec(0.0, 1.0, "1", "s.d. of tendencies around class interest at birth"),
    "agitation_effect": ParSpec(0.0, 2.0, "1",
                                "rightward push of full agitation when prestige is 0"),
    "prestige_pull": ParSpec(0.0, 2.0, "1",
                             "leftward pull of full prestige on workers under capital"),
    "epstein_k": ParSpec(0.1, 10.0, "1", "Epstein's arrest-probability constant k"),
    "epstein_threshold": ParSpec(0.0, 1.0, "1", "Epstein's activation threshold T"),
    "epstein_vision": ParSpec(1.0, 20.0, "cells", "radius of vision v"),
    "enforcer_weight": ParSpec(1.0, 100.0, "1",
                               "Epstein cops one enforcer is worth (troops, informers, records)"),
    "citizen_density": ParSpec(0.05, 0.95, "1", "agents per cell of a region's torus (spatial)"),
    "left_reform_boost": ParSpec(0.0, 50.0, "1/year",
                                 "reform rate added per unit share in left action under "
                                 "occupation (reforms from below)"),
    "right_output_loss": ParSpec(0.0, 50.0, "1",
                                 "share of output lost per unit share in right action"),
    "prestige_initial": ParSpec(0.0, 1.0, "1", "prestige D at the start"),
    "prestige_base": ParSpec(0.0, 1.0, "1", "level prestige returns to"),
    "prestige_time": ParSpec(1.0, 600.0, "months", "time constant of prestige"),
    "prestige_terror": ParSpec(0.0, 5.0, "1/year",
                               "prestige lost a year at terror deaths of 1% a year"),
    "prestige_pillage": ParSpec(0.0, 5.0, "1/year", "prestige lost per unit pillage / output"),
    "prestige_occupation": ParSpec(0.0, 5.0, "1/year",
                                   "prestige lost a year per unit share of the world occupied"),
    "prestige_reform": ParSpec(0.0, 5.0, "1", "prestige gained per unit reform rate"),
    "prestige_withdrawal": ParSpec(0.0, 1.0, "1", "prestige gained at each withdrawal"),
    "war_destruction": ParSpec(0.0, 2.0, "1/year", "share of capital destroyed a year of war"),
    "war_deaths": ParSpec(0.0, 0.2, "1/year", "share of the people killed a year of war"),
    "war_hardship": ParSpec(0.0, 1.0, "1", "hardship added to everyone in a region at war"),
    "war_months": ParSpec(1.0, 240.0, "months", "months until a war is decided"),
    "war_noise": ParSpec(0.01, 5.0, "1", "noise of a war's outcome around capacity"),
    "provisional_enforcers": ParSpec(0.0, 0.05, "1",
                                     "enforcers per person left after a withdrawal"),
    "property_defence_share": ParSpec(0.0, 0.99, "1",
                                      "collective share of capital at which a ruling caste "
                                      "stops conceding property (seed ¶11)"),
    "course_property_rate": ParSpec(0.0, 5.0, "1/year",
                                    "property moved a year per unit course (left: private "
                                    "industry to the state; right: concessions)"),
})


class _ParsMapping(Mapping[str, float]):
    """Read-only mapping view of a `Pars`: `pars["eta"]`, `pars.get`, `dict(pars)` (for code
    that picks parameters by a name it computes, such as the calibration)."""

    __slots__ = ()

    def __getitem__(self, name: str) -> float:
        if name not in PARS:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(PARS)

    def __len__(self) -> int:
        return len(PARS)

    def replace(self, **values: float) -> Pars:
        """A copy with some values changed."""
        return dataclasses.replace(self, **values)  # type: ignore[type-var]

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Pars:
        """The parameters of `values`, which must name every parameter of `PARS` and no other."""
        missing = sorted(set(PARS) - set(values))
        unknown = sorted(set(values) - set(PARS))
        if missing or unknown:
            raise ValueError(f"parameters: missing {missing}, unknown {unknown}; "
                             f"valid: the names of sovsim.world.pars.PARS")
        return cls(**{name: float(values[name]) for name in PARS})  # type: ignore[call-arg]


# A frozen record with one float attribute per entry of PARS, in table order: `pars.eta`. Built
# from the table so that the two can never disagree; domains are checked when a scenario loads.
Pars = dataclasses.make_dataclass(
    "Pars", [(name, float) for name in PARS], bases=(_ParsMapping,), frozen=True)
Pars.__module__ = __name__
Pars.__doc__ = ("The behavioural parameters of a run, one float attribute per entry of `PARS` "
                "(frozen; also a read-only mapping by name).")
