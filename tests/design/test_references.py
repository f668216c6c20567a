"""Nothing in the repository points outside it (issue 14): the design notes the code cites are in
design/, the client contract is the /api page, and each `design/DESIGN.md §N` or `/api §N` that a
comment cites names a section that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "var", "test-output", "__pycache__"}
SUFFIXES = {".py", ".js", ".html", ".md", ".sh", ".toml", ".cfg", ".yml", ".yaml", ".txt"}
# Files allowed to name what lies beside the repository: the test that checks the /api page
# against the contract's source, this test, and the notes' own records of where they came from.
MAY_NAME_THE_OUTSIDE = {
    Path("tests/core/test_api_page.py"),
    Path("tests/design/test_references.py"),
    Path("design/DESIGN.md"),
    Path("design/FIELD-NOTES.md"),
}
OUTSIDE = [
    re.compile(r"\.\./shared|/work/shared"),
    re.compile(r"\bPROTOCOL\b"),  # the contract is cited as /api §N
    re.compile(r"(?<!design/)\b(DESIGN|FIELD-NOTES)\.md"),
    re.compile(r"docs/API\.md"),
]
API_PAGE = ROOT / "meeting" / "templates" / "api.html"
DESIGN = ROOT / "design" / "DESIGN.md"


def repository_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and (path.suffix in SUFFIXES or rel.parts[0] == ".ci"):
            files.append(rel)
    return sorted(files)


def test_nothing_in_the_repository_points_outside_it() -> None:
    found = []
    for rel in repository_files():
        if rel in MAY_NAME_THE_OUTSIDE:
            continue
        for number, line in enumerate((ROOT / rel).read_text(encoding="utf-8").splitlines(), 1):
            line = line.replace("HIGHEST_PROTOCOL", "")  # pickle's, not the contract
            if any(pattern.search(line) for pattern in OUTSIDE):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert found == [], "cite design/DESIGN.md §N or /api §N instead:\n" + "\n".join(found)


def test_every_section_cited_exists() -> None:
    page = API_PAGE.read_text(encoding="utf-8")
    api_sections = set(re.findall(r"<h[23] id=\"[^\"]+\">(\d+(?:\.\d+)?)\.?\s", page))
    design_sections = set(re.findall(r"^## (\d+)\. ", DESIGN.read_text(encoding="utf-8"), re.M))
    assert {"1", "2", "3", "3.1", "3.2", "3.3", "3.4", "4"} <= api_sections
    assert {"1", "2", "3"} <= design_sections
    wrong = []
    for rel in repository_files():
        text = (ROOT / rel).read_text(encoding="utf-8")
        for cited in re.findall(r"/api(?: page)?,? §(\d+(?:\.\d+)?)", text):
            if cited not in api_sections:
                wrong.append(f"{rel}: /api §{cited}")
        for cited in re.findall(r"design/DESIGN\.md §(\d+)", text):
            if cited not in design_sections:
                wrong.append(f"{rel}: design/DESIGN.md §{cited}")
    assert wrong == [], "no such section:\n" + "\n".join(wrong)
