"""The Dash app: the pages (run, look, compare, claims, history) and their callbacks."""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, dash_table, dcc, html, no_update
from dash.exceptions import PreventUpdate

from sovsim.authorities.bureaucracy import THEORIES
from sovsim.io import report_data as data
from sovsim.politics.mobilisation.regions import MODES
from sovsim.workbench import charts, claims_page, folders, form, history_page, tilemap
from sovsim.workbench.runner import RunQueue
from sovsim.world.loading import ScenarioError, builtin_names, load
from sovsim.world.names import LEVERS
from sovsim.world.schema import EVENT_KINDS, SHOCK_KINDS

with contextlib.suppress(ImportError):
    # plotly's JSON encoder imports pandas on first use; two server threads doing so at once
    # can see it half-initialised, so it is imported here, before any request
    import pandas  # noqa: F401

log = logging.getLogger("sovsim.workbench")
DEFAULT_AGENTS = 20_000
LIVE_MS = 400
HEARTBEAT_MS = 2000
MIN_DRAW_S = 1.0
PAGES = (("/", "Run"), ("/look", "Look"), ("/compare", "Compare"), ("/claims", "Claims"),
         ("/history", "History"))
COMPARE_VARS = ("output_per_capita", "collective_share", "wage_share", "active_left",
                "active_right", "jailed", "population", "course", "employment_rate")


