"""Where the public data sets lie: one data root holding `redial/`, `iard/` and `goodbooks/`.

The root is, in order: the `--data DIR` flag of a command, the `CONVREC_DATA` environment
variable, or `../shared/data` seen from the working directory (the layout of a checkout). It is
never derived from where the source files are installed.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "CONVREC_DATA"
DEFAULT = Path("..") / "shared" / "data"  # relative to the working directory
_HINT = f"pass --data DIR or set {ENV} to the folder that holds redial/, iard/ and goodbooks/"


class DataNotFound(FileNotFoundError):
    """The data root, or a folder or file expected inside it, does not exist."""


def data_path(data: str | Path | None, *parts: str) -> Path:
    """The data root, or `parts` inside it, checked to exist.

    Args:
        data: the `--data` value; None falls back to $CONVREC_DATA, then ../shared/data.
        parts: a sub-folder or file of the root, e.g. ("redial",) or ("iard", "iard_gold.json").

    Returns:
        The absolute path.

    Raises:
        DataNotFound: naming the flag and the variable that set the root.
    """
    root, origin = _root(data)
    if not root.is_dir():
        raise DataNotFound(f"data folder {root} ({origin}) does not exist: {_HINT}")
    path = root.joinpath(*parts)
    if not path.exists():
        raise DataNotFound(
            f"{Path(*parts)} not found in the data folder {root} ({origin}): {_HINT}"
        )
    return path


def _root(data: str | Path | None) -> tuple[Path, str]:
    if data:
        return Path(data).expanduser().resolve(), "from --data"
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser().resolve(), f"from {ENV}"
    return DEFAULT.resolve(), f"the default {DEFAULT} from {Path.cwd()}"
