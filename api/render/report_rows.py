"""The rows an evidence report and its CSV files show: one evidence row per pair of posts (every signal that ties
the pair in one row, so a co-hashtag tie is not repeated as a burst tie), the overview of a set, flat CSV columns."""

from smearwatch.evidence_words import SIGNAL_NAMES, SIGNAL_ORDER, duration, utc_time
from smearwatch.models import Evidence, Post

EVIDENCE_ROWS = 500  # pairs shown per cluster in a report


def evidence_pairs(edges: list[Evidence], limit: int = EVIDENCE_ROWS) -> tuple[list[dict], int]:
    """One row per pair of posts, closest first: {"a", "b", "signals", "seconds", "similarity"} with the
    internal post ids a and b; and how many pairs there are in all."""
    pairs: dict[tuple[int, int], dict] = {}
    for e in edges:
        a, b = sorted((e.post_a, e.post_b))
        row = pairs.setdefault((a, b), {"a": a, "b": b, "signals": [], "seconds": e.seconds, "similarity": None})
        if e.signal not in row["signals"]:
            row["signals"].append(e.signal)
        if e.seconds is not None and (row["seconds"] is None or e.seconds < row["seconds"]):
            row["seconds"] = e.seconds
        if e.similarity is not None and e.signal == "near_duplicate":
            row["similarity"] = max(row["similarity"] or 0.0, e.similarity)
    rows = sorted(pairs.values(), key=lambda r: (r["seconds"] is None, r["seconds"] or 0.0, r["a"], r["b"]))
    for row in rows:
        row["signal_names"] = ", ".join(SIGNAL_NAMES.get(s, s).lower() for s in _ordered(row["signals"]))
        row["apart"] = duration(row["seconds"]) if row["seconds"] is not None else ""
    return rows[:limit], len(rows)


def _ordered(signals: list[str]) -> list[str]:
    return sorted(signals, key=lambda s: (SIGNAL_ORDER.index(s) if s in SIGNAL_ORDER else 99, s))


def post_ref(post: Post | None) -> dict:
    """A post as the evidence table names it: platform id, author, UTC time, text."""
    if post is None:
        return {"id": None, "post_id": "?", "author": "", "time": "", "text": ""}
    return {"id": post.id, "post_id": post.post_id, "platform": post.platform,
            "author": post.author_name or post.author_id, "time": utc_time(post.created_at), "text": post.text}


def flat_cluster_row(detail: dict) -> dict:
    """One clusters.csv row: plain values only (no JSON in a cell)."""
    e = detail["explanation"]
    row = {
        **{k: detail.get(k) for k in ("id", "key", "label", "flagged", "score", "coordination", "smear", "kind",
                                      "n_posts", "n_accounts", "status", "answer")},
        "start": detail.get("start"), "end": detail.get("end"),  # ISO 8601 in the CSV: sorts and parses
        "threshold": e["threshold"], "model_version": e["model_version"], "verdict": e["verdict"],
        "targets": "; ".join(t.get("name", "") for t in detail.get("targets") or []),
    }
    for i, reason in enumerate(e["reasons"][:3], start=1):
        row[f"reason_{i}"] = reason["sentence"]
        row[f"reason_{i}_weight"] = reason["weight"]
    for original in e["shared"]:
        row[f"{original['signal']}_original"] = original["post_id"]
        row[f"{original['signal']}_original_uses"] = original["uses"]
    for signal in SIGNAL_ORDER:
        values = (detail.get("signals") or {}).get(signal) or {}
        for name in ("accounts", "posts", "expected", "median_seconds"):
            row[f"{signal}_{name}"] = values.get(f"null_{name}")
    return row


CLUSTER_COLUMNS = [
    "id", "key", "label", "flagged", "score", "coordination", "smear", "threshold", "model_version", "kind",
    "n_posts", "n_accounts", "start", "end", "status", "answer", "targets", "verdict",
    "reason_1", "reason_1_weight", "reason_2", "reason_2_weight", "reason_3", "reason_3_weight",
    "co_repost_original", "co_repost_original_uses", "co_reply_original", "co_reply_original_uses",
    *(f"{s}_{n}" for s in SIGNAL_ORDER for n in ("accounts", "posts", "expected", "median_seconds")),
]