def guarded(fn: Callable) -> Callable:
    """A callback that fails on unexpected input changes nothing and keeps the server up."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PreventUpdate:
            raise
        except Exception:
            log.exception("callback %s failed", fn.__name__)
            raise PreventUpdate from None
    return wrapper


def _field(label: str, control: Any, name: str, help_text: str = "") -> html.Div:
    return html.Div(className="field", children=[
        html.Label(label, htmlFor=name), control,
        html.Div(help_text, className="help") if help_text else None,
        html.Div(id=f"err-{name}", className="error")])


def _par_inputs(scenario_name: str) -> list:
    groups: dict[str, list] = {}
    for f in form.fields(scenario_name):
        groups.setdefault(f.group, []).append(html.Div(className="field par", children=[
            html.Label(f.name, htmlFor=f"par-{f.name}"),
            dcc.Input(id={"type": "par", "name": f.name}, type="text", value=f"{f.value:g}",
                      debounce=True, className="num"),
            html.Div(f.help, className="help"),
            html.Div(id={"type": "par-err", "name": f.name}, className="error")]))
    order = [form.ECONOMY] + [g for g, _ in form.GROUPS]
    return [html.Details([html.Summary(f"{g} ({len(groups[g])})"), *groups[g]])
            for g in order if g in groups]


def run_page() -> html.Div:
    name = "world1946"
    regions = form.regions(name)
    return html.Div(className="run-page", children=[
        html.Div(className="setup", children=[
            html.H2("Set up"),
            _field("Scenario", dcc.Dropdown(builtin_names(), name, id="scenario",
                                            clearable=False), "scenario"),
            _field("Theory of the bureaucracy", dcc.Dropdown(list(THEORIES), "dws", id="theory",
                                                             clearable=False), "theory"),
            _field("Mobilisation", dcc.RadioItems(list(MODES), MODES[0], id="mode",
                                                  inline=True), "mode"),
            _field("Agents", dcc.Input(id="agents", type="text", value=str(DEFAULT_AGENTS),
                                       className="num"), "agents",
                   f"1 to {form.MAX_AGENTS:,}; more agents, less noise, slower"),
            _field("Seed", dcc.Input(id="seed", type="text", value="0", className="num"),
                   "seed"),
            _field("Last year", dcc.Input(id="end", type="text", value="", className="num",
                                          placeholder="the scenario's"), "end",
                   "blank: the scenario's last year"),
            html.H3("Behavioural parameters"),
            html.Div(id="pars-box", children=_par_inputs(name)),
            html.H3("Policy changes"),
            html.Div(className="row", children=[
                dcc.Input(id="change-date", placeholder="YYYY-MM", className="date"),
                dcc.Dropdown(regions, None, id="change-region", placeholder="region"),
                dcc.Dropdown(sorted(LEVERS), None, id="change-lever", placeholder="lever"),
                dcc.Input(id="change-value", placeholder="value", className="num"),
                html.Button("Add change", id="add-change")]),
            html.Div(id="err-change", className="error"),
            html.H3("Events"),
            html.Div(className="row", children=[
                dcc.Dropdown(list(EVENT_KINDS), None, id="event-kind", placeholder="kind"),
                dcc.Input(id="event-date", placeholder="YYYY-MM", className="date"),
                dcc.Dropdown(regions, None, id="event-attacker", placeholder="attacker"),
                dcc.Dropdown(regions, None, id="event-target", placeholder="target"),
                dcc.Dropdown(regions, None, id="event-region", placeholder="region"),
                dcc.Dropdown(regions, None, id="event-regions", multi=True,
                             placeholder="regions (federate)"),
                dcc.Input(id="event-months", placeholder="months", className="num"),
                dcc.Dropdown(list(SHOCK_KINDS), None, id="event-shock", placeholder="shock"),
                dcc.Input(id="event-size", placeholder="size", className="num"),
                html.Button("Add event", id="add-event")]),
            html.Div("attack: attacker and target; withdraw: region; federate: regions; "
                     "mobilise: region and months; shock: region, shock and size in [0, 1]",
                     className="help"),
            html.Div(id="err-event", className="error"),
            html.Button("Clear added changes and events", id="clear-added"),
            dcc.Graph(id="timeline", config={"displayModeBar": False}),
        ]),
        html.Div(className="live", children=[
            html.Div(className="buttons", children=[
                html.Button("Run", id="run", className="primary"),
                html.Button("Stop", id="stop"),
                dcc.Input(id="save-name", placeholder="folder name under --runs"),
                html.Button("Save run", id="save"),
                html.Button("Export scenario", id="export"),
                dcc.Download(id="download")]),
            html.Div(id="form-status", className="status"),
            html.Progress(id="progress", value="0", max="1"),
            html.Div(id="run-status", className="status"),
            html.Div(className="grid", children=[
                dcc.Graph(id=f"live-{var}", config={"displaylogo": False})
                for var, *_ in charts.LIVE]),
            dcc.Graph(id="live-course", config={"displaylogo": False}),
            dcc.Interval(id="live-tick", interval=LIVE_MS, disabled=False),
            dcc.Store(id="want"),      # the drawing asked for (run:month:state)
            dcc.Store(id="drawn"),     # the drawing on screen; both per page: redrawn on return
        ]),
    ])


def look_page(runs_dir: Path) -> html.Div:
    options = _run_options(runs_dir)
    first = options[-1]["value"] if options else None
    return html.Div(children=[
        html.H2("Look at a run"),
        dcc.Dropdown(options, first, id="look-run", clearable=False,
                     placeholder="no run folder under --runs yet"),
        html.Div(className="row", children=[
            html.Label("Region"), dcc.Dropdown([], None, id="look-region", clearable=False)]),
        dcc.Graph(id="look-map"),
        dcc.Slider(id="look-year", min=0, max=1, step=1, value=0, marks=None,
                   tooltip={"always_visible": True, "placement": "bottom"}),
        dcc.Graph(id="look-region-charts"),
        html.Div(className="grid", children=[dcc.Graph(id="look-classes"),
                                             dcc.Graph(id="look-course")]),
        html.H3(id="look-label"),
        dash_table.DataTable(id="look-criteria", page_size=20,
                             style_cell={"fontSize": 12, "textAlign": "left"}),
    ])


def compare_page(runs_dir: Path) -> html.Div:
    options = _run_options(runs_dir)
    a = options[-2]["value"] if len(options) > 1 else (options[-1]["value"] if options else None)
    b = options[-1]["value"] if options else None
    return html.Div(children=[
        html.H2("Two runs side by side"),
        html.P("e.g. dws against state capitalism on the same seed: run both, save both, pick "
               "them here.", className="help"),
        html.Div(className="row", children=[
            dcc.Dropdown(options, a, id="compare-a", clearable=False),
            dcc.Dropdown(options, b, id="compare-b", clearable=False),
            dcc.Dropdown(list(COMPARE_VARS), "output_per_capita", id="compare-var",
                         clearable=False)]),
        dcc.Graph(id="compare-chart"),
    ])


def claims_view(runs_dir: Path) -> html.Div:
    found = folders.claims_folders(runs_dir)
    options = [{"label": folders.describe(p, runs_dir), "value": str(p)} for p in found]
    return html.Div(children=[
        html.H2("The essay's claims: verdicts"),
        dcc.Dropdown(options, options[-1]["value"] if options else None, id="claims-folder",
                     clearable=False, placeholder="no claims folder under --runs "
                                                  "(`sovsim claims --out RUNS/claims` writes one)"),
        html.Div(id="claims-cards"),
    ])


def history_view(runs_dir: Path) -> html.Div:
    cards = history_page.read_history(runs_dir)
    if not cards:
        return html.Div([html.H2("History scorecard"),
                         html.P("No history folder under --runs: `sovsim history` writes one "
                                "(a folder named history with a scorecard table).",
                                id="history-none")])
    body: list = [html.H2("History scorecard")]
    for card in cards:
        rows = card.table.to_pylist()
        cols = card.table.column_names
        passed = card.pass_column
        style = []
        if passed:
            style = [{"if": {"filter_query": f"{{{passed}}} = false"},
                      "backgroundColor": "#fbe3e0"},
                     {"if": {"filter_query": f"{{{passed}}} = true"},
                      "backgroundColor": "#e3f4e1"}]
        body += [html.H3(str(card.folder)),
                 dash_table.DataTable([{k: (str(v) if isinstance(v, bool | list | dict) else v)
                                        for k, v in r.items()} for r in rows],
                                      [{"name": c, "id": c} for c in cols],
                                      style_data_conditional=style,
                                      style_cell={"fontSize": 12, "textAlign": "left",
                                                  "whiteSpace": "normal"})]
        if {"data", "model"} <= set(cols):
            try:
                d, m = data.column(card.table, "data"), data.column(card.table, "model")
                ids = [str(r.get("id", i)) for i, r in enumerate(rows)]
                fig = go.Figure(go.Scatter(x=d.astype(float), y=m.astype(float), text=ids,
                                           mode="markers+text", textposition="top center"))
                fig.update_layout(title="model against data, per pattern", height=380,
                                  xaxis_title="data", yaxis_title="model")
                body.append(dcc.Graph(figure=fig))
            except (TypeError, ValueError):
                pass
    return html.Div(body)


def _run_options(runs_dir: Path) -> list[dict[str, str]]:
    found = sorted(folders.run_folders(runs_dir), key=lambda p: p.stat().st_mtime)
    return [{"label": folders.describe(p, runs_dir), "value": str(p)} for p in found]


@functools.lru_cache(maxsize=8)
def _view(folder: str, mtime: float) -> folders.RunView:
    return folders.load_run(Path(folder))


def view_of(folder: str, runs_dir: Path) -> folders.RunView:
    """A run folder under --runs, read once (again when it changes)."""
    path = Path(folder).resolve()
    if not path.is_relative_to(runs_dir.resolve()) or not folders.is_run_folder(path):
        raise PreventUpdate
    return _view(str(path), (path / "meta.json").stat().st_mtime)


def build_app(runs_dir: Path, queue: RunQueue) -> Dash:
    """The workbench app over the folder `runs_dir`, running its runs on `queue`."""
    runs_dir = Path(runs_dir)
    scenarios_dir = runs_dir / folders.SCENARIOS
    app = Dash(__name__, title="sovsim workbench", suppress_callback_exceptions=True,
               serve_locally=True, update_title=None)

    def layout() -> html.Div:
        return html.Div([
            dcc.Location(id="url"),
            dcc.Store(id="session", data=uuid.uuid4().hex),
            dcc.Store(id="shown", data="/"),
            dcc.Store(id="job"),
            dcc.Store(id="changes", data=[]),
            dcc.Store(id="events", data=[]),
            dcc.Store(id="beat"),
            dcc.Interval(id="heartbeat", interval=HEARTBEAT_MS),
            html.Nav([html.Span("sovsim workbench", className="brand")]
                     + [dcc.Link(title, href=href, id=f"nav-{title.lower()}")
                        for href, title in PAGES]),
            html.Div(id="warm", className="status"),
            html.Main(id="page", children=run_page()),
        ])

    app.layout = layout

    @app.server.route("/_workbench/status")
    def status() -> dict:
        """The queue as JSON: whether the workers are warm, and each run's state."""
        return queue.snapshot()

    @app.callback(Output("page", "children"), Output("shown", "data"),
                  Input("url", "pathname"), State("shown", "data"))
    @guarded
    def route(path: str | None, shown: str | None) -> Any:
        pages = {"/look": look_page, "/compare": compare_page, "/claims": claims_view,
                 "/history": history_view}
        path = path if path in pages else "/"
        if path == shown:      # the page on screen already (the run page the layout starts with)
            raise PreventUpdate
        return (pages[path](runs_dir) if path in pages else run_page()), path

    @app.callback(Output("beat", "data"), Output("warm", "children"),
                  Input("heartbeat", "n_intervals"), State("session", "data"))
    @guarded
    def heartbeat(_n: int | None, session: str) -> tuple:
        queue.heartbeat(session)
        if queue.warm_errors:
            return no_update, "the run workers failed to start: " + queue.warm_errors[0]
        return no_update, ("" if queue.ready() else
                           "warming up the kernels: a run pressed now waits for them")

    # --- set up -----------------------------------------------------------------------------
    @app.callback(Output("pars-box", "children"), Output("change-region", "options"),
                  Output("event-attacker", "options"), Output("event-target", "options"),
                  Output("event-region", "options"), Output("event-regions", "options"),
                  Output("changes", "data", allow_duplicate=True),
                  Output("events", "data", allow_duplicate=True),
                  Input("scenario", "value"), prevent_initial_call=True)
    @guarded
    def scenario_changed(name: str) -> tuple:
        if name not in builtin_names():
            raise PreventUpdate
        regions = form.regions(name)
        return (_par_inputs(name), regions, regions, regions, regions, regions, [], [])

    @app.callback(Output("changes", "data", allow_duplicate=True),
                  Output("err-change", "children"),
                  Input("add-change", "n_clicks"),
                  State("scenario", "value"), State("change-date", "value"),
                  State("change-region", "value"), State("change-lever", "value"),
                  State("change-value", "value"), State("changes", "data"),
                  prevent_initial_call=True)
    @guarded
    def add_change(_n: int, name: str, date: str, region: str, lever: str, value: str,
                   changes: list) -> tuple:
        if not _n:
            raise PreventUpdate
        change = {"date": (date or "").strip(), "region": region, "lever": lever,
                  "value": value}
        message = form.check_change(change, name)
        if message:
            return no_update, message
        change["value"] = float(value)
        return [*(changes or []), change], ""

    @app.callback(Output("events", "data", allow_duplicate=True),
                  Output("err-event", "children"),
                  Input("add-event", "n_clicks"),
                  State("scenario", "value"), State("event-kind", "value"),
                  State("event-date", "value"), State("event-attacker", "value"),
                  State("event-target", "value"), State("event-region", "value"),
                  State("event-regions", "value"), State("event-months", "value"),
                  State("event-shock", "value"), State("event-size", "value"),
                  State("events", "data"), prevent_initial_call=True)
    @guarded
    def add_event(_n: int, name: str, kind: str, date: str, attacker: str, target: str,
                  region: str, regions: list, months: str, shock: str, size: str,
                  events: list) -> tuple:
        if not _n:
            raise PreventUpdate
        raw = {"kind": kind, "date": date, "attacker": attacker, "target": target,
               "region": region, "regions": regions, "months": months, "shock": shock,
               "size": size}
        _, message = form.check_event(raw, name)
        if message:
            return no_update, message
        return [*(events or []), raw], ""

    @app.callback(Output("changes", "data", allow_duplicate=True),
                  Output("events", "data", allow_duplicate=True),
                  Input("clear-added", "n_clicks"), prevent_initial_call=True)
    def clear_added(_n: int) -> tuple:
        if not _n:
            raise PreventUpdate
        return [], []

    @app.callback(Output("timeline", "figure"), Input("scenario", "value"),
                  Input("changes", "data"), Input("events", "data"))
    @guarded
    def timeline(name: str, changes: list, events: list) -> go.Figure:
        start, end = form.horizon(name)
        fig = go.Figure()
        rows = [("scenario", e) for e in form.base_events(name)] + \
               [("added", form.event_record(e)) for e in (events or [])]
        for origin, colour in (("scenario", "#888"), ("added", "#b2182b")):
            sel = [e for o, e in rows if o == origin]
            fig.add_trace(go.Scatter(
                x=[e["date"] for e in sel], y=[e["kind"] for e in sel], mode="markers",
                name=f"{origin} events", marker={"size": 11, "color": colour},
                text=[", ".join(str(e.get(k)) for k in ("attacker", "target", "region",
                                                       "regions", "shock") if e.get(k))
                      for e in sel], hoverinfo="text+x"))
        if changes:
            fig.add_trace(go.Scatter(
                x=[c["date"] for c in changes], y=["policy"] * len(changes), mode="markers",
                name="added policy changes", marker={"size": 11, "symbol": "diamond",
                                                     "color": "#2166ac"},
                text=[f"{c['region']}: {c['lever']} = {c['value']}" for c in changes],
                hoverinfo="text+x"))
        fig.update_layout(title="Timeline of events and policy changes", height=260,
                          xaxis={"range": [start, end]},
                          margin={"l": 70, "r": 10, "t": 40, "b": 30})
        return fig

    def _raw(name, theory, mode, agents, seed, end, par_values, par_ids, changes, events):
        return {"scenario": name, "theory": theory, "mode": mode, "agents": agents,
                "seed": seed, "end": end,
                "pars": {i["name"]: v for i, v in zip(par_ids, par_values, strict=True)},
                "changes": changes or [], "events": events or []}

    form_states = [State("scenario", "value"), State("theory", "value"), State("mode", "value"),
                   State("agents", "value"), State("seed", "value"), State("end", "value"),
                   State({"type": "par", "name": ALL}, "value"),
                   State({"type": "par", "name": ALL}, "id"),
                   State("changes", "data"), State("events", "data")]
    field_outputs = [Output(f"err-{f}", "children") for f in ("agents", "seed", "end",
                                                              "theory", "mode")]

    def _write_scenario(setup: form.Setup, stem: str) -> tuple[Path, str]:
        """Write the set-up's scenario under --runs and load it back as `sovsim check` does."""
        text = form.scenario_toml(setup)
        scenarios_dir.mkdir(parents=True, exist_ok=True)
        path = scenarios_dir / f"{stem}.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load(str(path))
        except ScenarioError:
            path.unlink(missing_ok=True)
            raise
        return path, text

    def _messages(errors: dict[str, str], par_ids: list, shown: list | None = None) -> tuple:
        """Each field's message; a parameter's only where it changes (there are 150 of them,
        and re-rendering all on every press of Run costs the page most of a second)."""
        shown = shown or [""] * len(par_ids)
        pars = [errors.get(f"par:{i['name']}", "") for i in par_ids]
        pars = [m if m != (old or "") else no_update for m, old in zip(pars, shown,
                                                                        strict=True)]
        general = [f"{k}: {v}" for k, v in errors.items()
                   if k.startswith(("changes", "events", "scenario"))]
        status = (f"{len(errors)} value(s) to correct" + (": " + "; ".join(general)
                                                          if general else "")) if errors else ""
        return ([errors.get(f, "") for f in ("agents", "seed", "end", "theory", "mode")]
                + [pars], status)

    @app.callback(*field_outputs, Output({"type": "par-err", "name": ALL}, "children"),
                  Output("form-status", "children"), Output("job", "data"),
                  Input("run", "n_clicks"), State("session", "data"), *form_states,
                  State({"type": "par-err", "name": ALL}, "children"),
                  prevent_initial_call=True)
    def start_run(_n, session, name, theory, mode, agents, seed, end, par_values, par_ids,
                  changes, events, shown):
        if not _n:
            raise PreventUpdate
        try:
            setup, errors = form.check(_raw(name, theory, mode, agents, seed, end, par_values,
                                            par_ids, changes, events))
            fields_, status = _messages(errors, par_ids, shown)
            if setup is None:
                return (*fields_, status, no_update)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            path, _ = _write_scenario(setup, f"run-{setup.scenario}-s{setup.seed}-{stamp}")
            job = queue.submit(session, {"scenario_path": str(path), "agents": setup.agents,
                                         "seed": setup.seed, "end": setup.end,
                                         "theory": setup.theory, "mode": setup.mode})
            return (*fields_, f"run {job.id} queued: {path.name}", job.id)
        except (ScenarioError, ValueError) as exc:
            return (*[no_update] * 5, [no_update] * len(par_ids), str(exc), no_update)
        except Exception as exc:
            log.exception("start_run failed")
            return (*[no_update] * 5, [no_update] * len(par_ids),
                    f"could not start the run: {type(exc).__name__}: {exc}", no_update)

    @app.callback(Output("download", "data"), Output("form-status", "children",
                                                     allow_duplicate=True),
                  Input("export", "n_clicks"), *form_states, prevent_initial_call=True)
    def export(_n, name, theory, mode, agents, seed, end, par_values, par_ids, changes,
               events):
        if not _n:
            raise PreventUpdate
        try:
            setup, errors = form.check(_raw(name, theory, mode, agents, seed, end, par_values,
                                            par_ids, changes, events))
            if setup is None:
                return no_update, _messages(errors, par_ids)[1] + " (press Run to see each)"
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            path, text = _write_scenario(setup, f"export-{setup.scenario}-{stamp}")
            return ({"content": text, "filename": path.name},
                    f"exported {path} (sovsim check accepts it)")
        except (ScenarioError, ValueError) as exc:
            return no_update, str(exc)
        except Exception as exc:
            log.exception("export failed")
            return no_update, f"could not export: {type(exc).__name__}: {exc}"

    @app.callback(Output("run-status", "children", allow_duplicate=True),
                  Input("stop", "n_clicks"), State("job", "data"), prevent_initial_call=True)
    @guarded
    def stop(_n, job_id):
        if not _n:
            raise PreventUpdate
        if job_id is None:
            return "no run to stop"
        queue.stop(int(job_id))
        return "stopping"

    @app.callback(Output("form-status", "children", allow_duplicate=True),
                  Input("save", "n_clicks"), State("job", "data"), State("save-name", "value"),
                  prevent_initial_call=True)
    @guarded
    def save(_n, job_id, name):
        if not _n:
            raise PreventUpdate
        if job_id is None:
            return "no run to save"
        try:
            target = queue.save(int(job_id), name or "")
        except (ValueError, OSError) as exc:
            return f"not saved: {exc}"
        return f"saved as {target} (sovsim classify {target} reads it)"

    # Live drawing is a handshake. Dash drops the answer of a callback whose next call has
    # already been made, so charts asked for on every tick of a timer would never be drawn
    # once a drawing (or a busy server) takes longer than a tick. The poll asks for a drawing
    # only when the run has moved on, and stops the timer until the drawing is on screen.
    @app.callback(Output("progress", "value"), Output("progress", "max"),
                  Output("run-status", "children"), Output("want", "data"),
                  Output("live-tick", "disabled"),
                  Input("live-tick", "n_intervals"), Input("job", "data"),
                  State("drawn", "data"))
    @guarded
    def poll(_n, job_id, drawn):
        job = queue.jobs.get(int(job_id)) if job_id is not None else None
        if job is None:
            if drawn == "empty":
                raise PreventUpdate
            return "0", "1", "set up a run and press Run", "empty", True
        key = f"{job.id}:{job.t}:{job.state}"
        # nothing to draw before month 1; after the first drawing at most one a MIN_DRAW_S,
        # so that drawing (here and in the browser) does not slow a long run down
        now = time.monotonic()
        ask = key != drawn and (job.t > 0 or job.finished) and (
            job.finished or job.drawn_at is None or now - job.drawn_at >= MIN_DRAW_S)
        if job.state == "queued":
            status = f"run {job.id}: waiting in the queue (place {queue.position(job.id)})"
        else:
            date = job.dates[job.t - 1] if job.t and job.dates else ""
            status = f"run {job.id}: {job.state} {date} ({job.t}/{job.n_steps} months)"
            if job.message:
                status += f"; {job.message}"
            if job.state == "done" and not job.saved:
                status += "; give it a name and press Save run to keep it"
            if job.saved:
                status += f"; saved as {job.saved}"
        # the timer: off while a drawing is made; on again for a run still going (a new run
        # may follow a finished one whose last drawing turned the timer off)
        tick_off = True if ask else (no_update if job.finished else False)
        return (str(job.t), str(max(job.n_steps, 1)), status, key if ask else no_update,
                tick_off)

    @app.callback(*[Output(f"live-{var}", "figure") for var, *_ in charts.LIVE],
                  Output("live-course", "figure"), Output("drawn", "data"),
                  Output("live-tick", "disabled", allow_duplicate=True),
                  Input("want", "data"), State("job", "data"), prevent_initial_call=True)
    def draw(want, job_id):
        job = queue.jobs.get(int(job_id)) if job_id is not None else None
        try:
            if job is None or want in (None, "empty"):
                figs = charts.live_charts([], [], {}, 0)
                return (*figs, charts.course_chart([], [], {}, {}, 0), want, False)
            # the time of the last drawing made, not asked for: an answer Dash dropped as
            # stale must not hold the next one back
            job.drawn_at = time.monotonic()
            with queue.reading():
                figs = charts.live_charts(job.regions, job.dates, job.region_vars, job.t)
                course = charts.course_chart(job.regions, job.dates, job.region_vars,
                                             job.world_vars, job.t)
            # the timer stays off once a finished run is drawn: nothing more will come
            return (*figs, course, want, job.finished)
        except Exception:
            log.exception("drawing run %s failed", job_id)
            return (*[no_update] * (len(charts.LIVE) + 1), want, job is None or job.finished)

    # --- look ---------------------------------------------------------------------------------
    @app.callback(Output("look-region", "options"), Output("look-region", "value"),
                  Output("look-year", "min"), Output("look-year", "max"),
                  Output("look-year", "value"), Output("look-year", "marks"),
                  Input("look-run", "value"))
    @guarded
    def look_run(folder):
        if not folder:
            raise PreventUpdate
        view = view_of(folder, runs_dir)
        years = view.years or [int(str(view.dates[0])[:4]), int(str(view.dates[-1])[:4])]
        marks = {y: str(y) for y in years[:: max(1, len(years) // 10)]}
        region = "USSR" if "USSR" in view.regions else view.regions[0]
        return view.regions, region, years[0], years[-1], years[0], marks

    @app.callback(Output("look-map", "figure"), Input("look-run", "value"),
                  Input("look-year", "value"))
    @guarded
    def look_map(folder, year):
        if not folder:
            raise PreventUpdate
        view = view_of(folder, runs_dir)
        labels = {}
        if view.labels is not None and view.labels.num_rows:
            rows = data.where(view.labels, year=int(year), kind="region").to_pylist()
            labels = {r["region"]: r["label"] for r in rows}
        return tilemap.tile_map(view.regions, labels, year)

    @app.callback(Output("look-region-charts", "figure"), Output("look-classes", "figure"),
                  Output("look-course", "figure"), Input("look-run", "value"),
                  Input("look-region", "value"))
    @guarded
    def look_region(folder, region):
        if not folder or not region:
            raise PreventUpdate
        view = view_of(folder, runs_dir)
        if region not in view.regions:
            raise PreventUpdate
        return (charts.region_charts(region, view.regions, view.dates, view.region_vars),
                charts.class_chart(region, view.regions, view.dates, view.classes,
                                   view.class_vars.get("count")),
                charts.course_chart(view.regions, view.dates, view.region_vars,
                                    view.world_vars))

    @app.callback(Output("look-label", "children"), Output("look-criteria", "data"),
                  Output("look-criteria", "columns"), Input("look-run", "value"),
                  Input("look-region", "value"), Input("look-year", "value"))
    @guarded
    def look_criteria(folder, region, year):
        if not folder or not region:
            raise PreventUpdate
        view = view_of(folder, runs_dir)
        if view.labels is None or view.criteria is None:
            return "this run has no labels", [], []
        label = data.where(view.labels, year=int(year), kind="region", region=region)
        crit = data.where(view.criteria, year=int(year), kind="region", region=region)
        head = (f"{region.replace('_', ' ')} in {year}: {label.column('label')[0]} "
                f"({label.column('rule')[0]})" if label.num_rows else f"{region}: no label")
        cols = ["criterion", "supports", "op", "threshold", "value", "met"]
        rows = [{c: (str(r[c]) if isinstance(r[c], bool) else
                     (round(r[c], 4) if isinstance(r[c], float) else r[c])) for c in cols}
                for r in crit.to_pylist()]
        return head, rows, [{"name": c, "id": c} for c in cols]

    @app.callback(Output("compare-chart", "figure"), Input("compare-a", "value"),
                  Input("compare-b", "value"), Input("compare-var", "value"))
    @guarded
    def compare(a, b, var):
        if not a or not b:
            raise PreventUpdate
        va, vb = view_of(a, runs_dir), view_of(b, runs_dir)

        def side(v: folders.RunView) -> tuple:
            theory = v.meta.get("theory", "")
            name = f"{v.folder.name} ({v.meta.get('scenario')} s{v.meta.get('seed')}"
            return (name + (f", {theory})" if theory else ")"), v.regions, v.dates,
                    v.region_vars)
        return charts.compare_chart(var, side(va), side(vb))

    # --- claims -------------------------------------------------------------------------------
    @app.callback(Output("claims-cards", "children"), Input("claims-folder", "value"))
    @guarded
    def claims(folder):
        if not folder:
            return html.P("No claims folder under --runs.")
        path = Path(folder).resolve()
        if not path.is_relative_to(runs_dir.resolve()):
            raise PreventUpdate
        try:
            return claims_page.claim_cards(path)
        except (OSError, ValueError) as exc:
            return html.P(f"{path}: cannot be read: {exc}", className="error")

    return app

