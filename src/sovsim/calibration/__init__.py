"""Calibration of the growth parameters, bloc by bloc, against Maddison (2010) output per head.

MODEL.md §7: "calibrate on one period, validate on another". The growth parameters of each bloc
are fitted to output per head 1946-1970 and the fitted world is then run on to 1989, so that the
error 1971-1989 says how well the model forecasts what it was not fitted to.

Blocs and data. Four blocs, each a list of scenario regions matched to Maddison (2010) country
codes (`WORLD1946_BLOCS`): the USSR (SUN); the buffer zone (POL, CSK, HUN, ROU, BGR, and DEU for
the Soviet zone of Germany); the imperialist powers with West Germany and Italy (USA, GBR, FRA,
NLD, DEU, ITA); the colonies (IND, VNM for Indochina, IDN). Maddison (2010) has no East German
series: DEU is Germany as a whole and stands for both zones, which flatters the buffer's target
(West Germany's "miracle" is in it). Only the Maddison2010 release is used, in 1990 GK$ like the
model's output; the rows are shipped with the package (`maddison2010_gdp_pc.csv`), so the command
needs no shared data folder. A year without a figure (Poland before 1950, Czechoslovakia before
1948, Romania and Indonesia before 1949, Bulgaria 1946-49, Vietnam before 1950) is skipped.

Loss. For region r, year t with a figure y_rt, and the model's output per head x_rt (the mean of
the twelve monthly values of year t; with several seeds, the geometric mean over seeds), the error
is e_rt = ln x_rt - ln y_rt. A region's loss is the mean of e_rt^2 over its years with data; a
bloc's is the mean over its regions (equal weights, so a bloc is judged on every member, not on
its biggest one); the overall loss is the mean over the blocs. Its square root, the root mean
square log error (RMSLE), reads as a typical relative error (0.1 ~ 10%). Log errors because
growth is multiplicative: a 10% miss in India weighs as much as a 10% miss in the USA.

Noise. The model is stochastic; the fit uses common random numbers: the same seeds for every
candidate, so the loss is a deterministic function of the parameters and differences between
candidates are not seed noise. Two seeds at 10,000 agents are averaged (one seed at that size
leaves the smaller market regions, with ~100 agents, noisy). The errors reported afterwards
are computed on other seeds than those of the fit, so that the fit cannot have tuned itself to the
seeds' particular draws.

Parameters and optimiser. Per bloc (`BLOC_KNOBS`): autonomous productivity growth of industry
(g0_heavy and g0_light, tied: a per-head series cannot tell them apart), of agriculture (g0_agri),
learning from investment (eta), and the bloc's accumulation parameter: the state's
`accumulation_share` where the state budget finances investment (USSR; the buffer zone after
nationalisation), capitalists' `saving_capitalist` in market blocs. The capital-output ratios
sigma are left at their values: along a capital-bound path they enter growth only as saving/sigma,
so with the saving share fitted they are not identified by a per-head series. The fit is bounded
nonlinear least squares (scipy.optimize.least_squares, trust-region reflective) on the residuals
e_rt weighted so that their sum of squares is the overall loss, on knobs scaled to [0, 1] within
their bounds. The Jacobian is approximated by finite differences declared block-sparse (a bloc's
residuals depend on its own knobs only), so one probe perturbs a knob of every bloc at once: an
iteration costs one run per knob of a bloc, not per knob of the world. Couplings between blocs
(pillage, trade in capital goods, export of capital) make that sparsity an approximation of the
Jacobian only; every loss is computed exactly, and the best candidate seen is kept.

The package by job: `data` (Maddison rows, blocs, windows), `knobs` (what is set, in which
regions), `loss`, `runs` (candidate worlds over seeds, on the project's one process pool),
`fit` (the optimiser), `write` (the overlay scenario, with tomli-w), `report` (errors in and
out of sample) and `command` (`sovsim calibrate`).
"""
