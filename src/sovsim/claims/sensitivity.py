"""Global sensitivity of a claim's effect to the assumptions drawn from their priors: Sobol'
indices (Saltelli's design) or Morris's elementary effects, computed by SALib.

Which assumptions decide a verdict? The claims command answers with rank correlations over a few
dozen Latin hypercube draws, which at that size are mostly chance. Here the claim's experiment
is run at the points of a design made for the question, and the variance of its paired effect
is apportioned among the parameters:

* **Sobol'** (Saltelli 2002; Saltelli et al. 2010): N base points of a scrambled Sobol'
  sequence in two matrices A and B, and for each parameter i the matrix AB_i (A with its column
  i from B): N (D + 2) evaluations for D parameters. S1_i, the first-order index, is the share
  of the effect's variance that parameter i explains alone; ST_i, the total-order index, the
  share it explains with all its interactions (1 - ST_i is what is left when it alone is known
  exactly). sum S1 <= 1; ST_i >= S1_i; ST_i ~ 0 means the parameter can be fixed anywhere in
  its prior.
* **Morris** (Morris 1991; Campolongo et al. 2007): N one-at-a-time trajectories on a grid of 4
  levels, N (D + 1) evaluations. mu*_i, the mean absolute elementary effect, ranks parameters
  by influence (a screening, cheaper than Sobol'); sigma_i, their standard deviation, is large
  when parameter i acts non-linearly or through interactions. Elementary effects are per unit
  of the parameter's probability scale (its prior's CDF), so parameters of different units
  compare.

The design is drawn on the unit cube and mapped onto each prior through its inverse CDF, so the
indices are those of the effect under the priors themselves. Every point runs with the SAME run
seed (common random numbers): the effect is then a function of the parameters alone, and the
indices do not mistake the noise of the seed for an interaction of every parameter. A block of
the design (a Saltelli row A_j, AB_j, B_j or a Morris trajectory) in which the effect is
undefined at some point is dropped whole, which keeps the estimators' structure; their number
is reported. 95% intervals are bootstrap intervals over the base points (SALib: 1.96 times the
bootstrap standard deviation), `ci` being their half-width.

`analyse(priors, evaluate, method, n, seed)` is the one code path: `evaluate` maps parameter
points to effects. For a claim it is `ClaimEffect`, whose runs go through `claim_outcomes`, the
single function that evaluates a claim at parameter points (it runs the claim's experiment on
the ensemble's process pool). The docking test swaps it for the Ishigami function.

The `sovsim sensitivity` command writes a folder in the claims folder's layout, of kind
"sensitivity" (its points are a design, not a Latin hypercube of the priors):

    sensitivity-<claim>-<method>-<UTC time>/
      meta.json            {"sovsim_version", "kind": "sensitivity", "method", "n", "claims",
                            "parameters", "evaluations", "blocks", "blocks_dropped", "note",
                            "agents", "workers", "seed", "run_seed", "runs", "wall_seconds",
                            "started"}
      sensitivity.parquet  claim, method, parameter, index (S1, ST / mu_star, sigma, mu), value,
                           ci (half-width of the 95% bootstrap interval; NaN where SALib gives
                           none), rank (the parameter's rank by ST / mu_star, 1 = most decisive)
      runs.parquet         one row per evaluated point: claim, run_id, seed, block, point (A, B,
                           AB:<name> / start, step:<name>), status, supports, effect,
                           par_<name> for every varied parameter, details (JSON)
      verdicts.parquet     the claim's verdict over the design's independent points (Sobol':
                           the A and B rows, 2N; Morris: the trajectories' starts, N)

`sovsim report` draws it as a claims page whose claim section shows the indices.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from sovsim.world.priors import Prior

if TYPE_CHECKING:
    from sovsim.claims.command import Outcome
    from sovsim.claims.ensemble import Draw

KIND = "sensitivity"
METHODS = ("sobol", "morris")
DEFAULT_N = {"sobol": 64, "morris": 16}
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
RESAMPLES = 1000
BOOTSTRAP_SEED = 20240727       # fixed (and non-zero: SALib ignores a seed of 0)
INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma", "mu")}
RANKED_BY = {"sobol": "ST", "morris": "mu_star"}

Evaluate = Callable[[list[dict[str, float]]], np.ndarray]


class SensitivityError(ValueError):
    """Bad input to a sensitivity analysis (one line, for the command)."""


# --- the design ----------------------------------------------------------------------------------
@dataclass
class Design:
    """The points of a Sobol' or Morris design on the unit cube, in SALib's order, with the
    block (Saltelli row or Morris trajectory) and role of each point."""

    method: str
    names: list[str]
    unit: np.ndarray                   # (points, parameters), in [0, 1]
    block: np.ndarray                  # (points,) block index
    point: list[str]                   # A, B, AB:<name> / start, step:<name>

    @property
    def problem(self) -> dict[str, Any]:
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[0.0, 1.0]] * len(self.names)}

    @property
    def block_size(self) -> int:
        d = len(self.names)
        return d + 2 if self.method == "sobol" else d + 1

    def independent(self) -> np.ndarray:
        """The points that are independent draws from the priors: Sobol's A and B rows,
        Morris's trajectory starts (a verdict over them is a verdict over the priors)."""
        return np.array([p in ("A", "B", "start") for p in self.point])

    def values(self, priors: dict[str, Prior]) -> list[dict[str, float]]:
        """Each point's parameter values, through each prior's inverse CDF."""
        cols = {n: np.asarray(priors[n].quantile(self.unit[:, j]), dtype=float)
                for j, n in enumerate(self.names)}
        return [{n: float(cols[n][i]) for n in self.names} for i in range(len(self.unit))]


