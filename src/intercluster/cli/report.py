"""Write one self-contained HTML page (report.html) for a result folder of
simulate, fit, equilibrium or exsy: the command that produced it, the key
numbers, a fit's intervals, warnings, flags, data-vs-fit traces and residual
map, every figure (embedded), the files and the configuration. The page loads
nothing from the network; open it in any browser or mail it."""

from __future__ import annotations

HELP = "write a self-contained HTML report of a result folder"


def add_arguments(p) -> None:
    p.add_argument("folder", metavar="DIR", help="result folder (from simulate, fit, ...)")
    p.add_argument("--out", metavar="FILE", help="HTML file to write (default DIR/report.html)")


def run(args) -> int:
    from intercluster.report import write_report
    from intercluster.results import load

    kind = load(args.folder).kind
    path = write_report(args.folder, args.out)
    print(f"report of the {kind} folder {args.folder}: {path} ({path.stat().st_size // 1024} kB)")
    return 0
