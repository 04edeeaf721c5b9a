#!/usr/bin/env bash
# Debian packages the test suite needs. Installs only what is missing; needs root (or sudo).
set -euo pipefail
packages=()
for pkg in "$@"; do
  command -v "$pkg" >/dev/null 2>&1 || packages+=("$pkg")
done
[ ${#packages[@]} -eq 0 ] && exit 0
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
echo "installing Debian packages: ${packages[*]}"
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq "${packages[@]}" >/dev/null
