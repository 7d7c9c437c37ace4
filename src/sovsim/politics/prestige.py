"""World prestige D of the October conquests among the world's workers (MODEL.md §4.9;
seed ¶1, ¶3, ¶14).

D relaxes toward a baseline and is moved by what the workers' states do: terror victims,
pillage and the number of regions held under occupation lower it; reforms that benefit the masses
(agrarian reform, nationalisation under occupation) and withdrawals raise it.
"""

from __future__ import annotations


def step(D: float, pars: dict[str, float], dt: float, *, terror_per_capita: float,
         pillage_share: float, occupied_share: float, reform_intensity: float,
         withdrawals: int) -> float:
    """One step of prestige. terror_per_capita: terror deaths per person and year in the
    workers' states; pillage_share: pillaged equipment / output of the occupied regions;
    occupied_share: share of the world's population under Soviet-type occupation;
    reform_intensity: mean of agrarian-reform and nationalisation rates there (1/year);
    withdrawals: withdrawals this step."""
    drift = (pars["prestige_base"] - D) / (pars["prestige_time"] / 12.0)
    drift -= pars["prestige_terror"] * min(1.0, terror_per_capita * 100.0)
    drift -= pars["prestige_pillage"] * min(1.0, pillage_share)
    drift -= pars["prestige_occupation"] * occupied_share
    drift += pars["prestige_reform"] * min(1.0, reform_intensity)
    D = D + dt * drift + pars["prestige_withdrawal"] * withdrawals
    return min(1.0, max(0.0, D))