def check(method: str, n: int, names: list[str]) -> None:
    """Refuse a method, N or parameter set the design cannot be built with."""
    if method not in METHODS:
        raise SensitivityError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    if not names:
        raise SensitivityError("no parameters to vary (the claim's scenario has no priors)")
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise SensitivityError(f"--n must be a power of 2 of at least 2 for sobol (the "
                               f"Sobol' sequence is balanced only then), got {n}")
    if method == "morris" and n < 2:
        raise SensitivityError(f"--n (trajectories) must be >= 2 for morris, got {n}")


def design(names: list[str], method: str, n: int, seed: int) -> Design:
    """The design of `method` with N base points (Sobol') or N trajectories (Morris)."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    names = list(names)
    check(method, n, names)
    d = len(names)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    if method == "sobol":
        unit = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True,
                                   seed=seed)
        roles = ["A", *(f"AB:{name}" for name in names), "B"]
        point = roles * n
        block = np.repeat(np.arange(n), d + 2)
    else:
        unit = morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
        block = np.repeat(np.arange(n), d + 1)
        point = []
        for t in range(n):
            rows = unit[t * (d + 1):(t + 1) * (d + 1)]
            point.append("start")
            for j in range(1, d + 1):
                moved = np.flatnonzero(rows[j] != rows[j - 1])
                point.append(f"step:{names[int(moved[0])]}" if moved.size == 1 else "step")
    return Design(method, names, np.asarray(unit, dtype=float), block, point)


# --- the indices ---------------------------------------------------------------------------------
@dataclass
class Analysis:
    """A design, the effect at each of its points, and the indices."""

    design: Design
    points: list[dict[str, float]]
    effect: np.ndarray
    rows: list[dict[str, Any]]         # parameter, index, value, ci, rank
    blocks_dropped: int
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def indices(des: Design, effect: np.ndarray) -> tuple[list[dict[str, Any]], int, str]:
    """The indices of the effect over the design: rows (parameter, index, value, ci, rank),
    the number of blocks dropped for an undefined effect, and a note when none can be had."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    y = np.asarray(effect, dtype=float)
    if y.shape != (len(des.unit),):
        raise ValueError(f"need one effect per point ({len(des.unit)}), got shape {y.shape}")
    n_blocks = len(des.unit) // des.block_size
    bad = np.zeros(n_blocks, dtype=bool)
    np.logical_or.at(bad, des.block, ~np.isfinite(y))
    keep = ~bad[des.block]
    kept = int(n_blocks - bad.sum())
    note = ""
    result: dict[str, np.ndarray] = {}
    if kept < 2:
        note = f"{kept} of {n_blocks} blocks have an effect at every point; need at least 2"
    elif np.ptp(y[keep]) == 0:
        note = "the effect is the same at every point: no variance to apportion"
    elif des.method == "sobol":
        result = dict(sobol_analyze.analyze(des.problem, y[keep], calc_second_order=False,
                                            num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                                            seed=BOOTSTRAP_SEED))
    else:
        result = dict(morris_analyze.analyze(des.problem, des.unit[keep], y[keep],
                                             num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                                             num_levels=MORRIS_LEVELS, seed=BOOTSTRAP_SEED))
    d = len(des.names)
    nan = np.full(d, np.nan)
    by = np.asarray(result.get(RANKED_BY[des.method], nan), dtype=float)
    # rank 1 = most decisive; an undefined index ranks last
    order = sorted(range(d), key=lambda j: (not math.isfinite(by[j]), -np.nan_to_num(by[j]),
                                            des.names[j]))
    rank = {des.names[j]: r + 1 for r, j in enumerate(order)}
    rows = []
    for name_j, name in enumerate(des.names):
        for idx in INDICES[des.method]:
            value = np.asarray(result.get(idx, nan), dtype=float)[name_j]
            conf = np.asarray(result.get(f"{idx}_conf", nan), dtype=float)[name_j]
            rows.append({"parameter": name, "index": idx, "value": float(value),
                         "ci": float(conf), "rank": rank[name]})
    return rows, int(bad.sum()), note


