"""One self-contained HTML page per result folder (``intercluster report DIR``).

:func:`write_report` loads a folder (:func:`intercluster.load`) and writes
``report.html`` into it: the exact command that produced it, the key numbers,
for a fit the intervals, warnings, flags, data-vs-fit traces and residual map,
every figure (embedded as base64 PNG/SVG), the files and the configuration.
The page loads nothing from anywhere else: no scripts, style sheets, fonts or
images outside the file.
"""

from intercluster.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
