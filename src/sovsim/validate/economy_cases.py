"""Economic docking cases: three published models as special cases of the engine's economy.

Each case builds an `Economy` (one region), a lever dict and a parameter dict, and drives it with
the functions the `Sim` calls each month (`update_wages`, `produce`, `distribute`, `accumulate`,
`apply_investment`, `grow_productivity`), in the Sim's order, with the labour supply given
exogenously. (`transform_property`, the Sim's last economy step, is left out: with every
property lever at 0 it changes nothing.) Nothing of the published models is re-implemented on
the engine side: their closed forms or rules only produce the expected figures.

- Feldman (1928), as expounded by E. Domar, "A Soviet Model of Growth" (1957), and Mahalanobis
  (1953), Sankhya 12: one planned region with abundant labour, investment = HEAVY output.
- Goodwin (1967), "A Growth Cycle", in Feinstein (ed.), Socialism, Capitalism and Economic Growth:
  one capitalist region, one sector, labour supply growing at beta.
- Marx (1885), Capital vol. II, part III, ch. 21 §3, first illustration of expanded reproduction:
  Department I = HEAVY, Department II = LIGHT, annual turnover of constant capital.

Figures are collected in spec/VALIDATION.md; `cases()` returns the rows of all three.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sovsim.economy import accumulation, production
from sovsim.validate.checks import Check
from sovsim.world.economy import Economy, Flows, Technology
from sovsim.world.names import LEVERS, N_CLASSES, N_OWNERS, N_SECTORS, Owner, Sector
from sovsim.world.pars import PARS, Pars

FM = "Feldman-Mahalanobis"
GOODWIN = "Goodwin"
MARX = "Marx"

# Orders of the economy's steps; "accumulate" stands for the Sim's accumulate step (accumulate,
# apply_investment, grow_productivity). The Goodwin case conserves its first integral only when
# wages respond to the employment of the capital now in place (see `goodwin_cases`).
WAGES_BEFORE_PRODUCTION: tuple[str, ...] = ("update_wages", "produce", "distribute", "accumulate")
WAGES_AFTER_PRODUCTION: tuple[str, ...] = ("produce", "update_wages", "distribute", "accumulate")
# The order of the Sim's step plan (engine/sim.py, `Sim.plan`); the tests check it is the Sim's.
SIM_ECONOMY_ORDER: tuple[str, ...] = WAGES_AFTER_PRODUCTION

ABUNDANT_LABOUR = 1e15  # persons: never binds


# --- the engine, as a special case ------------------------------------------------------------

@dataclass
class EngineCase:
    """One region of the engine's economy with its levers and parameters, stepped like the Sim."""

    econ: Economy
    lever: dict[str, np.ndarray]
    pars: Pars
    dt: float
    order: tuple[str, ...] = SIM_ECONOMY_ORDER
    flows: Flows = field(init=False)

    def __post_init__(self) -> None:
        self.flows = Flows(self.econ.n_regions)
        self.persons = np.zeros((self.econ.n_regions, N_CLASSES))

    def step(self, industrial_labour: float) -> np.ndarray:
        """Run one step of the engine's economy; return the capital stock it started with.

        `industrial_labour` is the exogenous labour supply of industry (persons); agriculture
        has none (no AGRI capital in these cases)."""
        econ, flows, lever, pars, dt = self.econ, self.flows, self.lever, self.pars, self.dt
        K_start = econ.K.copy()
        labour = np.full(econ.n_regions, float(industrial_labour))
        for name in self.order:
            if name == "update_wages":
                accumulation.update_wages(econ, flows, lever, pars, dt)
            elif name == "produce":
                production.produce(econ, labour, np.zeros(econ.n_regions), flows)
            elif name == "distribute":
                production.distribute(econ, flows, lever, pars, self.persons)
            elif name == "accumulate":
                placed = accumulation.accumulate(econ, flows, lever, pars)
                accumulation.apply_investment(econ, flows, placed, dt)
                accumulation.grow_productivity(econ, flows, dt)
            else:
                raise ValueError(f"unknown economy step {name!r}")
        return K_start


