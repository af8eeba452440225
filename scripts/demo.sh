#!/usr/bin/env bash
# The main job: the self tests of every primitive.
set -euo pipefail
cd "$(dirname "$0")/.."
build/tools/envelope selftest
