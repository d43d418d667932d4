#!/usr/bin/env bash
# Builds brume and starts it on 127.0.0.1:4566. Extra arguments go to
# `brume serve` (see `build/src/cli/brume serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh brume
exec build/src/cli/brume serve "$@"
