#!/usr/bin/env bash
# Idempotent set-up for `make run` and `make test`: Debian packages, the virtualenv, message files.
# Fast the second time: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: CJK fonts and HarfBuzz subsetting for WeasyPrint PDFs (about 40x faster with
# libharfbuzz-subset0), Pango for WeasyPrint, gettext for message files, Chromium for browser tests,
# nginx for the cluster tests (`make cluster`, tests/system/test_cluster.py).
APT_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext)
if [ "${PORTAL_BROWSER_TESTS:-}" = "1" ] || [ "${CI:-}" = "true" ]; then
  APT_PACKAGES+=(chromium)
fi
if [ "${PORTAL_CLUSTER_TESTS:-}" = "1" ] || [ "${CI:-}" = "true" ]; then
  APT_PACKAGES+=(nginx)
fi
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "!! Missing Debian packages. Run this, then run make again:"
    echo "   sudo apt-get install -y ${missing[*]}"
    echo "   (continuing: PDFs may lack CJK fonts or render slowly until then)"
  fi
fi

# Python 3.11 virtualenv with the project and its dev extras; reinstalled only when pyproject changes.
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
# Installed from requirements.lock (exact versions with hashes, generated from pyproject.toml by
# `make lock`); reinstalled only when the lock or pyproject changes.
stamp=".venv/.installed-$(cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "==> pip install -r requirements.lock (hashes checked), then the project itself"
  .venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Compiled message files are committed; rebuild them when gettext is there and a .po is newer.
if command -v msgfmt >/dev/null 2>&1; then
  for po in locale/*/LC_MESSAGES/django.po; do
    [ -f "$po" ] || continue
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
      msgfmt --check-format -o "$mo" "$po"
    fi
  done
fi
mkdir -p var media staticfiles
