"""One way to extend the server: features are declared, composed per server, and nothing is
registered by importing a module (meeting/feature.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from agenda.feature import AGENDA
from meeting.feature import Feature
from meeting.server import Server
from tests.live import make_settings

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: import every module of the server's packages one by one, and
# see whether any import (or building a server) changed what another module holds.
PROBE = textwrap.dedent(
    """
    import importlib, pkgutil, sys, weakref, tempfile, pathlib

    OURS = ("meeting", "agenda", "docs", "rtc", "run")

    def ours():
        return [m for n, m in list(sys.modules.items())
                if n.split(".")[0] in OURS and ".migrations" not in n and m is not None]

    def sizes():
        # The size of every container our modules hold at their top level.
        return {
            (m.__name__, n): len(v)
            for m in ours()
            for n, v in vars(m).items()
            if isinstance(v, (list, dict, set, weakref.WeakKeyDictionary))
            and not n.startswith("__")
        }

    grown = []

    def step(what, fn):
        before = sizes()
        fn()
        after = sizes()
        grown.extend(
            f"{m}.{n} (by {what})" for (m, n), size in before.items() if after[(m, n)] != size
        )

    names = []
    for package in ("meeting", "agenda", "docs", "rtc"):
        root = importlib.import_module(package)
        names += [i.name for i in pkgutil.walk_packages(root.__path__, package + ".")
                  if ".migrations" not in i.name]
    for name in names:
        step(f"import {name}", lambda: importlib.import_module(name))
    side_tables = [
        f"{m.__name__}.{n}" for m in ours() for n, v in vars(m).items()
        if isinstance(v, (weakref.WeakKeyDictionary, weakref.WeakValueDictionary))
    ]
    import run
    from tests.live import make_settings
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(2):  # building servers must not register anything either
            step("build_server", lambda: run.build_server(make_settings(pathlib.Path(tmp))))
    print("GROWN", grown)
    print("SIDE_TABLES", side_tables)
    print("MODULES", len(names))
    """
)


def test_no_module_registers_anything_at_import_or_build() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert int(lines["MODULES"]) > 50  # the walk really imported the packages
    # A container of one module that importing another module (or building a server) fills
    # is a registry: declarations belong to a Feature, composed per server.
    assert lines["GROWN"] == "[]", "module state filled at import or build: " + lines["GROWN"]
    # State kept per server belongs to Feature.state, not to a table keyed by the server.
    assert lines["SIDE_TABLES"] == "[]", "per-process side tables: " + lines["SIDE_TABLES"]


def test_two_servers_in_one_process_hold_their_own_features(tmp_path: Path) -> None:
    bare = Server(make_settings(tmp_path / "a"))
    with_agenda = Server(make_settings(tmp_path / "b"), features=[AGENDA])
    assert "agenda:add" in with_agenda.composition.actions
    assert "agenda" in [p.name for p in with_agenda.composition.snapshot_parts]
    # Building the second server added nothing to the first.
    assert "agenda:add" not in bare.composition.actions
    assert "agenda" not in [p.name for p in bare.composition.snapshot_parts]
    assert "meeting:join" in bare.composition.actions  # the core is always there


def test_a_feature_given_twice_or_an_action_declared_twice_is_refused(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(ValueError, match="given twice"):
        Server(make_settings(tmp_path), features=[AGENDA, AGENDA])
    clash = Feature("clash", modules=AGENDA.modules)
    with pytest.raises(ValueError, match="declared twice"):
        Server(make_settings(tmp_path), features=[AGENDA, clash])
