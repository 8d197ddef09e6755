"""Entry point of the ``intercluster`` command.

Each subcommand lives in its own module ``intercluster.cli.<name>`` with
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``; heavy
imports happen inside ``run``, so ``intercluster --help`` starts fast.
Errors of the :class:`~intercluster.errors.InterclusterError` family become one
line on stderr and exit status 2; ``--debug`` shows the traceback.

SIGTERM (and SIGHUP) become an exception like Ctrl-C, so temporary outputs are
removed (exit status 128 + signal number); printing to a closed pipe
(``| head -1``) is dropped and never stops a command before its results are
written (docs/guarantees.md). The library reports through :mod:`logging` (logger
``intercluster``); ``-v`` shows its INFO messages, ``-vv`` DEBUG, ``-q`` only errors
(and implies a subcommand's ``--quiet``).
Progress bars are drawn only where stderr is a terminal, never into a redirected log.
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
    "losses": "intercluster.cli.losses",
    "deconvolve": "intercluster.cli.deconvolve",
    "spectra-to-observables": "intercluster.cli.spectra_to_observables",
    "breakdown": "intercluster.cli.breakdown",
    "synth-spectra": "intercluster.cli.synth_spectra",
    "equilibrium": "intercluster.cli.equilibrium",
    "fit-equilibrium": "intercluster.cli.fit_equilibrium",
    "exsy": "intercluster.cli.exsy",
    "nmr-multiplet": "intercluster.cli.nmr_multiplet",
    "fit": "intercluster.cli.fit",
    "report": "intercluster.cli.report",
    "completion": "intercluster.cli.completion",
}


def _add_verbosity(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """-v/--verbose and -q (before or after the subcommand)."""
    default = argparse.SUPPRESS if suppress else 0
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="more messages from the library (-v info, -vv debug)",
    )
    parser.add_argument(
        "-q",
        dest="less_verbose",
        action="count",
        default=default,
        help="errors only, no progress bars (same as a subcommand's --quiet)",
    )


def _stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def _setup_logging(command: str, verbosity: int) -> None:
    import logging

    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        max(-1, min(verbosity, 2)), logging.DEBUG
    )
    logger = logging.getLogger("intercluster")
    for h in [h for h in logger.handlers if getattr(h, "_intercluster_cli", False)]:
        logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler._intercluster_cli = True
    handler.setFormatter(logging.Formatter(f"intercluster {command}: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error:
    ``intercluster CMD: error: MESSAGE`` on stderr and exit status 2 (no usage block;
    ``--help`` still shows it)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


#: Library parameters that only the command line sets (output locations and run options).
_CLI_ONLY = {"out", "overwrite", "csv", "plot", "workers", "scheduler", "sedml", "report"}


def _remove_own_temporaries() -> None:
    """After a signal: no temporary result folder of this run may stay behind."""
    io = sys.modules.get("intercluster.io")  # loaded only if the command wrote a folder
    if io is not None:
        io.remove_own_temporaries()


def in_cli_terms(message: str, parser: argparse.ArgumentParser | None) -> str:
    """A library message in the command's terms: the library names parameters
    (``out = 'res': ...``, ``pass overwrite=True``); the command line shows the options
    that set them (``--out = 'res'``, ``pass --overwrite``), read from the parser itself.

    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--out"); _ = p.add_argument("--overwrite", action="store_true")
    >>> in_cli_terms("out = 'res': the folder exists; pass overwrite=True", p)
    "--out = 'res': the folder exists; pass --overwrite"
    """
    import re

    if parser is None:
        return message
    for action in parser._actions:
        longs = [o for o in action.option_strings if o.startswith("--")]
        # only what exists on the command line alone; a model value such as k_ex may
        # come from the configuration file, where it has its parameter name
        if not longs or action.dest not in _CLI_ONLY:
            continue
        option = longs[0]
        message = re.sub(rf"(?<![\w.-]){re.escape(action.dest)}=True\b", option, message)
        message = re.sub(rf"(?<![\w.-]){re.escape(action.dest)} = ", f"{option} = ", message)
    return message


def build_parser() -> argparse.ArgumentParser:
    from intercluster import __version__

    parser = OneLineErrorParser(
        prog="intercluster",
        description="Intercluster reactions of atomically precise metal nanoclusters: "
        "reaction networks, kinetics, ESI-MS, fitting and equilibria.",
    )
    parser.add_argument("--version", action="version", version=f"intercluster {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    _add_verbosity(parser, suppress=False)
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
        _add_verbosity(p, suppress=True)
        module.add_arguments(p)
        p.set_defaults(_module=module, _parser=p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 other failure)."""
    from intercluster.errors import InterclusterError

    parser = build_parser()
    args = parser.parse_args(argv)
    args._argv = list(sys.argv[1:] if argv is None else argv)  # recorded in summaries
    if args.command is None:
        parser.print_help()
        return 2
    if args.less_verbose and hasattr(args, "quiet"):
        args.quiet = True
    #: progress bars: not with --quiet/-q, and only on a terminal
    args.progress = not getattr(args, "quiet", False) and not args.less_verbose
    args.progress = args.progress and _stderr_is_terminal()
    _setup_logging(args.command, args.verbose - args.less_verbose)
    import warnings

    def _one_line_warning(message, category, filename, lineno, file=None, line=None):
        print(f"intercluster {args.command}: warning: {message}", file=sys.stderr)

    from intercluster.io import set_command

    set_command(args.command)
    stdout = _PipeSafeStdout(sys.stdout)
    restore = _install_signal_handlers()
    sys.stdout = stdout
    try:
        with warnings.catch_warnings():
            # warnings about the input (e.g. percentages not summing to 100): one line each
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = _one_line_warning
            return int(args._module.run(args) or 0)
    except InterclusterError as exc:
        if args.debug:
            raise
        message = in_cli_terms(str(exc), getattr(args, "_parser", None))
        print(f"intercluster {args.command}: error: {message}", file=sys.stderr)
        return 2
    except Terminated as exc:
        _remove_own_temporaries()
        if args.debug:
            raise
        print(f"intercluster {args.command}: terminated ({exc})", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        _remove_own_temporaries()
        if args.debug:
            raise
        print(f"intercluster {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        stdout.flush()  # here, where a closed pipe is harmless, not at interpreter exit
        sys.stdout = stdout.stream
        restore()
        set_command(None)


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) turned into an exception, so that ``finally`` blocks and
    the atomic writers remove their temporary files as on Ctrl-C."""

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def _install_signal_handlers():
    """Turn SIGTERM and SIGHUP into :class:`Terminated` in this process (a forked child,
    e.g. a worker, gets the default action); returns a function that restores them."""
    import os
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    main_pid = os.getpid()

    def handler(signum, frame):
        if os.getpid() != main_pid:  # inherited by a forked process: die as by default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated(signum)

    old = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            old[sig] = signal.signal(sig, handler)

    def restore():
        for sig, h in old.items():
            signal.signal(sig, h)

    return restore


class _PipeSafeStdout:
    """sys.stdout whose writes to a closed pipe (``| head -1``) are dropped: what a
    command prints never decides whether its results are written."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.closed_pipe = False

    def _broken(self) -> None:
        import os

        self.closed_pipe = True
        try:  # later writes by anyone (and the flush at exit) go nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text):
        if self.closed_pipe:
            return len(text)
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._broken()
            return len(text)

    def flush(self):
        if self.closed_pipe:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._broken()

    def __getattr__(self, name):
        return getattr(self.stream, name)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