def engine_case(*, sigma: tuple[float, float, float], delta: tuple[float, float, float],
                g0: tuple[float, float, float], capital: dict[tuple[Sector, Owner], float],
                a: tuple[float, float, float], wage: float, employment: float, planned: bool,
                levers: dict[str, float], pars: dict[str, float], dt: float,
                order: tuple[str, ...] = SIM_ECONOMY_ORDER) -> EngineCase:
    """A one-region engine case: technology, capital by (sector, owner), levers and parameters.

    Every lever and parameter not given is 0 (every policy and behaviour off), except
    `participation` = 1; `eta` = 0 and `landlord_drag` = 0."""
    tech = Technology(sigma=np.array(sigma, dtype=float), delta=np.array(delta, dtype=float),
                      g0=np.array(g0, dtype=float), eta=0.0, landlord_drag=0.0)
    K = np.zeros((1, N_SECTORS, N_OWNERS))
    for (s, o), value in capital.items():
        K[0, s, o] = value
    econ = Economy(K=K, F=np.zeros((1, 1, N_SECTORS)), a=np.array([a], dtype=float),
                   wage=np.array([wage], dtype=float), employment=np.array([employment]),
                   planned=np.array([planned]), controller=np.array([0]), tech=tech)
    lever = {name: np.zeros(1) for name in LEVERS}
    for name, value in levers.items():
        lever[name][:] = value
    all_pars = dict.fromkeys(PARS, 0.0)
    all_pars["participation"] = 1.0
    all_pars.update(pars)
    return EngineCase(econ, lever, Pars.from_mapping(all_pars), dt, order)


# --- Feldman-Mahalanobis --------------------------------------------------------------------

def feldman_closed_form(t: int, lam_k: float, beta_k: float, beta_c: float, I0: float,
                        C0: float) -> tuple[float, float]:
    """Feldman's closed form (Domar 1957; Mahalanobis 1953): (I_t, C_t) in year t."""
    growth = (1.0 + lam_k * beta_k) ** t
    lam_c = 1.0 - lam_k
    return I0 * growth, C0 + lam_c * beta_c / (lam_k * beta_k) * I0 * (growth - 1.0)


def feldman_run(years: int = 30, *, lam_k: float = 0.3, beta_k: float = 0.2,
                beta_c: float = 0.35, I0: float = 5.0, C0: float = 95.0,
                wage_share: float = 0.1, order: tuple[str, ...] = SIM_ECONOMY_ORDER
                ) -> dict[str, np.ndarray]:
    """The engine as Feldman's two-sector economy; HEAVY output, LIGHT output and investment
    in years 0..years.

    One planned region with abundant labour, all capital STATE, no depreciation, no productivity
    growth; the whole state budget is the accumulation fund and the planned wage share
    (`wage_share`, 0.1) leaves a fund larger than HEAVY output, so that investment is HEAVY
    output (the engine's real bound), split lam_k to HEAVY and the rest to LIGHT. dt = 1 year:
    investment of year t adds to the capital of year t+1, as in the discrete closed form."""
    case = engine_case(
        sigma=(1.0 / beta_k, 1.0 / beta_c, 1.0), delta=(0.0, 0.0, 0.0), g0=(0.0, 0.0, 0.0),
        capital={(Sector.HEAVY, Owner.STATE): I0 / beta_k,
                 (Sector.LIGHT, Owner.STATE): C0 / beta_c},
        a=(1.0, 1.0, 1.0), wage=wage_share, employment=1.0, planned=True,
        levers={"lam": lam_k, "accumulation_share": 1.0, "privilege_share": 0.0,
                "planned_wage_share": wage_share},
        pars={"planned_agri_share": 0.0}, dt=1.0, order=order)
    out = {k: np.empty(years + 1) for k in ("I", "C", "invested", "fund", "unsold")}
    for t in range(years + 1):
        case.step(ABUNDANT_LABOUR)
        f = case.flows
        out["I"][t] = f.output[0, Sector.HEAVY]
        out["C"][t] = f.output[0, Sector.LIGHT]
        out["invested"][t] = f.investment[0].sum()
        out["fund"][t] = f.accumulation_fund[0]
        out["unsold"][t] = f.idle_heavy[0]
    return out


