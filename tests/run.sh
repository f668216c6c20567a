#!/usr/bin/env bash
# Set up everything the suite needs on a fresh machine, then run it.
# SQLite by default; PostgreSQL and Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set.
# Extra arguments go to pytest (e.g. `bash tests/run.sh tests/core -x`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium for the browser tests, DejaVu for Vietnamese text in PDFs.
if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
npm install --prefix static --no-audit --no-fund --silent
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
