"""PostFrame: normalized posts as columnar numpy arrays (what every detection step works on)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np


def _epoch(value) -> float:
    if value is None or value == "":
        return np.nan
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _num(value) -> float:
    if value is None or value == "":
        return np.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def to_datetime(seconds: float) -> datetime | None:
    if seconds != seconds:  # NaN
        return None
    return datetime.fromtimestamp(float(seconds), UTC)


@dataclass
class PostFrame:
    """Columns of n posts. Times are float epoch seconds (UTC); missing numbers are NaN."""

    id: np.ndarray            # object (str)
    platform: np.ndarray      # object (str)
    author_id: np.ndarray     # object (str)
    author_name: np.ndarray   # object (str | None)
    author_created: np.ndarray  # float64 epoch seconds or NaN
    followers: np.ndarray     # float64 or NaN
    text: np.ndarray          # object (str)
    created: np.ndarray       # float64 epoch seconds
    lang: np.ndarray          # object (str | None)
    urls: list                # list[list[str]]
    hashtags: list            # list[list[str]]
    repost_of: np.ndarray     # object (str | None)
    reply_to: np.ndarray      # object (str | None)
    extra: dict = field(default_factory=dict)  # optional extra columns (e.g. label) by name

    def __len__(self) -> int:
        return len(self.id)

    @property
    def author_code(self) -> np.ndarray:
        """Dense int code per author (cached)."""
        if "_author_code" not in self.__dict__:
            _, codes = np.unique(self.author_id.astype(str), return_inverse=True)
            self.__dict__["_author_code"] = codes.astype(np.int64)
        return self.__dict__["_author_code"]

    @classmethod
    def from_records(cls, records: Iterable[dict], extra: tuple[str, ...] = ()) -> PostFrame:
        """Build from normalized-post dicts (datetimes or ISO strings). `extra` names fields to keep too."""
        cols: dict[str, list] = {k: [] for k in (
            "id", "platform", "author_id", "author_name", "author_created", "followers", "text", "created",
            "lang", "urls", "hashtags", "repost_of", "reply_to")}
        extras: dict[str, list] = {k: [] for k in extra}
        for r in records:
            get = r.get
            cols["id"].append(str(get("id", "")))
            cols["platform"].append(get("platform") or "unknown")
            cols["author_id"].append(str(get("author_id", "")))
            cols["author_name"].append(get("author_name"))
            cols["author_created"].append(_epoch(get("author_created_at")))
            cols["followers"].append(_num(get("author_followers")))
            cols["text"].append(get("text") or "")
            cols["created"].append(_epoch(get("created_at")))
            cols["lang"].append(get("lang"))
            cols["urls"].append(list(get("urls") or ()))
            cols["hashtags"].append([str(h).lstrip("#") for h in (get("hashtags") or ())])
            cols["repost_of"].append(_optstr(get("repost_of")))
            cols["reply_to"].append(_optstr(get("reply_to")))
            for k in extra:
                extras[k].append(get(k))
        return cls(
            id=_obj(cols["id"]), platform=_obj(cols["platform"]), author_id=_obj(cols["author_id"]),
            author_name=_obj(cols["author_name"]),
            author_created=np.asarray(cols["author_created"], dtype=np.float64),
            followers=np.asarray(cols["followers"], dtype=np.float64), text=_obj(cols["text"]),
            created=np.asarray(cols["created"], dtype=np.float64), lang=_obj(cols["lang"]),
            urls=cols["urls"], hashtags=cols["hashtags"], repost_of=_obj(cols["repost_of"]),
            reply_to=_obj(cols["reply_to"]), extra={k: _obj(v) for k, v in extras.items()},
        )

    def take(self, rows: np.ndarray) -> PostFrame:
        """The posts at `rows`, in that order (extra columns too)."""
        rows = np.asarray(rows, dtype=np.int64)
        return PostFrame(
            id=self.id[rows], platform=self.platform[rows], author_id=self.author_id[rows],
            author_name=self.author_name[rows], author_created=self.author_created[rows],
            followers=self.followers[rows], text=self.text[rows], created=self.created[rows], lang=self.lang[rows],
            urls=[self.urls[i] for i in rows], hashtags=[self.hashtags[i] for i in rows],
            repost_of=self.repost_of[rows], reply_to=self.reply_to[rows],
            extra={k: np.asarray(v, dtype=object)[rows] for k, v in self.extra.items()},
        )

    def post_matrix(self) -> np.ndarray:
        """The post scorer's input: 2-D object array [text, log followers, account age days, is repost,
        is reply, n urls, n hashtags] (NaN where unknown)."""
        n = len(self)
        X = np.empty((n, len(POST_COLUMNS)), dtype=object)
        X[:, 0] = self.text
        X[:, 1] = np.log1p(np.maximum(self.followers, 0))
        X[:, 2] = (self.created - self.author_created) / 86400.0
        X[:, 3] = np.array([r is not None for r in self.repost_of], dtype=float)
        X[:, 4] = np.array([r is not None for r in self.reply_to], dtype=float)
        X[:, 5] = np.fromiter((len(u) for u in self.urls), dtype=float, count=n)
        X[:, 6] = np.fromiter((len(h) for h in self.hashtags), dtype=float, count=n)
        return X


POST_COLUMNS = ("text", "log_followers", "account_age_days", "is_repost", "is_reply", "n_urls", "n_hashtags")


def _optstr(value):
    if value is None or value == "":
        return None
    return str(value)


def _obj(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