def feldman_cases() -> list[Check]:
    """Feldman-Mahalanobis docking rows: I_t and C_t of the engine against the closed form."""
    lam_k, beta_k, beta_c, I0, C0 = 0.3, 0.2, 0.35, 5.0, 95.0
    run = feldman_run(30, lam_k=lam_k, beta_k=beta_k, beta_c=beta_c, I0=I0, C0=C0)
    src = ("Feldman 1928 (Domar 1957), Mahalanobis 1953: I_t = I_0 (1+lam_k beta_k)^t, "
           "C_t = C_0 + lam_c beta_c/(lam_k beta_k) I_0 ((1+lam_k beta_k)^t - 1); "
           "lam_k 0.3, beta_k 0.2, beta_c 0.35, I_0 5, C_0 95 (VALIDATION.md)")
    published = {1: (5.3, 96.225, 101.525),
                 30: (28.717455864566, 191.846278113645, 220.563733978212)}
    rows: list[Check] = []
    for t, (I_t, C_t, Y_t) in published.items():
        got_I, got_C = run["I"][t], run["C"][t]
        rows += [Check.near(FM, f"I_{t}", I_t, got_I, 1e-9, relative=True, note=src),
                 Check.near(FM, f"C_{t}", C_t, got_C, 1e-9, relative=True, note=src),
                 Check.near(FM, f"Y_{t}", Y_t, got_I + got_C, 1e-9, relative=True, note=src)]
    closed = np.array([feldman_closed_form(t, lam_k, beta_k, beta_c, I0, C0)
                       for t in range(31)])
    err = max(np.abs(run["I"] / closed[:, 0] - 1).max(), np.abs(run["C"] / closed[:, 1] - 1).max())
    rows.append(Check.near(FM, "max rel. error of I_t, C_t, t=0..30", 0.0, err, 1e-9,
                           note="engine against the closed form in every year"))
    bound = np.abs(run["invested"] / run["I"] - 1).max()
    rows.append(Check.near(
        FM, "max |investment / HEAVY output - 1|", 0.0, bound, 1e-12,
        note="the real bound binds every year: the plan invests exactly HEAVY output "
             f"(fund/HEAVY output >= {float((run['fund'] / run['I']).min()):.1f})"))
    return rows


# --- Goodwin --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Goodwin:
    """Goodwin's (1967) growth cycle: parameters, equilibrium, period and first integral."""

    alpha: float = 0.02   # productivity growth, 1/year
    beta: float = 0.01    # labour-force growth, 1/year
    sigma: float = 3.0    # capital-output ratio, years
    gamma: float = 0.5    # Phillips curve w'/w = -gamma + rho v
    rho: float = 0.6

    @property
    def u_star(self) -> float:
        return 1.0 - self.sigma * (self.alpha + self.beta)

    @property
    def v_star(self) -> float:
        return (self.alpha + self.gamma) / self.rho

    @property
    def omega(self) -> float:
        """Angular frequency of small cycles, 1/year."""
        return math.sqrt((self.alpha + self.gamma) * (1 / self.sigma - self.alpha - self.beta))

    @property
    def period(self) -> float:
        """Period of small cycles, 2 pi / sqrt((alpha+gamma)(1/sigma - alpha - beta)), years."""
        return 2 * math.pi / self.omega

    def first_integral(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """V = rho v - (alpha+gamma) ln v + u/sigma - (1/sigma - alpha - beta) ln u."""
        return (self.rho * v - (self.alpha + self.gamma) * np.log(v) + u / self.sigma
                - (1 / self.sigma - self.alpha - self.beta) * np.log(u))

    def growth_u(self, v: np.ndarray) -> np.ndarray:
        """u'/u = -(alpha + gamma) + rho v."""
        return -(self.alpha + self.gamma) + self.rho * v

    def growth_v(self, u: np.ndarray) -> np.ndarray:
        """v'/v = (1/sigma - alpha - beta) - u/sigma."""
        return (1 / self.sigma - self.alpha - self.beta) - u / self.sigma


@dataclass
class GoodwinRun:
    """A trajectory of the engine as Goodwin's economy, one entry per step."""

    model: Goodwin
    dt: float
    t: np.ndarray   # years
    u: np.ndarray   # wage share, as distributed (wages / output)
    v: np.ndarray   # employment rate, as produced

    def upcrossings(self) -> tuple[np.ndarray, np.ndarray]:
        """Step indices where v crosses v* upwards and the interpolated crossing times."""
        x = self.v - self.model.v_star
        i = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0))
        return i, self.t[i] - x[i] / (x[i + 1] - x[i]) * self.dt


