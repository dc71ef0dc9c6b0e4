"""Generators: each module turns validated answers into planned changes of a project
(`inject.Plan`): `new` (a project from the app template), `service`, `hook`, `connection`,
and `migrate` (running the project's migrations). They render with `render` (fragments) and
`app_template` (the copier app template), and never print: the typer layer (`commands/`)
does that.
"""
