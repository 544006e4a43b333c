#!/usr/bin/env bash
# Installs the Debian/Ubuntu system packages Anyam needs, where they are missing.
#   WeasyPrint: Pango + HarfBuzz's subsetting library (4x faster font subsetting)
#   Fonts:      Noto (Latin with diacritics, Arabic script for Urdu names)
#   Tests:      chromium (Playwright drives it), zbar-tools (QR decoding), poppler-utils (pdftotext)
# Skips everything when all packages are present. Needs root (or sudo) to install.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core
          fonts-dejavu-core shared-mime-info)
if [ "${1:-}" = "--test" ]; then
  PACKAGES+=(chromium zbar-tools poppler-utils)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-system-deps: not a Debian/Ubuntu system; install these yourself: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all system packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system-deps: missing ${missing[*]} and not root; install them and retry" >&2
    exit 1
  fi
fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
