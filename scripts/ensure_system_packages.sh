#!/usr/bin/env bash
# What Daybook needs from the distribution: the fonts its PDFs are typeset in (Liberation for
# Latin text, Noto for Arabic script and Urdu, Gurmukhi, Bengali and colour emoji; see
# daybook/reports/pdf.py), and Debian's Chromium for the browser tests. Installs whatever is
# missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation)
[ -f /usr/share/fonts/truetype/noto/NotoSansGurmukhi-Regular.ttf ] || missing+=(fonts-noto-core)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing ${missing[*]} from the distribution's packages…"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
