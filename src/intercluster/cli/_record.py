"""The command line that produced a result folder, stored as ``command.txt`` so
that a report can show the exact command to reproduce it."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

COMMAND_FILE = "command.txt"


def command_line(args) -> str:
    """``cd <cwd> && intercluster <arguments>``, shell-quoted (the arguments as given
    to :func:`intercluster.cli.main.main`)."""
    argv = getattr(args, "_argv", None)
    if argv is None:
        argv = [args.command]
    return f"cd {shlex.quote(os.getcwd())} && " + shlex.join(["intercluster", *map(str, argv)])


def write_command(folder: str | os.PathLike, args) -> Path:
    """Write ``command.txt`` into ``folder`` (atomically); returns its path."""
    from intercluster.io import atomic_file

    path = Path(folder) / COMMAND_FILE
    with atomic_file(path) as tmp:
        tmp.write_text(command_line(args) + "\n", encoding="utf-8")
    return path
