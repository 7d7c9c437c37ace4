"""Mobilisation and repression: Epstein's (2002) civil violence, extended with a direction.

One file per job: `rules` (status codes, parameters, closed forms, the vision, decision classes),
`random_numbers` (the kernels' generator and draws), `spatial` (a torus grid per region),
`well_mixed` (no grid: what an agent sees is drawn from its region's densities), and `regions`
(the step-plan entry that runs them over the world's agents). The Epstein docking harness is
`sovsim.validate.epstein`.
"""

from sovsim.politics.mobilisation.rules import (
    ACTIVE,
    COUNTS,
    DEAD,
    JAILED,
    QUIET,
    MobilisationParams,
    arrest_probability,
    grievance,
    vision_offsets,
    vision_size,
)
from sovsim.politics.mobilisation.spatial import mobilise_spatial, populate_grid
from sovsim.politics.mobilisation.well_mixed import mobilise_well_mixed

__all__ = ["ACTIVE", "COUNTS", "DEAD", "JAILED", "QUIET", "MobilisationParams",
           "arrest_probability", "grievance", "mobilise_spatial", "mobilise_well_mixed",
           "populate_grid", "vision_offsets", "vision_size"]