def goodwin_run(v0: float, u0: float | None = None, *, dt: float = 1 / 12,
                years: float = 100.0, model: Goodwin | None = None,
                order: tuple[str, ...] = SIM_ECONOMY_ORDER) -> GoodwinRun:
    """The engine as Goodwin's economy from (u0, v0): one market region, all capital HEAVY and
    PRIVATE (all output is capital goods, so the real bound never binds), capitalists reinvest
    all profit (saving 1, no wage advance), no depreciation, productivity growth g0_heavy =
    alpha, labour supply N(t) = e^(beta t) exactly, wages on the Phillips curve."""
    m = model or Goodwin()
    u0 = m.u_star if u0 is None else u0
    case = engine_case(
        sigma=(m.sigma, 1.0, 1.0), delta=(0.0, 0.0, 0.0), g0=(m.alpha, 0.0, 0.0),
        capital={(Sector.HEAVY, Owner.PRIVATE): v0 * m.sigma},   # v0 = K/(sigma a N), a=N=1
        a=(1.0, 1.0, 1.0), wage=u0, employment=v0, planned=False, levers={},
        pars={"saving_capitalist": 1.0, "wage_advance": 0.0, "phillips_gamma": m.gamma,
              "phillips_rho": m.rho}, dt=dt, order=order)
    n = round(years / dt)
    u, v = np.empty(n), np.empty(n)
    for i in range(n):
        case.step(math.exp(m.beta * i * dt))
        f = case.flows
        u[i] = f.wages[0, Sector.HEAVY] / f.output[0, Sector.HEAVY]
        v[i] = case.econ.employment[0]
    return GoodwinRun(m, dt, np.arange(n) * dt, u, v)


@dataclass(frozen=True)
class GoodwinMeasures:
    """What the Goodwin case measures on an engine trajectory started off the centre."""

    cycles: int           # whole cycles between the first and last upward crossing of v*
    V0: float             # first integral at the start
    max_dev: float        # max |V - V0| over the run
    drift: float          # mean V over the last whole cycle - mean V over the first
    dev_bound: float      # O(dt) bound on |V - V0| of a symplectic-Euler scheme (see below)
    drift_bound: float    # 1% of the drift of a first-order non-conservative scheme
    mean_u: float         # time averages over the whole cycles
    mean_v: float
    max_v: float          # employment stays below 1: capital-bound throughout
    max_u: float          # wage share stays below the engine's ceiling


