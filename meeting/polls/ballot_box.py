"""The ballot box of a secret vote: what is stored while it is open, and what remains after.

The threat: someone who reads the database files (rows, commit order, SQLite's WAL, PostgreSQL's
WAL or dead tuples) pairs the voter row written by a vote with the choice written by the same
commit. Hiding the choice in the same commit is not enough when it is in plain text (the WAL
keeps each commit's pages), and holding ballots in memory loses acknowledged votes on a crash
and across processes. So:

1. While the poll is open a vote writes the voter row (public: who voted) and a SEALED ballot:
   the option encrypted with AES-GCM under a key derived from SECRET_KEY and the poll id, with a
   random nonce and a random primary key. Every sealed ballot is the same length and looks
   random; the key is in the server's configuration, never in the database, so the files alone
   link no person to a choice, in any commit.
2. At close the sealed ballots are opened, written as plain `Ballot` rows (no user) in ONE batch
   in random order, and deleted — all in the close's transaction, long after the votes' commits.
3. After that commit, on SQLite, the WAL is checkpointed and truncated, and the database runs
   with `secure_delete`, so the sealed rows' bytes are overwritten: once closed, the files hold
   who voted and the totals, and nothing a leaked key could later open. (On PostgreSQL the
   sealed rows live on as dead tuples and in the WAL until vacuum and WAL recycling; they stay
   sealed under SECRET_KEY.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tortoise.connection import connections

from meeting.polls.models import Ballot, Poll, SealedBallot

_random = random.SystemRandom()


def _key(secret_key: str, poll_id: int) -> bytes:
    return hmac.new(
        secret_key.encode(), f"hop-ballot-box:{poll_id}".encode(), hashlib.sha256
    ).digest()


def seal(secret_key: str, poll_id: int, option: int) -> str:
    nonce = os.urandom(12)
    aad = str(poll_id).encode()  # a sealed ballot cannot be moved to another poll
    sealed = AESGCM(_key(secret_key, poll_id)).encrypt(nonce, struct.pack(">H", option), aad)
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(secret_key: str, poll_id: int, box: str) -> int:
    raw = base64.urlsafe_b64decode(box)
    plain = AESGCM(_key(secret_key, poll_id)).decrypt(raw[:12], raw[12:], str(poll_id).encode())
    return struct.unpack(">H", plain)[0]


async def cast(secret_key: str, poll: Poll, option: int) -> None:
    await SealedBallot.create(poll=poll, box=seal(secret_key, poll.id, option))


async def open_box(secret_key: str, poll: Poll) -> None:
    """At close (inside its transaction): the sealed ballots become plain, shuffled, unlinked."""
    boxes = list(await SealedBallot.filter(poll=poll).values_list("box", flat=True))
    options = [unseal(secret_key, poll.id, b) for b in boxes]
    _random.shuffle(options)
    await SealedBallot.filter(poll=poll).delete()
    await Ballot.bulk_create([Ballot(poll=poll, option=o, user=None) for o in options])


async def forget_history() -> None:
    """After the close's commit, on SQLite: copy the WAL into the database file and truncate it,
    so no earlier commit can be replayed from it (secure_delete has zeroed the deleted rows)."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        await conn.execute_script("PRAGMA wal_checkpoint(TRUNCATE);")
