"""Print a shell completion script for intercluster (subcommands, options, file names).

bash:  intercluster completion bash > ~/.local/share/bash-completion/completions/intercluster
zsh:   intercluster completion zsh > ~/.zfunc/_intercluster   (with fpath+=~/.zfunc before compinit)

The script is generated from the command's own argument parser (shtab), so it
always matches the installed version.
"""

from __future__ import annotations

HELP = "print a bash or zsh completion script"

SHELLS = ("bash", "zsh")


def add_arguments(p) -> None:
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args) -> int:
    import sys

    import shtab

    from intercluster.cli.main import build_parser

    parser = build_parser()
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0
