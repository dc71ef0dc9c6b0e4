"""Errors of the `feathers` command: each carries the exit code the CLI turns it into.

The tree::

    Exception
     └── CLIError              exit 1: a user error (bad name, not in a project, ...)
          └── UsageError       exit 2: a wrong combination of flags or arguments

Library code (generators, project discovery, vendoring) raises these with a message a user
can act on; `feathers_cli.main` prints the message as one line on stderr and exits with the
code. Nothing else in the CLI decides exit codes.
"""

from __future__ import annotations

__all__ = ["CLIError", "UsageError"]


class CLIError(Exception):
    """A failure the user can fix; the message is printed as one line on stderr."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CLIError):
    """Flags or arguments that do not fit together (exit code 2, like click's usage errors)."""

    exit_code = 2