def goodwin_measures(run: GoodwinRun) -> GoodwinMeasures:
    """First integral, its drift and the cycle averages of a trajectory.

    Tolerances. In log variables x = ln u, y = ln v Goodwin's system is Hamiltonian with
    H = V(u, v). With wages updated on the employment of the capital in place and capital on the
    new wage share, one engine step is symplectic Euler (two shears): it keeps a modified
    integral V - (dt/2)(u'/u)(v'/v) + O(dt^2) exactly, so V oscillates with amplitude
    <= dt max|u'/u| max|v'/v| and does not drift; the engine's capital rule
    K (1 + (1-u) dt/sigma) adds an O(dt) term, (dt/2) ((1-u)/sigma)^2 ln(u_max/u_min) at most.
    `dev_bound` is their sum. A first-order scheme that is not symplectic (explicit Euler in
    logs) multiplies V - V* by (1 + omega^2 dt^2) a step, i.e. by exp(2 pi omega dt) a cycle;
    `drift_bound` is 1% of that drift over the cycles measured."""
    m = run.model
    idx, _ = run.upcrossings()
    V = m.first_integral(run.u, run.v)
    V0 = float(V[0])
    cycles = len(idx) - 1
    if cycles >= 1:
        first, last = slice(idx[0], idx[1]), slice(idx[-2], idx[-1])
        drift = float(V[last].mean() - V[first].mean())
        whole = slice(idx[0], idx[-1])
        mean_u, mean_v = float(run.u[whole].mean()), float(run.v[whole].mean())
    else:
        drift, mean_u, mean_v = math.inf, math.nan, math.nan
    gu, gv = np.abs(m.growth_u(run.v)).max(), np.abs(m.growth_v(run.u)).max()
    capital_rule = 0.5 * ((1 - run.u.min()) / m.sigma) ** 2 * math.log(run.u.max() / run.u.min())
    dev_bound = run.dt * (gu * gv + capital_rule)
    V_star = float(m.first_integral(np.array(m.u_star), np.array(m.v_star)))
    explicit = (math.exp(2 * math.pi * m.omega * run.dt * max(cycles - 1, 1)) - 1) * (V0 - V_star)
    return GoodwinMeasures(cycles, V0, float(np.abs(V - V0).max()), drift, float(dev_bound),
                           0.01 * explicit, mean_u, mean_v, float(run.v.max()),
                           float(run.u.max()))


def goodwin_period(run: GoodwinRun) -> float:
    """Mean period of the cycle, years, from successive upward crossings of v*."""
    _, times = run.upcrossings()
    return float(np.diff(times).mean()) if len(times) >= 2 else math.nan


def goodwin_cases(dt: float = 1 / 12, order: tuple[str, ...] = SIM_ECONOMY_ORDER) -> list[Check]:
    """Goodwin (1967) docking rows: first integral, period and cycle averages of the engine.

    The V rows hold only if the step order makes the engine's update symplectic (wages set on
    the employment of the capital now in place): with the wage updated on the previous step's
    employment before production, both variables are updated from the previous step's values,
    which is explicit Euler in logs and spirals outward by exp(2 pi omega dt) in V - V* per cycle
    (23% at dt = 1/12)."""
    m = Goodwin()
    src = "Goodwin 1967; alpha 0.02, beta 0.01, sigma 3, gamma 0.5, rho 0.6 (VALIDATION.md)"
    big = goodwin_measures(goodwin_run(0.9, dt=dt, order=order))
    small = goodwin_run(1.001 * m.v_star, dt=dt, order=order)
    period = goodwin_period(small)
    # period: the capital rule's ln(1 + (1-u) dt/sigma) lengthens it by (1-u*) dt/(2 sigma)
    bias = (1 - m.u_star) * dt / (2 * m.sigma)
    # averages: the same rule biases mean u by sigma (alpha+beta)^2 dt / 2; mean v is exact
    # up to the part of a step at each end of the cycles
    avg_bias = m.sigma * (m.alpha + m.beta) ** 2 * dt / 2
    start = f"from v = 0.9, u = u* = {m.u_star:.4g}, dt = {dt:.4g} y, {big.cycles} cycles"
    return [
        Check.near(GOODWIN, "max |V - V0| (first integral)", 0.0, big.max_dev, big.dev_bound,
                   note=f"{src}; {start}; tolerance: symplectic-Euler O(dt) bound "
                        "dt (max|u'/u| max|v'/v| + ((1-u)/sigma)^2 ln(u_max/u_min)/2)"),
        Check.near(GOODWIN, "drift of V, last cycle - first", 0.0, big.drift, big.drift_bound,
                   note=f"{start}; tolerance: 1% of the drift of explicit Euler in logs, "
                        "(exp(2 pi omega dt (cycles-1)) - 1)(V0 - V*), which is what the engine "
                        "does when wages follow the previous step's employment before production"),
        Check.near(GOODWIN, "period at 1.001 v* (years)", m.period, period, 4 * bias,
                   relative=True,
                   note=f"{src}; 2 pi/sqrt((alpha+gamma)(1/sigma-alpha-beta)); tolerance 4x "
                        f"the O(dt) bias (1-u*) dt/(2 sigma) = {bias:.2%}"),
        Check.near(GOODWIN, "cycle mean of u", m.u_star, big.mean_u, 4 * avg_bias,
                   note=f"u* = 1 - sigma(alpha+beta); {start}; tolerance 4x the O(dt) bias "
                        f"sigma (alpha+beta)^2 dt/2 = {avg_bias:.2g}"),
        Check.near(GOODWIN, "cycle mean of v", m.v_star, big.mean_v, 4 * avg_bias,
                   note=f"v* = (alpha+gamma)/rho; {start}"),
    ]


