"""Evidence exports: a JSON + CSV bundle (zip) and a self-contained HTML report, for one cluster or a set.

Every CSV the app writes goes through `csv_text`, whose cells are `spreadsheet_safe` and flat (a list is its items
joined with "; "). The report opens with a cover (what, when, which model and threshold, which source files,
counts), then an overview of the set, then each cluster with its evidence in words.
"""

import csv
import io
import zipfile
from datetime import UTC, datetime

import orjson
from jinja2 import Environment
from sqlmodel import Session

from api.crud.report import posts_by_id, source_runs
from api.render.detail import build_detail, page_extras, public, report_groups
from api.render.paths import file_name
from api.render.report_rows import CLUSTER_COLUMNS, evidence_pairs, flat_cluster_row, post_ref
from smearwatch import __version__
from smearwatch.evidence_words import utc_time
from smearwatch.models import Cluster

# OWASP CSV injection: a spreadsheet reads a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting with a formula prefix gets a leading `'`."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(rows: list[dict], columns: list[str]) -> str:
    """CSV with a header; lists as their items joined with "; ", dicts as JSON, datetimes in ISO 8601, every text
    cell spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def _cell(value):
    if isinstance(value, list) and all(not isinstance(x, list | dict) for x in value):
        value = "; ".join(str(x) for x in value)
    elif isinstance(value, list | dict):
        value = orjson.dumps(value).decode()
    elif isinstance(value, datetime):
        value = value.isoformat()
    return spreadsheet_safe(value) if isinstance(value, str) else value


def _details(session: Session, clusters: list[Cluster]) -> list[dict]:
    return [build_detail(session, cluster=c) for c in clusters]


def bundle(session: Session, clusters: list[Cluster], env: Environment) -> bytes:
    details = _details(session, clusters)
    exported_at = datetime.now(UTC).isoformat()
    manifest = {"exported_at": exported_at, "smearwatch": __version__, "clusters": [d["id"] for d in details]}
    cluster_rows, post_rows, account_rows, evidence_rows, decision_rows = [], [], [], [], []
    for d in details:
        cluster_rows.append(flat_cluster_row(d))
        post_rows += [{**p, "cluster_id": d["id"]} for p in d["posts"]]
        account_rows += [{**a, "cluster_id": d["id"]} for a in d["accounts"]]
        evidence_rows += [{**e, "cluster_id": d["id"]} for e in d["evidence"]]
        decision_rows += [{**x, "cluster_id": d["id"]} for x in d["decisions"]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        archive.writestr("clusters.json", orjson.dumps([public(d) for d in details], option=orjson.OPT_INDENT_2))
        archive.writestr("clusters.csv", csv_text(cluster_rows, CLUSTER_COLUMNS))
        archive.writestr("posts.csv", csv_text(post_rows, ["cluster_id", "id", "platform", "post_id", "author_id",
                                                          "author_name", "created_at", "text", "urls", "hashtags",
                                                          "repost_of", "reply_to", "score"]))
        archive.writestr("accounts.csv", csv_text(account_rows, ["cluster_id", "platform", "account_id", "name",
                                                                "created_at", "followers", "posts_in_cluster",
                                                                "posts_total"]))
        archive.writestr("evidence.csv", csv_text(evidence_rows, ["cluster_id", "id", "signal", "post_a", "post_b",
                                                                 "seconds", "similarity", "detail"]))
        archive.writestr("decisions.csv", csv_text(decision_rows, ["cluster_id", "id", "user", "answer", "note",
                                                                  "undoes", "created_at"]))
        archive.writestr("report.html", report_from_details(session, details, env, exported_at))
    return buffer.getvalue()


def cover(session: Session, details: list[dict], exported_at: str, scope: str | None) -> dict:
    """The report's first page: what it holds, when and by what it was made, where the posts came from."""
    runs = source_runs(session, cluster_ids=[d["id"] for d in details])
    models = sorted({(d["explanation"]["model_version"] or "unknown", d["explanation"]["threshold"])
                     for d in details}, key=lambda m: (m[0], m[1] or 0.0))
    starts = [d["start"] for d in details if d.get("start")]
    ends = [d["end"] for d in details if d.get("end")]
    labels = [d["label"] for d in details]
    return {
        "title": f"cluster {details[0]['id']}" if len(details) == 1 else f"{len(details)} clusters",
        "scope": scope, "exported_at": utc_time(exported_at), "version": __version__,
        "models": [{"version": v, "threshold": t} for v, t in models],
        "runs": [{"id": r.id, "files": [file_name(x) for x in r.sources or []], "started_at": utc_time(r.started_at),
                  "stored": r.stored, "rejected": r.rejected} for r in runs],
        "period": (utc_time(min(starts)) if starts else "", utc_time(max(ends)) if ends else ""),
        "counts": {"clusters": len(details), "flagged": labels.count("smear"),
                   "coordinated": labels.count("coordinated"), "organic": labels.count("organic"),
                   "posts": sum(d["n_posts"] for d in details), "accounts": sum(d["n_accounts"] for d in details),
                   "decided": sum(1 for d in details if d.get("answer"))},
    }


def _with_pairs(session: Session, detail: dict) -> dict:
    """The cluster's evidence as one row per pair, each post named (and shown) by its platform id and text."""
    pairs, total = evidence_pairs(detail["_evidence"])
    shown = {p.id: p for p in detail["_posts"]}
    wanted = {x for row in pairs for x in (row["a"], row["b"])}
    extra = posts_by_id(session, ids=wanted - set(shown))
    known = {**shown, **extra}
    rows = [{**row, "post_a": post_ref(known.get(row["a"])), "post_b": post_ref(known.get(row["b"]))}
            for row in pairs]
    named_elsewhere = [post_ref(p) for p in sorted(extra.values(), key=lambda p: (p.created_at, p.id))]
    return {"pairs": rows, "pairs_total": total, "pair_posts": named_elsewhere}


def report_from_details(session: Session, details: list[dict], env: Environment, exported_at: str,
                        scope: str | None = None) -> str:
    items = [{**d, **page_extras(d), "groups": report_groups(d), **_with_pairs(session, d)} for d in details]
    return env.get_template("report.html").render(
        clusters=items, cover=cover(session, details, exported_at, scope), version=__version__,
        utc=utc_time)


def report(session: Session, clusters: list[Cluster], env: Environment, scope: str | None = None) -> str:
    return report_from_details(session, _details(session, clusters), env, datetime.now(UTC).isoformat(), scope)
