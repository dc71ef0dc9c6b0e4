"""The typer layer: each module parses one command's arguments, calls the library and prints
what happened. Errors are `CLIError`s, turned into exit codes in one place
(`feathers_cli.main.FeathersGroup`). No planning or file handling lives here.
"""