# --- Marx -----------------------------------------------------------------------------------

MARX_PRINTED: dict[int, dict[str, float]] = {
    # Capital II ch. 21 §3, first illustration (MEW 24, pp. 505-509), as in VALIDATION.md
    1: {"Ic": 4000, "Iv": 1000, "Is": 1000, "IIc": 1500, "IIv": 750, "IIs": 750,
        "II accumulated": 150, "II consumed": 600, "I consumed": 500},
    2: {"Ic": 4400, "Iv": 1100, "Is": 1100, "IIc": 1600, "IIv": 800, "IIs": 800,
        "II accumulated": 240, "II consumed": 560, "I consumed": 550},
    3: {"Ic": 4840, "Iv": 1210, "Is": 1210, "IIc": 1760, "IIv": 880, "IIs": 880,
        "II accumulated": 264, "II consumed": 616, "I consumed": 605},
    4: {"Ic": 5324, "Iv": 1331, "Is": 1331, "IIc": 1936, "IIv": 968, "IIs": 968,
        "II accumulated": 290, "II consumed": 678, "I consumed": 666},
    5: {"Ic": 5856, "Iv": 1464, "Is": 1464, "IIc": 2129, "IIv": 1065, "IIs": 1065,
        "II accumulated": 320, "II consumed": 745, "I consumed": 732},
    6: {"c": 8784, "v": 2782, "capital": 11566, "product": 14348},
}


def marx_schema(years: int = 6) -> dict[int, dict[str, float]]:
    """Marx's rule of the first illustration, exactly (no rounding carried forward).

    Rate of surplus value 100%; Department I capitalises half its surplus value in its
    composition 4:1; Department II accumulates what keeps I(v + dv) + I(s consumed) = II(c + dc),
    in its composition 2:1, and consumes the rest (Marx 1885, Capital II ch. 21 §3)."""
    Ic, Iv, IIc, IIv = 4000.0, 1000.0, 1500.0, 750.0
    table: dict[int, dict[str, float]] = {}
    for year in range(1, years + 1):
        Is, IIs = Iv, IIv
        dIc, dIv = 0.4 * Is, 0.1 * Is
        dIIc = (Iv + dIv + 0.5 * Is) - IIc
        dIIv = dIIc / 2
        table[year] = {"Ic": Ic, "Iv": Iv, "Is": Is, "IIc": IIc, "IIv": IIv, "IIs": IIs,
                       "II accumulated": dIIc + dIIv, "II consumed": IIs - dIIc - dIIv,
                       "I consumed": Is - dIc - dIv, "c": Ic + IIc, "v": Iv + IIv,
                       "capital": Ic + Iv + IIc + IIv, "product": Ic + IIc + 2 * (Iv + IIv)}
        Ic, Iv, IIc, IIv = Ic + dIc, Iv + dIv, IIc + dIIc, IIv + dIIv
    return table


