"""One way to extend the server: a `Feature` declares everything its subject adds.

    POLLS = Feature(
        "polls",
        modules=[polls.actions, polls.views],   # their @action and @snapshot_part objects
        signals=[on(FloorChanged, follow_floor)],
        routes=[Route(...)], services=[...], demo=[...], state=[PollClock],
        extensions=[MailAttachment(...)],
    )
    server = Server(settings, features=[AGENDA, POLLS, ...])

Nothing is registered by importing a module: `@action` and `@snapshot_part` only turn a function
into a declaration, and a declaration counts once a feature names the module holding it and the
server is built with that feature — the way Starlette is handed its routes. Two servers in one
process may hold different features. Signals are classes, so a handler says in its signature
what it receives, and a misspelt signal is an import error rather than a handler never called.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from meeting.hub import Action, SnapshotPart
from meeting.signals import Signal

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from meeting.server import Server

S = TypeVar("S", bound=Signal)
T = TypeVar("T")

Service = Callable[["Server"], Coroutine[Any, Any, None]]


SignalHandler = Callable[["Server", Any], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    signal: type[Signal]
    handler: SignalHandler


def on(signal: type[S], handler: Callable[[Server, S], Awaitable[None]]) -> Subscription:
    """`handler(server, signal)` runs after each `signal` (its failure is logged, not raised)."""
    return Subscription(signal, handler)


@dataclass(frozen=True)
class Feature:
    """What one subject adds to the server. `state` classes are built once per server, as
    `cls(server)`, and reached with `server.state(cls)`; `extensions` are objects another
    feature asks for by type (`server.extensions(MailAttachment)`)."""

    name: str
    modules: Sequence[ModuleType] = ()
    signals: Sequence[Subscription] = ()
    routes: Sequence[BaseRoute] = ()
    services: Sequence[Service] = ()
    demo: Sequence[Callable[..., Awaitable[None]]] = ()
    state: Sequence[type[Any]] = ()
    extensions: Sequence[object] = ()

    def actions(self) -> list[Action]:
        return list(_declared(self.modules, Action))

    def snapshot_parts(self) -> list[SnapshotPart]:
        return list(_declared(self.modules, SnapshotPart))


def _declared(modules: Iterable[ModuleType], kind: type[T]) -> Iterable[T]:
    """The declarations of `kind` a module holds at its top level, in source order."""
    for module in modules:
        for value in vars(module).values():
            # A module that imports another's declaration does not declare it again.
            if isinstance(value, kind) and getattr(value, "module", None) == module.__name__:
                yield value


@dataclass
class Composition:
    """Every feature of one server, merged: what the hub, the snapshot and the lifespan read."""

    features: Sequence[Feature]
    actions: dict[str, Action] = field(default_factory=dict)
    snapshot_parts: list[SnapshotPart] = field(default_factory=list)
    subscriptions: dict[type[Signal], list[SignalHandler]] = field(default_factory=dict)
    routes: list[BaseRoute] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    demo: list[Callable[..., Awaitable[None]]] = field(default_factory=list)
    extensions: list[object] = field(default_factory=list)

    def __post_init__(self) -> None:
        names: set[str] = set()
        parts: set[str] = set()
        for feature in self.features:
            if feature.name in names:
                raise ValueError(f"feature {feature.name!r} given twice")
            names.add(feature.name)
            for act in feature.actions():
                if act.name in self.actions:
                    raise ValueError(f"action {act.name!r} declared twice")
                self.actions[act.name] = act
            for part in feature.snapshot_parts():
                if part.name in parts:
                    raise ValueError(f"snapshot part {part.name!r} declared twice")
                parts.add(part.name)
                self.snapshot_parts.append(part)
            for sub in feature.signals:
                self.subscriptions.setdefault(sub.signal, []).append(sub.handler)
            self.routes.extend(feature.routes)
            self.services.extend(feature.services)
            self.demo.extend(feature.demo)
            self.extensions.extend(feature.extensions)

    def state_classes(self) -> list[type[Any]]:
        return [cls for feature in self.features for cls in feature.state]

    def extensions_of(self, kind: type[T]) -> list[T]:
        return [e for e in self.extensions if isinstance(e, kind)]
