"""Count which movies the learning dialogues talk about together, for the collaborative signal.

    convrec build-cooccurrence --db /tmp/a3db

Counted on every ReDial valid dialogue and IARD's non-test ReDial dialogues (when `iard/` lies
beside the ReDial folder, see `corpora/iard_redial.py`); never on test.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.settings import Settings
    from retrieval.collaborative import CoOccurrence


def build_cooccurrence(settings: Settings, redial_dir: Path) -> CoOccurrence:
    """Count co-occurrence and save it where `agent.build.build_pipeline` looks.

    Args:
        settings: the agent's settings; the model goes to `settings.models_dir`.
        redial_dir: the ReDial folder.

    Returns:
        The saved model.
    """
    from corpora.iard_redial import learning_dialogues
    from retrieval.collaborative import FILE_NAME, CoOccurrence

    model = CoOccurrence.build(learning_dialogues(redial_dir))
    model.save(settings.models_dir / FILE_NAME)
    return model
