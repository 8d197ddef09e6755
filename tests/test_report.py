"""``intercluster report DIR``: one self-contained HTML page per result folder, checked
for content, for the absence of any external resource, and rendered in a real headless
browser (Debian's chromium; skipped, with the reason, where it is not installed)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html import escape
from html.parser import HTMLParser

import pytest

from intercluster import DataError
from intercluster.cli.main import main
from intercluster.report import render_report, write_report
from intercluster.results import load
from tests.result_folders import make_folders

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return make_folders(tmp_path_factory)


class _Resources(HTMLParser):
    """Every attribute that can load something, and the text of <style> blocks."""

    def __init__(self):
        super().__init__()
        self.refs, self.images, self.tags, self.in_style, self.style = [], [], [], False, ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.in_style = tag == "style"
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data", "action", "background"):
                self.refs.append(value or "")
            if tag == "img" and name == "src":
                self.images.append(value)

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.style += data


def _external(html: str) -> list[str]:
    """External references: anything loaded from outside the file."""
    p = _Resources()
    p.feed(html)
    bad = [r for r in p.refs if not r.startswith(("data:", "#"))]
    bad += re.findall(r"url\(|@import", p.style)
    bad += re.findall(r"<(?:script|link|iframe|object|embed)\b", html, re.IGNORECASE)
    text_without_data = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", html)
    bad += re.findall(r"(?:https?:|ftp:)?//[\w.-]+\.\w+", text_without_data)
    return bad


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["simulate", "fit", "equilibrium", "exsy"])
def test_report_is_self_contained_with_every_figure(folders, kind, tmp_path):
    folder = folders[kind]
    run = load(folder)
    out = tmp_path / f"{kind}.html"
    assert write_report(folder, out) == out
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert _external(html) == []
    p = _Resources()
    p.feed(html)
    # every figure of the folder is embedded, byte for byte
    assert len(p.images) == len(run.figures) > 0
    embedded = {base64.b64decode(src.split(",", 1)[1]) for src in p.images}
    assert embedded == {f.read_bytes() for f in run.figures}
    if run.command:
        assert f"<pre>{escape(run.command)}</pre>" in html
    else:
        assert "Not recorded by this command" in html
    for f in run.files:
        assert f.name in html  # the list of files


@pytest.mark.slow
def test_fit_report_shows_intervals_warnings_flags_traces_and_residuals(folders):
    run = load(folders["fit"])
    html = render_report(run)
    r = run.result
    for name, iv in r.intervals.items():
        assert f"<td>{name}</td>" in html
        assert f"{iv.lower:.4g} .. {iv.upper:.4g}" in html  # profile interval
        wald = r.wald_intervals[name]
        assert f"{wald.lower:.4g} .. {wald.upper:.4g}" in html
    assert "<h2>Warnings</h2>" in html and "<h2>Flags</h2>" in html
    for text in [*r.warnings, *r.flags]:
        assert escape(text) in html
    assert html.index("fit_traces.png") < html.index("residual_map.png") < html.index("Files")
    assert "fit-config.toml" in html and "[parameters" in html  # the configuration
    assert "intercluster fit" in html  # the command


@pytest.mark.slow
def test_report_command_and_report_options(folders, tmp_path, capsys):
    folder = folders["equilibrium"]
    assert main(["report", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "report of the equilibrium folder" in out and (folder / "report.html").exists()
    # reloading a folder that holds a report still works, and the report is not a figure
    assert load(folder).figures == [p for p in load(folder).figures if p.suffix == ".png"]
    # --report on simulate writes report.html inside the new folder
    sim = tmp_path / "sim"
    code = main(
        [
            *("simulate", "--n-atoms", "4", "--t-end", "60", "--dt", "10", "--out", str(sim)),
            *("--quiet", "--no-plots", "--report"),
        ]
    )
    assert code == 0
    html = (sim / "report.html").read_text()
    assert "No figures in the folder" in html and "--report" in html
    assert _external(html) == []


def test_report_of_a_folder_that_is_not_a_result_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01\x02")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a result folder" in err
    assert not (tmp_path / "report.html").exists()
    assert main(["report", str(tmp_path / "junk.bin")]) == 2
    assert "is a file" in capsys.readouterr().err
    with pytest.raises(DataError):
        write_report(tmp_path / "none")


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on this machine (Debian: apt-get install chromium; .ci/run does it)",
)
def test_fit_report_renders_in_headless_chromium(folders, tmp_path):
    import matplotlib.image as mpimg
    import numpy as np

    report = write_report(folders["fit"], tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            report.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert shot.exists(), proc.stderr
    img = mpimg.imread(shot)
    assert img.shape[:2] == (2000, 1200)
    rgb = img[..., :3]
    non_white = np.any(rgb < 0.95, axis=-1).mean()
    assert non_white > 0.01, non_white
    # the figures drawn: many distinct colours, not just text on white
    colours = np.unique((rgb.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    assert len(colours) > 200