def marx_run(years: int = 6, *, saving: float = 0.5,
             order: tuple[str, ...] = SIM_ECONOMY_ORDER) -> dict[int, dict[str, float]]:
    """The engine as Marx's two departments; c, v, s of each and what each accumulates and
    consumes, years 1..years.

    Department I = HEAVY, II = LIGHT, all capital PRIVATE, dt = 1 year and delta = 1 (constant
    capital turns over once a year), sigma = c/W (4000/6000 and 1500/3000). One wage rate (1)
    and productivities a = 6 and 4 give the wage shares v/W = 1/6 and 1/4; the wage does not
    move (market region, gamma = rho = 0), productivity neither (g0 = 0). Labour is abundant,
    capitalists reinvest a share `saving` (Marx: half) of their net surplus and advance a
    year's wages for the extra hands (wage_advance 1), so that of what they accumulate
    c/(c+v) buys means of production.

    In the engine c = delta K (depreciation), v = the wage bill, s = gross surplus - c;
    accumulated = the growth of c + v to the next year; consumed = s - accumulated."""
    case = engine_case(
        sigma=(4000 / 6000, 1500 / 3000, 1.0), delta=(1.0, 1.0, 0.0), g0=(0.0, 0.0, 0.0),
        capital={(Sector.HEAVY, Owner.PRIVATE): 4000.0, (Sector.LIGHT, Owner.PRIVATE): 1500.0},
        a=(6.0, 4.0, 1.0), wage=1.0, employment=0.0, planned=False, levers={},
        pars={"saving_capitalist": saving, "wage_advance": 1.0}, dt=1.0, order=order)
    delta = case.econ.tech.delta
    rows: dict[int, dict[str, float]] = {}
    for year in range(1, years + 2):
        K = case.step(ABUNDANT_LABOUR)[0, :, Owner.PRIVATE]
        f = case.flows
        c = delta * K
        v = f.wages[0]
        s = f.surplus[0, :, Owner.PRIVATE] - c
        rows[year] = {"Ic": c[Sector.HEAVY], "Iv": v[Sector.HEAVY], "Is": s[Sector.HEAVY],
                      "IIc": c[Sector.LIGHT], "IIv": v[Sector.LIGHT], "IIs": s[Sector.LIGHT],
                      "c": c[:2].sum(), "v": v[:2].sum(), "capital": c[:2].sum() + v[:2].sum(),
                      "product": f.output[0, :2].sum(), "unsold HEAVY": f.idle_heavy[0]}
    for year in range(1, years + 1):
        now, nxt = rows[year], rows[year + 1]
        for d in ("I", "II"):
            acc = nxt[f"{d}c"] - now[f"{d}c"] + nxt[f"{d}v"] - now[f"{d}v"]
            now[f"{d} accumulated"] = acc
            now[f"{d} consumed"] = now[f"{d}s"] - acc
    del rows[years + 1]
    return rows


def marx_cases() -> list[Check]:
    """Marx (1885) docking rows: the engine's two departments against the first illustration
    of expanded reproduction, year by year (printed figures) and exactly (Marx's rule)."""
    src = "Marx 1885, Capital II ch. 21 §3, first illustration (MEW 24 pp. 505-509)"
    engine = marx_run(6)
    exact = marx_schema(6)
    rows: list[Check] = []
    for year, printed in MARX_PRINTED.items():
        for name, value in printed.items():
            rows.append(Check.near(
                MARX, f"year {year} {name}", value, engine[year][name], 1.0,
                note=f"{src}; Marx prints integers and carries rounded figures: within 1 unit "
                     f"(exact rule {exact[year][name]:.6g})"))
    worst = max(abs(engine[y][k] - exact[y][k]) / abs(exact[y][k])
                for y in exact for k in exact[y] if k in engine[y])
    rows.append(Check.near(MARX, "max rel. error against Marx's rule, years 1-6", 0.0, worst,
                           1e-9, note="every c, v, s, accumulated and consumed, exact rule "
                                      "dIc = 0.4 sI, dIIc = Iv + dIv + sI/2 - IIc (VALIDATION.md)"))
    for name, value in (("IIc", 2129.6), ("IIv", 1064.8)):
        rows.append(Check.near(MARX, f"year 5 {name} (exact)", value, engine[5][name], 1e-9,
                               relative=True, note=src))
    rows.append(Check.near(MARX, "year 6 product (exact)", 14348.18, engine[6]["product"],
                           1e-9, relative=True, note=src))
    unsold = max(engine[y]["unsold HEAVY"] for y in engine)
    rows.append(Check.near(MARX, "max unsold Dept I output", 0.0, unsold, 1e-9,
                           note="Department II takes all that Department I's output leaves"))
    return rows


def cases(quick: bool = False) -> list[Check]:
    """All economic docking rows of `sovsim validate` (deterministic: `quick` changes nothing)."""
    return feldman_cases() + goodwin_cases() + marx_cases()
