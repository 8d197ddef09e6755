"""The HTML report of a result folder: plain string templates, every value passed
through :func:`html.escape`, figures embedded as ``data:`` URIs."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import os
from pathlib import Path

from intercluster.errors import ConfigError, bad_value

__all__ = ["render_report", "write_report"]

REPORT_FILE = "report.html"

#: Figures shown first (the rest follow by name).
FIRST_FIGURES = (
    "fit_traces.png",
    "residual_map.png",
    "fit_contours.png",
    "profiles.png",
    "landscape.png",
    "mcmc_corner.png",
    "contour.png",
    "distribution.png",
)

TITLES = {
    "simulate": "Simulation",
    "fit": "Fit of rate constants",
    "equilibrium": "Site-preference equilibria",
    "exsy": "2D EXSY",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       margin: 1.5em auto; max-width: 1150px; color: #1a1a1a; line-height: 1.4; padding: 0 1em; }
h1 { border-bottom: 3px solid #2b6cb0; padding-bottom: .2em; }
h2 { color: #2b6cb0; margin-top: 1.6em; border-bottom: 1px solid #cbd5e0; }
table { border-collapse: collapse; margin: .5em 0 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #cbd5e0; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #edf2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f7fafc; border: 1px solid #cbd5e0; padding: .7em; overflow-x: auto;
      font-size: 0.88em; white-space: pre-wrap; word-break: break-all; }
.warning { background: #fffbea; border-left: 5px solid #d69e2e; padding: .5em .8em;
           margin: .4em 0; }
ul.flags { background: #ebf8ff; border-left: 5px solid #3182ce; padding: .4em .8em .4em 2em;
           font-size: 0.88em; columns: 2; }
.ok { color: #276749; }
figure { margin: 1em 0 2em 0; }
figure img { max-width: 100%; border: 1px solid #e2e8f0; }
figcaption { font-size: 0.9em; color: #4a5568; }
footer { margin-top: 3em; font-size: 0.8em; color: #718096; }
"""


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        return f"{x:.6g}"
    return str(x)


def _td(x) -> str:
    cls = ' class="num"' if isinstance(x, int | float) and not isinstance(x, bool) else ""
    return f"<td{cls}>{_e(_fmt(x))}</td>"


def _table(header: list, rows: list[list]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _flatten(d, prefix: str = "", limit: int = 12) -> list[list]:
    """Key numbers of a nested dict as (key, value) rows; long maps and lists are
    summarised by their size (they are in the folder's files)."""
    rows = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            if len(v) > limit:
                rows.append([key, f"({len(v)} entries; see the files)"])
            else:
                rows += _flatten(v, key + ".", limit)
        elif isinstance(v, list):
            if len(v) <= 6 and all(not isinstance(x, dict | list) for x in v):
                rows.append([key, ", ".join(_fmt(x) for x in v)])
            else:
                rows.append([key, f"({len(v)} items; see the files)"])
        else:
            rows.append([key, v])
    return rows


def _figure(path: Path) -> str:
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_e(path.name)}" src="data:{mime};base64,{data}">'
        f"<figcaption>{_e(path.name)}</figcaption></figure>"
    )


def _ordered_figures(figures: list[Path]) -> list[Path]:
    rank = {name: i for i, name in enumerate(FIRST_FIGURES)}
    return sorted(figures, key=lambda p: (rank.get(p.name, len(rank)), p.name))


def _fit_sections(run) -> list[str]:
    from intercluster.fit.result import UNITS

    r = run.result
    out = []
    rows = []
    for name in [*r.values, *r.derived]:
        value = r.values.get(name, r.derived.get(name))
        iv = r.intervals.get(name)
        wd = r.wald_intervals.get(name)
        prof = (
            f"{iv.lower:.4g} .. {iv.upper:.4g}"
            + (" (open below)" if iv.lower_open else "")
            + (" (open above)" if iv.upper_open else "")
            if iv
            else ("fixed" if name not in r.names and name in r.values else "—")
        )
        rows.append(
            [
                name,
                value,
                UNITS.get(name, ""),
                prof,
                f"{iv.halfwidth_percent:.2g} %" if iv else "—",
                f"{wd.lower:.4g} .. {wd.upper:.4g}" if wd else "—",
            ]
        )
    out.append("<h2>Best values and 95 % intervals</h2>")
    out.append(
        _table(
            ["parameter", "best", "units", "profile interval", "± half-width", "Wald interval"],
            rows,
        )
    )
    o = r.objective
    out.append(
        _table(
            ["objective", "value", "eq 1 [s²]", "t_max χ²", "intensity χ²"],
            [[o.kind, o.value, o.eq1_s2, o.tmax_chi2, o.intensity_chi2]],
        )
    )
    out.append(
        f"<p>Method {_e(r.method)}, model {_e(r.model)}; {r.n_simulations} simulations "
        f"({r.n_evaluations} parameter vectors) in this run, {r.wall_time_s:.1f} s.</p>"
    )
    out.append("<h2>Warnings</h2>")
    if not r.warnings:
        out.append('<p class="ok">No warnings.</p>')
    out += [f'<div class="warning">warning: {_e(w)}</div>' for w in r.warnings]
    if r.notes:
        out.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in r.notes) + "</ul>")
    return out


