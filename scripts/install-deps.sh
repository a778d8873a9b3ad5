#!/usr/bin/env bash
# Installs what reapcheck needs on Debian 12 (run as root). Safe to re-run:
# it only calls apt-get when something is missing.
set -euo pipefail
pkgs=(build-essential cmake libz3-dev libboost-graph-dev doctest-dev libcli11-dev
      libfmt-dev nlohmann-json3-dev
      libcpp-httplib-dev   # reapcheck serve
      chromium graphviz    # for tests/cli/html_report.sh and reports_cli.sh
      curl jq python3      # tests/cli/serve_api.sh and serve_browser.sh
      libopenmpi-dev openmpi-bin)   # the MPI engine (docs/distributed.md)
if [[ "${REAPCHECK_BENCH:-0}" == 1 ]]; then pkgs+=(spin rumur); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing ${missing[*]}; run as root (sudo $0)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
