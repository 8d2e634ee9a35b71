"""One ingest run as people read it (the run page, the JSON API and `smearwatch runs show`): its files by name,
its counts, its rejected records as FILE:LINE: reason, and the clusters holding the posts it stored.

Server paths never leave this module: a source is its file name, and paths inside reasons become file names.
"""

import re
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from smearwatch.models import Cluster, ClusterMember, IngestRun, Post, RejectedRecord
from smearwatch.store import REJECTED_KEPT

RUNS, REJECTED = IngestRun.__table__, RejectedRecord.__table__
# The folders of an absolute path (not the `//host/` of a URL), as in api/render/paths.py.
_FOLDERS = re.compile(r"(?<![\w.:/~-])/(?:[^\s/:'\"()]+/)+")
_UPLOAD_PREFIX = re.compile(r"\b[0-9a-f]{16}-(?=[\w.-])")

FIELDS = ("id", "status", "read", "stored", "duplicates", "rejected", "bytes_total", "bytes_done",
          "slices_total", "slices_done", "slices_failed")


def file_name(path: str | None) -> str:
    """The uploaded file's own name: the last path part, without the random prefix uploads add."""
    name = PurePath(path or "").name
    return re.sub(r"^[0-9a-f]{16}-", "", name)


def without_paths(text: str | None) -> str | None:
    """A message with every absolute path reduced to its file name."""
    return None if text is None else _UPLOAD_PREFIX.sub("", _FOLDERS.sub("", text))


def run_progress(run: dict) -> float:
    """How much of the run is done, 0..1 (bytes read; 1 once done). A failed run stays where it stopped."""
    if run["status"] == "done":
        return 1.0
    total = run["bytes_total"] or 0
    return round(min(run["bytes_done"] / total, 1.0), 4) if total else 0.0


def run_summary(row) -> dict:
    out = {key: row[key] for key in FIELDS}
    out.update(files=[file_name(s) for s in row["sources"] or []], error=without_paths(row["error"]),
               progress=run_progress(row), rejected_kept=min(row["rejected"], REJECTED_KEPT),
               started_at=_iso(row["started_at"]), finished_at=_iso(row["finished_at"]),
               scored_at=_iso(row["scored_at"]))
    return out


def list_runs(engine: Engine, *, limit: int = 20, offset: int = 0) -> tuple[list[dict], int]:
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(RUNS)).scalar_one()
        rows = connection.execute(select(RUNS).order_by(RUNS.c.id.desc()).offset(offset).limit(limit)).mappings()
        return [run_summary(row) for row in rows], count


def get_run(engine: Engine, run_id: int) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().first()
    return None if row is None else run_summary(row)


def run_rejections(engine: Engine, run_id: int, *, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """A page of the run's kept rejected records in file order, and how many are kept."""
    with engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(REJECTED)
                                  .where(REJECTED.c.run_id == run_id)).scalar_one()
        rows = connection.execute(select(REJECTED.c.source, REJECTED.c.line, REJECTED.c.reason)
                                  .where(REJECTED.c.run_id == run_id).order_by(REJECTED.c.id)
                                  .offset(offset).limit(limit)).mappings()
        return [rejection(row) for row in rows], kept


def rejection(row) -> dict:
    source = file_name(row["source"])
    reason = without_paths(row["reason"])
    return {"source": source, "line": row["line"], "reason": reason, "text": f"{source}:{row['line']}: {reason}"}


def run_clusters(engine: Engine, run_id: int, *, limit: int = 100) -> list[dict]:
    """The clusters holding posts this run stored, flagged and highest score first."""
    ids = (select(ClusterMember.cluster_id).join(Post, Post.id == ClusterMember.post_id)
           .where(Post.run_id == run_id).distinct())
    query = (select(Cluster.id, Cluster.label, Cluster.score, Cluster.flagged, Cluster.n_accounts, Cluster.n_posts)
             .where(Cluster.id.in_(ids)).order_by(Cluster.flagged.desc(), Cluster.score.desc(), Cluster.id)
             .limit(limit))
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
