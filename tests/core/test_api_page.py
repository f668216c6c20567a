"""The API page (/api) is the whole client contract: every event, push, HTTP endpoint and command
the contract names, every action the server declares and every push it sends is written there,
and the page points at nothing outside the repository."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.events.schemas import PUSH_SCHEMAS
from tests.live import Live

ROOT = Path(__file__).resolve().parents[2]
# The contract's source is kept beside the repository (in CI too); the page must follow it.
CONTRACT = ROOT.parent / "shared" / "PROTOCOL.md"


async def api_page(live: Live) -> str:
    async with live.http() as http:
        r = await http.get("/api")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def text_of(page: str) -> str:
    """What a reader sees: tags dropped, entities decoded, white space as single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def named(name: str, text: str) -> bool:
    """`name` stands in `text` as itself: `floor:reject` is not found in `floor:rejected`."""
    name = re.escape(" ".join(name.split()))
    return re.search(rf"(?<![\w:/-]){name}(?![\w:/-])", text) is not None


def section(page: str, anchor: str, next_anchor: str) -> str:
    """The text of the page from one heading's anchor to the next one named."""
    after = page.partition(f'id="{anchor}"')[2]
    assert after, f"no section #{anchor}"
    return text_of(after.partition(f'id="{next_anchor}"')[0])


# Where each of the contract's tables lives on the page: its section, from anchor to anchor.
CONTRACT_TABLES = {
    "1.": ("cli", "http"),  # commands
    "2.": ("http", "socketio"),  # HTTP endpoints
    "3.1": ("actions", "pushes"),  # request events: the table of every action
    "3.2": ("pushes", "seq"),  # pushes: the table of every push
}


def contract_names() -> dict[str, list[str]]:
    """Every name in the first column of the contract's tables, by the section it is in."""
    names: dict[str, list[str]] = {}
    current = ""
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            current = line.lstrip("#").split()[0]
        elif line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.setdefault(current, []).extend(re.findall(r"`([^`]+)`", first_cell))
    return names


async def test_everything_the_contract_names_is_on_the_api_page(clients: Live) -> None:
    if not CONTRACT.exists():
        pytest.skip(f"the contract's source is not beside the repository ({CONTRACT})")
    names = contract_names()
    assert set(names) == set(CONTRACT_TABLES), "the contract's tables moved: update CONTRACT_TABLES"
    assert {"meeting:join", "participant:seat", "rtc:watch"} <= set(names["3.1"])
    assert {"participants:updated", "notification"} <= set(names["3.2"])
    page = await api_page(clients)
    missing = sorted(
        (number, name)
        for number, (anchor, next_anchor) in CONTRACT_TABLES.items()
        for name in names[number]
        if not named(name, section(page, anchor, next_anchor))
    )
    assert missing == [], f"write these in their section of meeting/templates/api.html: {missing}"


async def test_every_action_and_push_of_the_server_is_on_the_api_page(clients: Live) -> None:
    page = await api_page(clients)
    actions = section(page, "actions", "pushes")
    missing = sorted(
        name for name in clients.server.composition.actions if not named(name, actions)
    )
    assert missing == [], f"describe these actions on meeting/templates/api.html: {missing}"
    pushes = section(page, "pushes", "seq")
    missing = sorted(name for name in PUSH_SCHEMAS if not named(name, pushes))
    assert missing == [], f"describe these pushes on meeting/templates/api.html: {missing}"
    # The generated section has every declared action, with its payload's fields.
    reference = text_of(page.partition('<h2 id="reference"')[2])
    for name, act in clients.server.composition.actions.items():
        assert f'id="ref-{name.replace(":", "-")}"' in page, name
        for field in act.payload.model_json_schema(by_alias=True).get("properties", {}):
            assert field in reference, (name, field)


async def test_the_api_page_points_at_nothing_outside_the_repository(clients: Live) -> None:
    page = await api_page(clients)
    for outside in ("../shared", "/work/", "PROTOCOL.md", "DESIGN.md", "FIELD-NOTES", "API.md"):
        assert outside not in page, outside
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    for target in re.findall(r'\s(?:href|src)="([^"]*)"', page):
        if target.startswith("#"):
            assert target[1:] in ids, f"link to a missing anchor: {target}"
        else:  # this server's own pages and files, never another site
            assert target.startswith("/") and not target.startswith("//"), target
    # Every section and table of contents entry has an anchor to link to.
    for section in ("cli", "http", "socketio", "acks", "actions", "pushes", "seq", "snapshot"):
        assert section in ids, section
    for section in ("scale", "media", "seats", "layers", "wall", "documents", "floor", "offline"):
        assert section in ids, section
