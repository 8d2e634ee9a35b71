"""Labelled samples: read them from CSV (with a header) or JSONL files, as `train`, `evaluate` and retraining do.

Each sample is a normalized post (only `text` is required) plus `label` (1/0 or smear/not_smear); `campaign`,
`target` and `kind` are kept when present. A file or record that cannot be read is one line of error.
"""

import csv
from pathlib import Path

import orjson

from classifiers.frame import PostFrame
from classifiers.train import parse_label

EXTRA_FIELDS = ("label", "campaign", "target", "kind")


class LabelledDataError(ValueError):
    """Labelled samples that cannot be read: FILE:LINE: reason."""


def read_labelled(paths: list[str | Path]) -> list[dict]:
    """Every labelled sample of every file."""
    records: list[dict] = []
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise LabelledDataError(f"{p}: cannot open labelled file")
        with open(p, encoding="utf-8-sig", newline="") as f:
            head = f.read(4096)
            f.seek(0)
            if head.lstrip().startswith("{"):
                rows = _jsonl_rows(f, p)
            else:
                reader = csv.DictReader(f)
                if not reader.fieldnames or "text" not in reader.fieldnames or "label" not in reader.fieldnames:
                    raise LabelledDataError(f"{p}: CSV needs a header with text and label columns")
                rows = ((i, row) for i, row in enumerate(reader, start=2))
            for line, row in rows:
                if "label" not in row or row.get("text") is None:
                    raise LabelledDataError(f"{p}:{line}: needs text and label")
                try:
                    row["label"] = parse_label(row["label"])
                except ValueError as error:
                    raise LabelledDataError(f"{p}:{line}: {error}") from None
                records.append(row)
    if not records:
        raise LabelledDataError("no labelled samples in the input")
    return records


def _jsonl_rows(f, path):
    for i, line in enumerate(f, start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise LabelledDataError(f"{path}:{i}: not valid JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise LabelledDataError(f"{path}:{i}: not a JSON object")
        yield i, row


def labelled_frame(paths: list[str | Path]) -> PostFrame:
    """The samples of `paths` as a PostFrame, with label, campaign, target and kind in `frame.extra`."""
    records = read_labelled(paths)
    try:
        return PostFrame.from_records(records, extra=EXTRA_FIELDS)
    except ValueError as error:
        raise LabelledDataError(f"labelled samples: {error}") from None
