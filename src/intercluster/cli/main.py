"""Entry point of the ``intercluster`` command.

Each subcommand lives in its own module ``intercluster.cli.<name>`` with
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``; heavy
imports happen inside ``run``, so ``intercluster --help`` starts fast.
Errors of the :class:`~intercluster.errors.InterclusterError` family become one
line on stderr and exit status 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand name -> module (in the order ``--help`` lists them)
COMMANDS = {
    "simulate": "intercluster.cli.simulate",
    "network": "intercluster.cli.network",
    "export-sbml": "intercluster.cli.export_sbml",
    "isomers": "intercluster.cli.isomers",
    "plausibility": "intercluster.cli.plausibility",
    "mass": "intercluster.cli.mass",
    "pattern": "intercluster.cli.pattern",
    "assign": "intercluster.cli.assign",
    "deconvolve": "intercluster.cli.deconvolve",
    "spectra-to-observables": "intercluster.cli.spectra_to_observables",
    "synth-spectra": "intercluster.cli.synth_spectra",
    "equilibrium": "intercluster.cli.equilibrium",
    "fit-equilibrium": "intercluster.cli.fit_equilibrium",
    "exsy": "intercluster.cli.exsy",
    "nmr-multiplet": "intercluster.cli.nmr_multiplet",
    "fit": "intercluster.cli.fit",
}


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error:
    ``intercluster CMD: error: MESSAGE`` on stderr and exit status 2 (no usage block;
    ``--help`` still shows it)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from intercluster import __version__

    parser = OneLineErrorParser(
        prog="intercluster",
        description="Intercluster reactions of atomically precise metal nanoclusters: "
        "reaction networks, kinetics, ESI-MS, fitting and equilibria.",
    )
    parser.add_argument("--version", action="version", version=f"intercluster {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        p.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show full tracebacks on errors",
        )
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 other failure)."""
    from intercluster.errors import InterclusterError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    import warnings

    def _one_line_warning(message, category, filename, lineno, file=None, line=None):
        print(f"intercluster {args.command}: warning: {message}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            # warnings about the input (e.g. percentages not summing to 100): one line each
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = _one_line_warning
            return int(args._module.run(args) or 0)
    except InterclusterError as exc:
        if args.debug:
            raise
        print(f"intercluster {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # output piped into e.g. `head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"intercluster {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
