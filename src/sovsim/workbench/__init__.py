"""`sovsim serve`: a browser workbench to set up a world, watch it run, and read the verdicts.

Built on Dash (Plotly's Flask-based framework): it serves its JavaScript from the installed
packages by default, so the workbench works offline, and Plotly is already what the reports draw
with. Modules: `form` (the set-up form, its validation and the scenario TOML it exports),
`runner` (worker processes and the bounded run queue), `folders` (what `--runs` holds),
`charts` and `tilemap` (figures), `claims_page` and `history_page` (the verdicts), `app` (layout
and callbacks) and `server` (binding and start-up).
"""
