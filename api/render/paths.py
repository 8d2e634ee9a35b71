"""Messages shown to reviewers never show where files live on the server: a path becomes its file's name."""

import re
from collections.abc import Mapping
from pathlib import PurePath

# The folders of an absolute path (not the `//host/` of a URL): `/srv/var/uploads/` in `/srv/var/uploads/a.csv`.
_FOLDERS = re.compile(r"(?<![\w.:/~-])/(?:[^\s/:'\"()]+/)+")


def file_name(source: str) -> str:
    """A file's name for a path on the server; anything else (a feed's URL) as it is."""
    return PurePath(source).name or source if source.startswith("/") else source


def hide_paths(text: str | None, names: Mapping[str, str] | None = None) -> str | None:
    """`text` with each path of `names` replaced by its name there, and the folders of any other absolute path
    removed."""
    if not text:
        return text
    for path, name in (names or {}).items():
        text = text.replace(path, name)
    return _FOLDERS.sub("", text)
