"""Print a shell completion script for intercluster (subcommands, options, file names).

bash:  intercluster completion bash > ~/.local/share/bash-completion/completions/intercluster
zsh:   intercluster completion zsh > ~/.zfunc/_intercluster   (with fpath+=~/.zfunc before compinit)

The script is generated from the command's own argument parser (shtab), so it
always matches the installed version.
"""

from __future__ import annotations

HELP = "print a bash or zsh completion script"

SHELLS = ("bash", "zsh")

#: metavars of arguments that name folders / files (others, such as ION or MIXTURE,
#: are typed, not completed)
_DIRECTORIES = {"DIR", "RESULT_DIR"}
_FILES = {"FILE", "CONFIG", "SPECTRUM", "SOURCE", "TABLE", "PATH"}


def add_arguments(p) -> None:
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args) -> int:
    import sys

    import shtab

    from intercluster.cli.main import build_parser

    parser = build_parser()
    _complete_paths(parser, shtab)
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0


def _complete_paths(parser, shtab) -> None:
    """Arguments that name files or folders complete to paths (folders for DIR)."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _complete_paths(sub, shtab)
            continue
        takes_value = action.nargs != 0 and not isinstance(
            action, argparse._StoreConstAction | argparse._CountAction | argparse._VersionAction
        )
        if not takes_value or action.choices or action.type in (int, float):
            continue
        metavar = str(action.metavar or action.dest).upper()
        if metavar in _DIRECTORIES:
            action.complete = shtab.DIRECTORY
        elif metavar in _FILES:
            action.complete = shtab.FILE
