"""Receive a dump: stream the request body to a file under the upload folder, refusing anything too large.

The file is only ever read as data by the source parsers: never executed, imported or unpickled.
"""

import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path


class UploadTooLarge(ValueError):
    pass


class UploadEmpty(ValueError):
    pass


def safe_name(filename: str | None) -> str:
    """A random prefix plus the client's file name reduced to harmless characters (the suffix helps detection)."""
    base = Path(filename or "upload").name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return f"{secrets.token_hex(8)}-{base[-120:]}"


async def save_stream(chunks: AsyncIterator[bytes], *, folder: Path, filename: str | None,
                      max_bytes: int) -> tuple[Path, int]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_name(filename)
    partial = path.with_name(path.name + ".part")
    size = 0
    try:
        with open(partial, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(f"upload larger than the limit of {max_bytes} bytes")
                out.write(chunk)
        if size == 0:
            raise UploadEmpty("the upload is empty")
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path, size