def _fit_details(run) -> list[str]:
    """Flags, the eq 1 cross-check, drivers and timings (after the figures)."""
    r = run.result
    out = ["<h2>Flags</h2>"]
    if r.flags:
        out.append('<ul class="flags">' + "".join(f"<li>{_e(f)}</li>" for f in r.flags) + "</ul>")
    else:
        out.append('<p class="ok">No flags.</p>')
    if r.eq1_check is not None:
        c = r.eq1_check
        out.append(
            f"<p>Eq 1 alone (t_max, Neumaier et al., JACS 2021, 143, 6969) on the "
            f"{_e(c.grid_preset)} grid:</p>"
        )
        out.append(
            _table(
                ["parameter", "eq 1 on the grid", "fit", "log10 difference"],
                [[n, c.values[n], c.fit_values[n], c.log10_difference.get(n)] for n in c.values],
            )
        )
    if r.drivers:
        out.append("<h2>Observables that drive the objective</h2>")
        out.append(
            _table(
                ["observable", "dataset", "term", "contribution", "share"],
                [
                    [d.observable, d.dataset, d.term, d.contribution, f"{100 * d.share:.1f} %"]
                    for d in r.drivers
                ],
            )
        )
    if r.timings:
        out.append("<h2>Timings</h2>")
        out.append(_table(["stage", "wall time [s]"], [[k, v] for k, v in r.timings.items()]))
    return out


def _equilibrium_sections(run) -> list[str]:
    out = []
    stats = run.summary.get("stats", {})
    if stats:
        keys = sorted({k for s in stats.values() for k in s})
        out.append("<h2>Le Chatelier series: statistics by mixing ratio</h2>")
        out.append(
            _table(["ratio", *keys], [[r, *[s.get(k) for k in keys]] for r, s in stats.items()])
        )
    dist = run.distributions
    if dist is not None and dist.shape[1] <= 40:
        out.append("<h2>Equilibrium distributions [%]</h2>")
        out.append(
            _table(
                ["ratio", *map(str, dist.columns)],
                [[idx, *[float(x) for x in row]] for idx, row in zip(dist.index, dist.values)],
            )
        )
    return out


def _exsy_sections(run) -> list[str]:
    out = []
    eq = run.equilibrium
    if eq is not None and len(eq) <= 60:
        out.append("<h2>Equilibrium</h2>")
        out.append(
            _table(
                list(eq.columns),
                [[v.item() if hasattr(v, "item") else v for v in row] for row in eq.values],
            )
        )
    for t, info in (run.summary.get("mixing_times") or {}).items():
        pairs = info.get("cross_peak_pairs", [])
        out.append(f"<h2>Cross peaks at {_e(t)}</h2>")
        out.append(
            _table(["species 1", "species 2", "normalised volume"], pairs)
            if pairs
            else "<p>No cross peak above the threshold.</p>"
        )
    return out


def render_report(run) -> str:
    """The HTML page of a loaded result (:func:`intercluster.load`).

    Parameters
    ----------
    run : RunResult
        SimulationResult, FitRunResult, EquilibriumResult or ExsyResult.

    Returns
    -------
    str
        A complete HTML document that references nothing outside itself.
    """
    from intercluster import __version__

    title = f"{TITLES.get(run.kind, run.kind)}: {run.path.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>Folder <code>{_e(run.path.resolve())}</code> written by "
        f"<code>intercluster {_e(run.kind)}</code>.</p>",
        "<h2>Command to reproduce it</h2>",
        f"<pre>{_e(run.command)}</pre>" if run.command else "<p>Not recorded by this command.</p>",
    ]
    if run.kind == "fit":
        parts += _fit_sections(run)
    else:
        parts.append("<h2>Key numbers</h2>")
        skip = {"command", "config"} if run.kind == "exsy" else {"command"}
        summary = {k: v for k, v in run.summary.items() if k not in skip}
        parts.append(_table(["quantity", "value"], _flatten(summary)))
        if run.kind == "equilibrium":
            parts += _equilibrium_sections(run)
        elif run.kind == "exsy":
            parts += _exsy_sections(run)
    parts.append("<h2>Figures</h2>")
    figures = _ordered_figures(run.figures)
    parts += [_figure(p) for p in figures] if figures else ["<p>No figures in the folder.</p>"]
    if run.kind == "fit":
        parts += _fit_details(run)
    parts.append("<h2>Files</h2>")
    parts.append(
        _table(
            ["file", "size [bytes]"],
            [[p.name, p.stat().st_size] for p in run.files if p.name != REPORT_FILE],
        )
    )
    parts.append("<h2>Configuration</h2>")
    toml = {"fit": "fit-config.toml", "simulate": "config.toml"}.get(run.kind)
    if toml and (run.path / toml).exists():
        text = (run.path / toml).read_text(encoding="utf-8", errors="replace")
        parts.append(f"<p>{_e(toml)}:</p><pre>{_e(text)}</pre>")
    else:
        parts.append(f"<pre>{_e(json.dumps(run.config, indent=2, default=str))}</pre>")
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<footer>Report by intercluster {_e(__version__)}, {now}.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(path: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Write the HTML report of the result folder ``path`` (atomically).

    Parameters
    ----------
    path : path
        A folder written by ``intercluster simulate``, ``fit``, ``equilibrium``
        or ``exsy``.
    out : path, optional
        The HTML file (default ``<path>/report.html``).

    Returns
    -------
    Path
        The report written.

    Raises
    ------
    DataError
        If ``path`` is not a result folder (see :func:`intercluster.load`).
    ConfigError
        If ``out`` is a folder.
    """
    from intercluster.io import atomic_file
    from intercluster.results import load

    run = load(path)
    target = Path(out) if out is not None else Path(path) / REPORT_FILE
    if target.is_dir():
        raise ConfigError(bad_value("out", str(target), "a file name, not a folder"))
    text = render_report(run)
    with atomic_file(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
