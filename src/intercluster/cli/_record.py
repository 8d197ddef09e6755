"""The command line that produced a result folder, stored in its summary
(``summary.json`` / ``fit.json``, key ``command``) so that a report can show the
exact command to reproduce it."""

from __future__ import annotations

import os
import shlex


def command_line(args) -> str:
    """``cd <cwd> && intercluster <arguments>``, shell-quoted (the arguments as given
    to :func:`intercluster.cli.main.main`)."""
    argv = getattr(args, "_argv", None)
    if argv is None:
        argv = [args.command]
    return f"cd {shlex.quote(os.getcwd())} && " + shlex.join(["intercluster", *map(str, argv)])