def analyse(priors: dict[str, Prior], evaluate: Evaluate, method: str, n: int,
            seed: int = 0) -> Analysis:
    """Global sensitivity of what `evaluate` returns to the parameters of `priors`: the design,
    its points mapped onto the priors, `evaluate(points)` (one effect per point; NaN where
    undefined), and the indices."""
    des = design(sorted(priors), method, n, seed)
    points = des.values(priors)
    effect = np.asarray(evaluate(points), dtype=float)
    rows, dropped, note = indices(des, effect)
    return Analysis(des, points, effect, rows, dropped, note)


# --- a claim as the function analysed ------------------------------------------------------------
def claim_outcomes(claim: str, draws: list[Draw], *, agents: int, workers: int,
                   progress: bool = True) -> list[Outcome]:
    """The claim's outcome at each parameter point (a `Draw`: run_id, run seed, the values
    that replace the scenario's): its experiment's variants run on the ensemble's process pool
    and judged by its rule. The one place the sensitivity analysis runs a claim."""
    from sovsim.claims.command import Outcome
    from sovsim.claims.ensemble import run_variants
    from sovsim.claims.experiments import EXPERIMENTS, plan

    exp = EXPERIMENTS[claim]
    the_plan = plan([claim])
    variants = [v for group in the_plan.groups.values() for v in group]
    records = run_variants(variants, draws, agents=agents, workers=workers,
                           keep=the_plan.measure(), progress=progress)
    by_variant = {(r["variant"], int(r["run_id"])): r for r in records}
    where = {u.role: name for name, used in the_plan.uses.items() for u in used
             if u.claim == claim}
    out = []
    for draw in draws:
        results: dict[str, Any] = {}
        failed = ""
        for role, _ in exp.roles:
            rec = by_variant.get((where[role], draw.run_id), {})
            got = rec.get("claims", {}).get(claim, {}).get(role)
            if got is None:
                failed = failed or f"{where[role]}: {rec.get('status', 'not run')}"
            else:
                results[role] = got
        if failed:
            out.append(Outcome(claim, draw.run_id, draw.seed, f"failed: {failed}", None,
                               math.nan, draw.pars))
            continue
        supports, effect, details = exp.judge(results)
        status = "ok" if supports is not None else "undecidable: a measure is not defined"
        out.append(Outcome(claim, draw.run_id, draw.seed, status,
                           None if supports is None else bool(supports), float(effect),
                           draw.pars, details))
    return out


@dataclass
class ClaimEffect:
    """A claim's paired effect as a function of parameter points: every point runs with the
    same run seed (common random numbers); the outcomes are kept for the folder."""

    claim: str
    agents: int
    workers: int
    run_seed: int
    progress: bool = True
    outcomes: list[Outcome] = field(default_factory=list)

    def __call__(self, points: list[dict[str, float]]) -> np.ndarray:
        from sovsim.claims.ensemble import Draw

        draws = [Draw(i, self.run_seed, p) for i, p in enumerate(points)]
        self.outcomes = claim_outcomes(self.claim, draws, agents=self.agents,
                                       workers=self.workers, progress=self.progress)
        return np.array([o.effect for o in self.outcomes], dtype=float)


