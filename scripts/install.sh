#!/usr/bin/env bash
# Install what databook needs on Debian 12 (or a derivative): the Debian
# packages for charts, fonts and PDF, a virtual environment in .venv, and
# databook itself with its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  chromium                      # kaleido exports charts through it
  fonts-morisawa-bizud-gothic   # BIZ UDPGothic, the book's typeface
  fonts-noto-cjk                # Noto Sans CJK JP, the fallback
  fontconfig
  libpango-1.0-0                # WeasyPrint lays out text with Pango
  libpangoft2-1.0-0
  poppler-utils                 # pdffonts and pdftotext, used by the tests
  lua5.4                        # luac -p checks the Quarto shortcode file in the tests
  python3-venv
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Debian のパッケージを入れます: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 以上が必要です（$("$python" --version 2>&1)）。" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -c constraints.txt -e ".[test]"
echo "インストールが終わりました。"
