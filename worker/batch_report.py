"""`report.html` of batch scoring: the flagged clusters with their evidence in words, for a reader, not a program.

One self-contained file (inline style, no script, no outside request; post addresses are plain links opened only
by a click) rendered from worker/templates/batch_report.html. Same input, same bytes: nothing in it depends on
the clock.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from classifiers.frame import to_datetime
from smearwatch.evidence_words import ORIGINAL_SIGNALS, SIGNAL_NAMES, duration, explain, shared_post, utc_time
from smearwatch.post_links import post_link

TEMPLATES = Path(__file__).parent / "templates"
FULL_CLUSTERS = 200    # flagged clusters told in full; the rest are listed in the overview
POSTS_SHOWN = 10       # posts shown per cluster (earliest first)
PAIRS_SHOWN = 20       # evidence pairs shown per cluster (strongest first)
COORDINATED_LISTED = 50

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def write_report(result, out: Path) -> Path:
    """Write `out/report.html` for a batch scoring result (worker/score_result.py: BatchScoring, or the
    report_view() of a StreamedScoring)."""
    path = Path(out) / "report.html"
    path.write_text(render_report(result), encoding="utf-8")
    return path


def _best_first(clusters: list) -> list:
    return sorted(clusters, key=lambda c: (-c.score, c.key))


def told_in_full(clusters: list) -> list:
    """The flagged clusters the report tells in full (their posts, evidence and network)."""
    return [c for c in _best_first(clusters) if c.label == "smear"][:FULL_CLUSTERS]


def reported(clusters: list) -> list:
    """The clusters whose accounts and signals the report reads: those told in full and the coordinated listed."""
    coordinated = [c for c in _best_first(clusters) if c.label == "coordinated"][:COORDINATED_LISTED]
    return told_in_full(clusters) + coordinated


def render_report(result) -> str:
    frame, model = result.frame, result.model
    ordered = _best_first(result.detection.clusters)
    flagged = [c for c in ordered if c.label == "smear"]
    coordinated = [c for c in ordered if c.label == "coordinated"]
    index = _original_rows(frame, flagged[:FULL_CLUSTERS])
    told = [_cluster(frame, c, model, index) for c in flagged[:FULL_CLUSTERS]]
    listed = [_summary(c, model) for c in coordinated[:COORDINATED_LISTED]]
    starts = [c.start for c in ordered if c.start is not None]
    ends = [c.end for c in ordered if c.end is not None]
    scored, first, last = result.post_span()
    cover = {
        "inputs": [Path(p).name for p in result.inputs] or ["posts given to score_posts"],
        "read": result.read, "scored": scored, "rejected": len(result.rejected),
        "clusters": len(ordered), "flagged": len(flagged), "coordinated": len(coordinated),
        "organic": len(ordered) - len(flagged) - len(coordinated),
        "model": model.version, "threshold": model.threshold,
        "posts_from": utc_time(to_datetime(first)) if first is not None else "",
        "posts_to": utc_time(to_datetime(last)) if last is not None else "",
        "clusters_from": utc_time(min(starts)) if starts else "", "clusters_to": utc_time(max(ends)) if ends else "",
        "targets": sorted(result.targets),
    }
    return _env.get_template("batch_report.html").render(
        cover=cover, clusters=told, untold=len(flagged) - len(told), coordinated=listed,
        coordinated_more=len(coordinated) - len(listed))


def _summary(c, model) -> dict:
    words = explain(label=c.label, coordination=c.coordination, smear=c.smear, n_posts=len(c.rows),
                    signals=c.signals, model_version=model.version)
    return {"key": c.key, "posts": len(c.rows), "accounts": len(c.accounts), "start": utc_time(c.start),
            "end": utc_time(c.end), "verdict": words["verdict"],
            "top": words["reasons"][0]["sentence"] if words["reasons"] else ""}


def _original_rows(frame, clusters) -> dict[str, int]:
    """Post id -> row, for the originals the clusters' posts repost or answer (one pass over the input)."""
    wanted = {ref for c in clusters for r in c.rows.tolist()
              for ref in (frame.repost_of[r], frame.reply_to[r]) if ref is not None}
    if not wanted:
        return {}
    return {post_id: i for i, post_id in enumerate(frame.id.tolist()) if post_id in wanted}


def _post(frame, row: int) -> dict:
    return {"id": frame.id[row], "platform": frame.platform[row],
            "author": frame.author_name[row] or frame.author_id[row], "text": frame.text[row],
            "time": utc_time(to_datetime(float(frame.created[row]))),
            "url": post_link(frame.platform[row], frame.id[row]) or ""}


def _shared(frame, c, index: dict[str, int]) -> dict[str, dict]:
    refs = {"co_repost": frame.repost_of, "co_reply": frame.reply_to}
    out = {}
    for signal in ORIGINAL_SIGNALS:
        if signal not in c.signals:
            continue
        counts = Counter(refs[signal][r] for r in c.rows.tolist() if refs[signal][r] is not None)
        if not counts:
            continue
        ref, uses = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        row = index.get(ref)
        platform = frame.platform[c.rows[0]] if row is None else frame.platform[row]
        out[signal] = shared_post(
            signal=signal, uses=uses, platform=platform, post_id=ref,
            author=None if row is None else (frame.author_name[row] or frame.author_id[row]),
            text="" if row is None else frame.text[row],
            created_at=None if row is None else to_datetime(float(frame.created[row])),
            url=post_link(platform, ref), stored=row is not None)
    return out


def _pairs(frame, c) -> list[dict]:
    """The strongest evidence, one row per pair of posts with every signal that ties it."""
    pairs: dict[tuple[int, int], dict] = {}
    for e in c.edges:
        a, b = sorted((e.row_a, e.row_b))
        row = pairs.setdefault((a, b), {"a": _post(frame, a), "b": _post(frame, b), "signals": [],
                                        "seconds": e.seconds})
        if e.signal not in row["signals"]:
            row["signals"].append(e.signal)
        row["seconds"] = min(row["seconds"], e.seconds)
        if len(pairs) >= PAIRS_SHOWN and (a, b) not in pairs:
            break
    rows = list(pairs.values())[:PAIRS_SHOWN]
    for row in rows:
        row["tied_by"] = ", ".join(SIGNAL_NAMES.get(s, s).lower() for s in row["signals"])
        row["apart"] = duration(row["seconds"])
    return rows


def _cluster(frame, c, model, index: dict[str, int]) -> dict:
    shared = _shared(frame, c, index)
    links = Counter(u for r in c.rows.tolist() for u in dict.fromkeys(frame.urls[r] or []))
    tags = Counter(t.lower() for r in c.rows.tolist() for t in dict.fromkeys(frame.hashtags[r] or []))
    details = {"co_link": min(links.items(), key=lambda kv: (-kv[1], kv[0]))[0] if links else None,
               "co_hashtag": min(tags.items(), key=lambda kv: (-kv[1], kv[0]))[0] if tags else None}
    words = explain(label=c.label, coordination=c.coordination, smear=c.smear, n_posts=len(c.rows),
                    signals=c.signals, model_version=model.version, shared=shared,
                    details={k: v for k, v in details.items() if v})
    rows = sorted(c.rows.tolist(), key=lambda r: (frame.created[r], frame.id[r]))
    return {"key": c.key, "posts": len(c.rows), "accounts": len(c.accounts), "start": utc_time(c.start),
            "end": utc_time(c.end), "score": c.score, "targets": [t["name"] for t in c.targets],
            "words": words, "sample": [_post(frame, r) for r in rows[:POSTS_SHOWN]], "pairs": _pairs(frame, c)}