def claim_priors(claim: str, only: list[str] | None = None) -> dict[str, Prior]:
    """The priors of the parameters a claim's draws vary (its draw scenario's), or of `only`
    among them; the others keep the scenario's values."""
    from sovsim.claims.experiments import EXPERIMENTS
    from sovsim.claims.experiments.framework import base
    from sovsim.world.priors import priors_of

    priors = priors_of(base(EXPERIMENTS[claim].draw_scenario))
    if only is None:
        return priors
    unknown = sorted(set(only) - set(priors))
    if unknown:
        raise SensitivityError(f"--pars: {', '.join(unknown)} not among {claim}'s drawn "
                               f"parameters; valid: {', '.join(sorted(priors))}")
    return {n: priors[n] for n in only}


def run_seed_of(seed: int) -> int:
    """The run seed every point shares, spawned from `seed` as the ensembles spawn theirs."""
    return int(np.random.SeedSequence(seed).spawn(1)[0].generate_state(1, np.uint32)[0])


# --- the folder ----------------------------------------------------------------------------------
SCHEMA = pa.schema([("claim", pa.string()), ("method", pa.string()), ("parameter", pa.string()),
                    ("index", pa.string()), ("value", pa.float64()), ("ci", pa.float64()),
                    ("rank", pa.int32())])


def sensitivity_table(claim: str, analysis: Analysis) -> pa.Table:
    """sensitivity.parquet of an analysis."""
    rows = [{"claim": claim, "method": analysis.design.method, **r} for r in analysis.rows]
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def runs_table(analysis: Analysis, outcomes: list[Outcome]) -> pa.Table:
    """runs.parquet: one row per evaluated point, in the design's order."""
    des = analysis.design
    cols: dict[str, pa.Array] = {
        "claim": pa.array([o.claim for o in outcomes], type=pa.string()),
        "run_id": pa.array([o.run_id for o in outcomes], type=pa.int32()),
        "seed": pa.array([o.seed for o in outcomes], type=pa.int64()),
        "block": pa.array(des.block.tolist(), type=pa.int32()),
        "point": pa.array(des.point, type=pa.string()),
        "status": pa.array([o.status for o in outcomes], type=pa.string()),
        "supports": pa.array([o.supports for o in outcomes], type=pa.bool_()),
        "effect": pa.array([o.effect for o in outcomes], type=pa.float64()),
    }
    for name in des.names:
        cols[f"par_{name}"] = pa.array([p[name] for p in analysis.points], type=pa.float64())
    cols["details"] = pa.array(
        [json.dumps({k: (float(v) if math.isfinite(float(v)) else None)
                     for k, v in o.details.items()}, sort_keys=True) for o in outcomes],
        type=pa.string())
    return pa.table(cols)


def default_dir(claim: str, method: str) -> Path:
    """runs/sensitivity-<claim>-<method>-<UTC time>-<random>/"""
    from sovsim.io import folders

    return folders.default_out(KIND, claim, method)


def check_out(path: Path, force: bool = False) -> None:
    """Refuse a path that holds anything but an earlier sensitivity folder, and that one
    without `force` (its design took long to run)."""
    from sovsim.io import folders

    try:
        folders.check_out(path, KIND, force=force)
    except folders.FolderError as exc:
        raise SensitivityError(f"{exc} (nothing was written)") from None


