#!/usr/bin/env bash
# Install everything Hindsight needs on a fresh Debian 12 machine (as root), idempotently:
# Debian packages (Pango for WeasyPrint, fonts with Chinese, Japanese and Korean, poppler-utils,
# Chromium for browser tests, PostgreSQL and nginx for the tests that start them),
# then the virtualenv in .venv with the project and its test extras.
# Usage: scripts/bootstrap.sh [--with-test-tools]
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--with-test-tools" ] && want_tests=1

# fonts-noto-cjk: names and text in Chinese, Japanese and Korean are drawn in the PDF, not boxes.
debian_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core
                 fonts-noto-cjk)
if [ $want_tests = 1 ]; then
  # nginx: tests/test_instances.py runs deploy/nginx.conf in front of two instances.
  debian_packages+=(poppler-utils chromium postgresql nginx)
fi

missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Run this script as root (or install them with apt-get)." >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The tests start nginx themselves: no web server left answering on port 80 of this machine.
  if printf '%s\n' "${missing[@]}" | grep -qx nginx && [ -d /run/systemd/system ]; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    rm -rf .venv
    "$python" -m venv .venv
  fi
fi

# Reinstall only when pyproject.toml changed since the last successful install.
stamp=".venv/.hindsight-installed"
extras=""
[ $want_tests = 1 ] && extras="[test]"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)$extras"
# An install with the test extras also holds everything a plain one needs.
if [ ! -f "$stamp" ] || ! grep -qxF -e "$wanted" -e "$wanted[test]" "$stamp"; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".$extras"
  echo "$wanted" > "$stamp"
fi

# The French catalogue (translations/): compiled here, and again at start-up when it changed.
.venv/bin/python -c "from reports.language import compile_catalogues; compile_catalogues()"
