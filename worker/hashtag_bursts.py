"""Popular hashtag bursts of a whole dump, found in one pass over its posts in time order.

classifiers.signals.rare_bursts drops the uses of a hashtag that fall in a burst (uses no more than the co-hashtag
window apart) with more than `hashtag_max_accounts` distinct accounts. A burst can go on for days, longer than any
time partition, so streamed scoring counts its accounts here over the whole dump and tells each partition which
uses lie in a popular burst. Memory: the bursts still open (a hashtag used within the last window), and one
(start, end) interval per popular burst.
"""

from __future__ import annotations

import bisect

import numpy as np
import pyarrow as pa

from classifiers.text import normalize_text


class HashtagBursts:
    def __init__(self, window: float, max_accounts: int):
        self.window, self.max_accounts = float(window), int(max_accounts)
        self._open: dict[str, list] = {}       # tag -> [start, last, accounts (a set, None once popular)]
        self._popular: dict[str, list[tuple[float, float]]] = {}
        self._last_sweep = -np.inf

    def feed(self, block: pa.Table) -> None:
        """Posts in canonical (time) order: the columns hashtags, created and author_id."""
        times = block.column("created").to_numpy()
        authors = block.column("author_id").to_pylist()
        open_, window = self._open, self.window
        for tags, t, author in zip(block.column("hashtags").to_pylist(), times.tolist(), authors, strict=True):
            if not tags:
                continue
            for raw in tags:
                tag = normalize_text(raw)
                burst = open_.get(tag)
                if burst is None or t - burst[1] > window:
                    if burst is not None:
                        self._close(tag, burst)
                    burst = open_[tag] = [t, t, set()]
                burst[1] = t
                accounts = burst[2]
                if accounts is not None:
                    accounts.add(author)
                    if len(accounts) > self.max_accounts:
                        burst[2] = None
        if len(times) and times[-1] - self._last_sweep > window:  # close the bursts that can no longer go on
            now = float(times[-1])
            for tag in [tag for tag, burst in open_.items() if now - burst[1] > window]:
                self._close(tag, open_.pop(tag))
            self._last_sweep = now

    def finish(self) -> HashtagBursts:
        for tag, burst in self._open.items():
            self._close(tag, burst)
        self._open = {}
        return self

    def state(self) -> dict:
        """What a finished instance knows, as JSON (for partitions scored in other processes or machines)."""
        return {"window": self.window, "max_accounts": self.max_accounts,
                "popular": {tag: [list(span) for span in spans] for tag, spans in self._popular.items()}}

    @classmethod
    def from_state(cls, state: dict) -> HashtagBursts:
        bursts = cls(state["window"], state["max_accounts"])
        bursts._popular = {tag: [tuple(span) for span in spans] for tag, spans in state["popular"].items()}
        return bursts

    def _close(self, tag: str, burst: list) -> None:
        if burst[2] is None:
            self._popular.setdefault(tag, []).append((burst[0], burst[1]))

    @property
    def popular_count(self) -> int:
        return sum(len(v) for v in self._popular.values())

    def __call__(self, tags: list, times: np.ndarray) -> np.ndarray:
        """Per use (rows in order, each row's normalized tags in order; as classifiers.signals.codes_of lists
        them): does it lie in a popular burst?"""
        out = []
        popular = self._popular
        for row, row_tags in enumerate(tags):
            if not row_tags:
                continue
            t = float(times[row])
            for tag in row_tags:
                spans = popular.get(tag)
                if spans is None:
                    out.append(False)
                    continue
                i = bisect.bisect_right(spans, (t, np.inf)) - 1
                out.append(i >= 0 and spans[i][0] <= t <= spans[i][1])
        return np.asarray(out, dtype=bool)