def sensitivity_command(claim: str, method: str = "sobol", n: int | None = None, *,
                        pars: str | None = None, agents: int = 10_000, workers: int = 1,
                        seed: int = 0, out: Path | None = None, force: bool = False,
                        console: Console | None = None, progress: bool = True) -> Path:
    """Run the claim at the points of a Sobol' or Morris design over its priors, print the
    indices and write the sensitivity folder; return it. Raises SensitivityError (a
    ValueError) for bad input before anything is run or written."""
    from sovsim.claims.command import check_numbers
    from sovsim.claims.registry import load_registry, select
    from sovsim.claims.verdicts import verdict
    from sovsim.io import folders

    console = console or Console()
    if "," in claim or not claim.strip():
        raise SensitivityError(f"give one claim id (C1 to C9), got {claim!r}")
    try:
        chosen = select(claim)[0]
    except ValueError as exc:
        raise SensitivityError(str(exc)) from None
    if method not in METHODS:
        raise SensitivityError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    n = DEFAULT_N.get(method, 0) if n is None else n
    check_numbers(1, workers, agents, seed)
    only = [p.strip() for p in pars.split(",") if p.strip()] if pars else None
    priors = claim_priors(chosen.id, only)
    check(method, n, sorted(priors))
    target = Path(out) if out is not None else default_dir(chosen.id, method)
    check_out(target, force)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    effect = ClaimEffect(chosen.id, agents, workers, run_seed_of(seed), progress)
    t0 = time.perf_counter()
    analysis = analyse(priors, effect, method, n, seed)
    wall = time.perf_counter() - t0
    hyp = load_registry().get(chosen.id).hypothesis
    own = [o for o, keep in zip(effect.outcomes, analysis.design.independent(), strict=True)
           if keep]
    v = verdict(chosen.id, chosen.title, chosen.statement, hyp.effect_name, hyp.effect_unit,
                [o.supports for o in own], [o.effect for o in own])
    des = analysis.design
    meta = {"method": method, "n": n,
            "claims": [chosen.id], "parameters": des.names, "evaluations": len(des.unit),
            "blocks": len(des.unit) // des.block_size, "blocks_dropped": analysis.blocks_dropped,
            "note": analysis.note, "runs": len(own), "agents": agents, "workers": workers,
            "seed": seed, "run_seed": effect.run_seed, "wall_seconds": round(wall, 3),
            "started": started}
    with folders.create(KIND, target, force=force, meta=meta) as tmp:
        pq.write_table(sensitivity_table(chosen.id, analysis), tmp / "sensitivity.parquet")
        pq.write_table(runs_table(analysis, effect.outcomes), tmp / "runs.parquet")
        pq.write_table(pa.Table.from_pylist([v.row()]), tmp / "verdicts.parquet")
    print_indices(console, chosen.id, analysis)
    console.print(f"verdict over the design's {len(own)} independent points: {v.label} "
                  f"({v.n_support}/{v.n_runs} support)", markup=False, highlight=False)
    console.print(f"wrote {target} ({len(des.unit)} evaluations of {chosen.id}, "
                  f"{len(des.names)} parameters, {agents:,} agents, {workers} worker(s), "
                  f"{wall:.1f} s)", markup=False, highlight=False)
    return target


def print_indices(console: Console, claim: str, analysis: Analysis, top: int = 12) -> None:
    """The most decisive parameters with their indices and intervals."""
    from rich.table import Table
    from rich.text import Text

    des = analysis.design
    shown = INDICES[des.method][:2]
    table = Table(title=Text(f"{claim}: {des.method} indices of the effect, 95% bootstrap "
                             f"intervals ({len(des.unit)} evaluations)"))
    table.add_column("rank", justify="right")
    table.add_column("parameter")
    for idx in shown:
        table.add_column(idx, justify="right")
    by = {(r["parameter"], r["index"]): r for r in analysis.rows}
    ranked = sorted({r["parameter"]: r["rank"] for r in analysis.rows}.items(),
                    key=lambda kv: kv[1])
    for name, rank in ranked[:top]:
        cells = []
        for idx in shown:
            r = by[name, idx]
            cells.append("-" if not math.isfinite(r["value"]) else
                         f"{r['value']:.3f}" + (f" ± {r['ci']:.3f}" if math.isfinite(r["ci"])
                                                 else ""))
        table.add_row(str(rank), Text(name), *cells)
    console.print(table)
    lead = by.get((ranked[0][0], RANKED_BY[des.method])) if ranked else None
    if lead and math.isfinite(lead["value"]) and not lead["value"] - lead["ci"] > 0:
        console.print(f"note: the leading index's 95% interval reaches zero: at N = "
                      f"{len(des.unit) // des.block_size} the order is not yet decided; raise "
                      "--n", markup=False, highlight=False)
    if analysis.blocks_dropped:
        console.print(f"{analysis.blocks_dropped} blocks dropped: the effect was undefined at "
                      "one of their points", markup=False, highlight=False)
    if analysis.note:
        console.print(f"note: {analysis.note}", markup=False, highlight=False)


__all__ = ["DEFAULT_N", "KIND", "METHODS", "Analysis", "ClaimEffect", "Design",
           "SensitivityError", "analyse", "claim_outcomes", "claim_priors", "design", "indices",
           "sensitivity_command"]
