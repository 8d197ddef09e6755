"""docs/guarantees.md names a test for each guarantee: every named test exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_guarantee_names_an_existing_test():
    text = (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")
    refs = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text)
    assert len(refs) >= 20
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("|---")]
    body = [r for r in rows if not r.startswith(("| Event", "| Situation", "| Location"))]
    assert all("tests/" in r for r in body), [r for r in body if "tests/" not in r]
    for path, name in refs:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in names, f"{path}::{name}"
