"""Evidence exports: a JSON + CSV bundle (zip) and a self-contained HTML report, for one cluster or a set.

Every CSV the app writes goes through `csv_text`, whose cells are `spreadsheet_safe`.
"""

import csv
import io
import zipfile
from datetime import UTC, datetime

import orjson
from jinja2 import Environment
from sqlmodel import Session

from api.render.detail import build_detail, page_extras, public
from smearwatch import __version__
from smearwatch.models import Cluster

# OWASP CSV injection: a spreadsheet reads a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting with a formula prefix gets a leading `'`."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(rows: list[dict], columns: list[str]) -> str:
    """CSV with a header; lists and dicts as JSON, datetimes in ISO 8601, every text cell spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def _cell(value):
    if isinstance(value, list | dict):
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
        cluster_rows.append({**d, "signals": d["signals"], "targets": d["targets"]})
        post_rows += [{**p, "cluster_id": d["id"]} for p in d["posts"]]
        account_rows += [{**a, "cluster_id": d["id"]} for a in d["accounts"]]
        evidence_rows += [{**e, "cluster_id": d["id"]} for e in d["evidence"]]
        decision_rows += [{**x, "cluster_id": d["id"]} for x in d["decisions"]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        archive.writestr("clusters.json", orjson.dumps([public(d) for d in details], option=orjson.OPT_INDENT_2))
        archive.writestr("clusters.csv", csv_text(cluster_rows, ["id", "key", "score", "flagged", "kind", "n_posts",
                                                                "n_accounts", "start", "end", "status", "answer",
                                                                "targets", "signals"]))
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
        archive.writestr("report.html", report_from_details(details, env, exported_at))
    return buffer.getvalue()


def report_from_details(details: list[dict], env: Environment, exported_at: str) -> str:
    items = [{**d, **page_extras(d)} for d in details]
    return env.get_template("report.html").render(clusters=items, exported_at=exported_at, version=__version__)


def report(session: Session, clusters: list[Cluster], env: Environment) -> str:
    return report_from_details(_details(session, clusters), env, datetime.now(UTC).isoformat())
