"""The browser client's modules hold together (issue 14): every static import in static/js names
a file that exists and exports what is imported (one missing module breaks the whole page, and
no browser test opens every page), and no subject registers anything when imported: a feature
declares its push reducers (`pushes`) and the page that composes features hands them over."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
IMPORT = re.compile(r'import\s+(?:([\w*{}\s,]+?)\s+from\s+)?"([^"]+)"')


def _modules() -> list[Path]:
    return [p for p in (STATIC / "js").rglob("*.js") if "node_modules" not in p.parts]


def _exports(source: str, name: str) -> bool:
    declared = rf"export\s+(?:async\s+)?(?:function|const|let|class)\s+{name}\b"
    listed = rf"export\s*\{{[^}}]*\b{name}\b"
    return bool(re.search(declared, source) or re.search(listed, source))


def test_every_import_resolves_to_an_export() -> None:
    problems = []
    for module in _modules():
        for names, spec in IMPORT.findall(module.read_text()):
            if spec.startswith("/static/node_modules/"):
                continue
            if spec.startswith("/static/"):
                target = STATIC / spec.removeprefix("/static/")
            else:
                target = (module.parent / spec).resolve()
            where = f"{module.relative_to(STATIC)} imports {spec}"
            if not target.is_file():
                problems.append(f"{where}: no such file")
                continue
            source = target.read_text()
            if not names:
                problems.append(f"{where} for its side effects: declare, do not register")
            elif "{" in names:
                for name in re.findall(r"\{([^}]*)\}", names)[0].split(","):
                    name = name.strip().split(" as ")[0].strip()
                    if name and not _exports(source, name):
                        problems.append(f"{where}: {name} is not exported")
            elif "*" not in names and "export default" not in source:
                problems.append(f"{where}: no default export")
    assert problems == []


def test_the_core_state_code_knows_no_feature() -> None:
    api = (STATIC / "js" / "api.js").read_text()
    for event in ["floor:", "poll:", "opinion:", "conclusion:", "document:", "agenda:"]:
        assert f'"{event}' not in api, event
