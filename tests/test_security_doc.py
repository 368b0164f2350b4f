"""docs/security.md maps ASVS requirements to tests: every test it names must exist, and every
requirement row must name at least one, so the auditor's checklist cannot drift from the suite."""
from __future__ import annotations

import re

from tests.conftest import ROOT

DOC = ROOT / "docs" / "security.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _requirement_rows() -> list[str]:
    return [line for line in DOC.read_text(encoding="utf-8").splitlines() if re.match(r"\| V\d", line)]


def test_every_named_test_exists():
    missing = []
    for path, name in TEST_REF.findall(DOC.read_text(encoding="utf-8")):
        source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).is_file() else ""
        if not re.search(rf"^def {name}\(", source, re.M):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_requirement_row_names_its_proof():
    rows = _requirement_rows()
    assert len(rows) > 50
    unproved = [row[:60] for row in rows if not TEST_REF.search(row) and "make audit" not in row]
    assert unproved == []
