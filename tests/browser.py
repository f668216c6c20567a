"""Debian's Chromium for browser tests, with the flags FIELD-NOTES.md found to work here:
headless, no network chatter, fake camera and microphone, and loopback WebRTC candidates."""

from __future__ import annotations

import os

# tests/run.sh installs it (Debian package `chromium`); `playwright install` cannot download here.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--allow-loopback-in-peer-connection",
]
