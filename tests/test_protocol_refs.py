"""Every ``§`` reference in the code, the tests and the docs names a section of docs/protocol.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"§ ?(\d+[a-z]?(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (\d+[a-z]?(?:\.\d+)?)\.? ", re.MULTILINE)


def sections() -> set[str]:
    return set(HEADING.findall((ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")))


def references() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    files = [*ROOT.joinpath("azshell").rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py"),
             *ROOT.joinpath("docs").glob("*.md"), ROOT / "README.md"]
    for path in files:
        if path.name == "protocol.md":
            continue
        for ref in REFERENCE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(ref, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_reference_resolves() -> None:
    known = sections()
    assert {"2.2", "6.4", "12b", "9"} <= known  # the headings are read at all
    missing = {ref: sorted(where) for ref, where in references().items() if ref not in known}
    assert missing == {}
    assert len(references()) > 30
