"""What the upload page sends besides the file: the format picked, and a CSV's columns mapped to the fields.

A mapping is checked against the file's own header before any run starts, so a wrong column is an answer in
words on the upload page, not a failed run.
"""

import re
from typing import Literal

from worker import service

UploadFormat = Literal["auto", *service.FORMATS]  # type: ignore[valid-type]
REQUIRED = ("id", "author_id", "created_at", "text")


class MappingError(ValueError):
    pass


def parse_mapping(pairs: list[str], columns: list[str], name: str) -> dict[str, str]:
    """{field: column} from "field=column" pairs; an empty column means "not in this file"."""
    if not columns:
        raise MappingError(f"{name}: the file has no header line of columns to map (is it a CSV file?)")
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, _, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if field not in service.FIELDS:
            raise MappingError(f"{name}: {field or pair!r} is not a field; fields are: {', '.join(service.FIELDS)}")
        if column and column not in columns:
            raise MappingError(f"{name}: the file has no column {column!r}; its columns are: {', '.join(columns)}")
        if column:
            mapping[field] = column
    missing = [f for f in REQUIRED if f not in mapping and f not in columns]
    if missing:
        raise MappingError(f"{name}: choose a column for {', '.join(missing)}")
    return mapping


def upload_message(message: str) -> str:
    """A reader's message for the upload page: the command-line advice in it said as the page's own controls."""
    message = re.sub(r"\(use --format[^)]*\)", "(choose its format)", message)
    return message.replace("--format", "the format").replace("--map", "the column mapping")
