"""The documentation builds strictly, the README stays a short front door, and
product text cites papers instead of pointing at things a user does not have."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_strict_build(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is in the test extra: pip install -e '.[test]'")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # one generated reference page per command, from its own --help
    from intercluster.cli.main import COMMANDS

    for name in COMMANDS:
        page = tmp_path / "site" / "cli" / name / "index.html"
        assert page.exists(), name
        assert f"intercluster {name}" in page.read_text(encoding="utf-8")


def test_readme_is_a_short_front_door():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    # exactly two set-up commands, and .ci/run runs the README's test command
    commands = re.findall(r"```sh\n(.+?)\n```", text)
    assert len(commands) == 2
    assert "pytest" in commands[1]
    assert commands[1].split("&& ")[-1].replace(".venv/bin/", "") in (
        ROOT / ".ci" / "run"
    ).read_text(encoding="utf-8").replace(".venv/bin/", "")
    # every relative link points at a file of the repository
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not re.match(r"https?://", target):
            assert (ROOT / target).exists(), target


def test_readme_python_examples_run(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```python\n(.+?)```", text, flags=re.S):
        proc = subprocess.run(
            [sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True
        )
        assert proc.returncode == 0, block + proc.stderr


PRODUCT_TEXT = ["README.md", "docs", "src", "tests", "benchmarks", "examples", "tools"]
# what a user cannot resolve: paths outside the repository, seed file numbers, issue numbers
FORBIDDEN = re.compile(
    r"\.\./shared/|\bissue \d+|\b00[0-4]_[0-9a-f]{8}|(?<![\w.,])00[0-4](?![\w.,])",
    re.IGNORECASE,
)


def test_product_text_cites_papers():
    bad = []
    for root in PRODUCT_TEXT:
        path = ROOT / root
        files = (
            [path]
            if path.is_file()
            else sorted(f for ext in ("*.md", "*.py", "*.toml") for f in path.rglob(ext))
        )
        for f in files:
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line):
                    bad.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)
