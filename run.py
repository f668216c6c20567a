"""Command line (/api §1): serve (default) | user add | demo | makemigrations.

The one place that knows every package: it composes the core with its features.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from agenda.feature import AGENDA
from docs.conclusions.feature import CONCLUSIONS
from docs.feature import DOCUMENTS
from meeting.clock import Clock
from meeting.config import Settings
from meeting.db import CORE_APPS, database, tortoise_config
from meeting.feature import Feature
from meeting.floor.feature import FLOOR
from meeting.opinions.feature import OPINIONS
from meeting.polls.feature import POLLS
from meeting.server import Server
from rtc.feature import RTC

# Every Tortoise app (label -> the modules holding its models; the first one's package holds the
# app's migrations). The agenda, floor, opinions, polls and conclusions keep their models in
# their packages but their tables in the core's app and migrations. Every server and
# command-line tool opens the database with these (build_server, user add, demo,
# makemigrations).
APPS: dict[str, list[str]] = {
    "core": [
        *CORE_APPS["core"],
        "agenda.models",
        "meeting.floor.models",
        "meeting.opinions.models",
        "meeting.polls.models",
        "docs.conclusions.models",
    ],
    "docs": ["docs.models"],
}
# The features the server is built with (the core is always there), in the order their routes,
# snapshot parts and extensions are listed: meeting:end closes the agenda's item, then the floor,
# then the votes (WhenMeetingEnds), as the pushes' order shows.
FEATURES: list[Feature] = [AGENDA, FLOOR, OPINIONS, POLLS, DOCUMENTS, CONCLUSIONS, RTC]

# For the `tortoise` CLI tools (makemigrations): the development database.
TORTOISE_ORM = tortoise_config(Settings().db_url, APPS)


def build_server(
    settings: Settings | None = None,
    clock: Clock | None = None,
    extra: Sequence[Feature] = (),
) -> Server:
    """The server with every feature; `extra`: more features (tests add a probe)."""
    return Server(settings or Settings(), apps=APPS, features=[*FEATURES, *extra], clock=clock)


def serve(host: str, port: int) -> None:
    import os

    import uvicorn

    # Every file the server makes (database, WAL, uploads, temporary files) is its user's alone.
    os.umask(0o077)
    server = build_server()
    uvicorn.run(server.asgi, host=host, port=port, log_level="info", ws="websockets-sansio")


async def user_add(args: argparse.Namespace) -> int:
    """The same rules as every other way of creating a user (meeting/users.py)."""
    from meeting.errors import ActionError
    from meeting.identity import Passwords
    from meeting.users import NewUser, create_user

    settings = Settings()
    password = sys.stdin.readline().rstrip("\r\n")
    new = NewUser(
        args.username,
        args.name,
        unit_id=args.unit,
        admin=args.admin,
        organizer=args.organizer,
        point=args.point,
    )
    async with database(settings.db_url, APPS):
        try:
            user = await create_user(Passwords(settings), new, password)
        except ActionError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 1 if exc.code == "conflict" else 2
        print(f"created user {user.username} (id {user.id})")
    return 0


async def demo() -> int:
    from meeting.demo import fill
    from meeting.identity import Identity

    settings = Settings()
    steps = [step for feature in FEATURES for step in feature.demo]
    async with database(settings.db_url, APPS):
        try:
            logins = await fill(Identity(settings, Clock()), steps)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print("Demo province created. Logins (username / password — who):")
    for username, password, who in logins:
        print(f"  {username:<16} {password}  — {who}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Họp không giấy tờ — paperless meetings"
    )
    sub = parser.add_subparsers(dest="command")
    p_serve = sub.add_parser("serve", help="run the server (default)")
    # HOST / PORT from the environment too, so the README's first command runs unchanged.
    p_serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p_serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    p_user = sub.add_parser("user", help="manage users")
    user_sub = p_user.add_subparsers(dest="user_command", required=True)
    p_add = user_sub.add_parser("add", help="create a user; the password is read from stdin")
    p_add.add_argument("username")
    p_add.add_argument("--name", required=True)
    p_add.add_argument("--unit", type=int)
    p_add.add_argument("--admin", action="store_true")
    p_add.add_argument("--organizer", action="store_true")
    p_add.add_argument("--point", action="store_true")
    sub.add_parser("demo", help="fill an empty database with a demo province")
    sub.add_parser("makemigrations", help="write migrations for changed models")
    args = parser.parse_args(argv)
    # Our own loggers at INFO; libraries (fontTools subsetting, tortoise) only when they warn.
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    logging.getLogger("hop").setLevel(logging.INFO)
    if args.command == "makemigrations":
        from tortoise.cli.cli import main as tortoise_main

        sys.argv = ["tortoise", "-c", "run.TORTOISE_ORM", "makemigrations"]
        return tortoise_main() or 0
    if args.command == "user":
        return asyncio.run(user_add(args))
    if args.command == "demo":
        return asyncio.run(demo())
    serve(
        getattr(args, "host", os.environ.get("HOST", "127.0.0.1")),
        getattr(args, "port", int(os.environ.get("PORT", "8000"))),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
