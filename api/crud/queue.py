"""The review queue (flagged clusters, score descending): its progress, a cluster's neighbours in it, the unflagged
clusters mixed into it for a check, and how many standing decisions the next retraining will add."""

from functools import cache

from sqlalchemy import func, literal_column
from sqlmodel import Session, select

from api.crud.clusters import LIST_COLUMNS
from api.crud.model_versions import threshold_of
from smearwatch.models import CHECK_ORDER, Cluster, Decision, ModelVersion, User

# After every CHECK_EVERY-th flagged cluster (or campaign, in the campaign queue) the queue shows one unflagged open
# one, alternately the one nearest the active threshold and one picked at random (a fixed shuffle by id): decisions
# on flagged clusters alone teach a model that everything is a smear, and the activation gate refuses a version
# trained on them (issue 15).
CHECK_EVERY = 10


def review_checks(session: Session, *, threshold: float, offset: int, limit: int, table=Cluster,
                  columns=None) -> list:
    """Unflagged open rows of `table` (clusters, or campaigns) to mix into the queue, in mixing order (rows of
    `columns`, by default the cluster list's): checks offset..offset+limit of the alternation nearest-threshold,
    random, nearest, random, ... without repeats.

    The order is chosen on ids alone (the queue index read from the threshold up and down, and the fixed-shuffle
    index); only the chosen rows are read whole, since a listed row's answer in force is a subquery.
    """
    if limit <= 0:
        return []
    need = offset + limit
    open_unflagged = (table.flagged.is_(False), table.status == "open")
    above = session.exec(select(table.id, table.score).where(*open_unflagged, table.score >= threshold)
                         .order_by(table.score.asc(), table.id).limit(need)).all()
    below = session.exec(select(table.id, table.score).where(*open_unflagged, table.score < threshold)
                         .order_by(table.score.desc(), table.id).limit(need)).all()
    near = [row.id for row in sorted(above + below, key=lambda r: (abs(r.score - threshold), r.id))[:need]]
    shuffled = list(session.exec(select(table.id).where(*open_unflagged)
                                 .order_by(literal_column(CHECK_ORDER), table.id).limit(need)).all())
    mixed, seen = [], set()
    for pair in zip(near, shuffled, strict=False):
        for row_id in pair:
            if row_id not in seen:
                seen.add(row_id)
                mixed.append(row_id)
    for row_id in near[len(shuffled):] + shuffled[len(near):]:
        if row_id not in seen:
            seen.add(row_id)
            mixed.append(row_id)
    chosen = mixed[offset:need]
    rows = {row.id: row for row in session.exec(select(*(columns or LIST_COLUMNS)).where(table.id.in_(chosen))).all()}
    return [rows[row_id] for row_id in chosen]


def checks_on_page(rows: int, *, trailing: bool = False) -> int:
    """How many checks a page of `rows` flagged rows gets: one per CHECK_EVERY; with `trailing`, one more after a
    remainder (the campaign queue: a store has few campaigns, often fewer than CHECK_EVERY flagged)."""
    return -(-rows // CHECK_EVERY) if trailing else rows // CHECK_EVERY


def mix_checks(rows: list, checks: list) -> list:
    """`rows` (one page of flagged clusters or campaigns) with a check after every CHECK_EVERY-th of them, and the
    checks left over (see checks_on_page) after the last."""
    out, pending = [], list(checks)
    for index, row in enumerate(rows, start=1):
        out.append(row)
        if index % CHECK_EVERY == 0 and pending:
            out.append(pending.pop(0))
    return out + pending


def _progress_columns() -> tuple:
    flagged = select(func.count()).select_from(Cluster).where(Cluster.flagged)
    return flagged.scalar_subquery(), flagged.where(Cluster.status == "reviewed").scalar_subquery()


def queue_progress(session: Session) -> dict:
    total, reviewed = session.exec(select(*_progress_columns())).one()
    return {"reviewed": reviewed, "total": total}


def queue_position(session: Session, *, cluster: Cluster) -> tuple[int | None, int | None, dict]:
    """Previous and next clusters in the queue order (flagged, score descending, then id) and the queue's
    progress, in one query.

    Each neighbour is "same score, nearer id" else "nearest score": two index range scans, where one OR
    condition was a filter over the whole queue index.
    """
    columns = list(_progress_columns())
    if cluster.flagged:
        queue = select(Cluster.id).where(Cluster.flagged).limit(1)
        nxt = func.coalesce(
            queue.where(Cluster.score == cluster.score, Cluster.id > cluster.id).order_by(Cluster.id.asc())
            .scalar_subquery(),
            queue.where(Cluster.score < cluster.score).order_by(Cluster.score.desc(), Cluster.id.asc())
            .scalar_subquery())
        prev = func.coalesce(
            queue.where(Cluster.score == cluster.score, Cluster.id < cluster.id).order_by(Cluster.id.desc())
            .scalar_subquery(),
            queue.where(Cluster.score > cluster.score).order_by(Cluster.score.asc(), Cluster.id.desc())
            .scalar_subquery())
        columns += [prev, nxt]
    row = session.exec(select(*columns)).one()
    prev_id, next_id = (row[2], row[3]) if cluster.flagged else (None, None)
    return prev_id, next_id, {"reviewed": row[1], "total": row[0]}


def queue_counts(session: Session) -> tuple[dict, int, float]:
    """The queue's progress, `pending_decisions` and `active_threshold`, in one query (the queue shows all three)."""
    pending, after, active_at, total, reviewed, card = session.exec(_queue_counts_statement()).one()
    return {"reviewed": reviewed, "total": total}, (pending if active_at is None else after), threshold_of(card)


@cache
def _queue_counts_statement():
    card = select(ModelVersion.card).where(ModelVersion.active).limit(1).scalar_subquery()
    return _pending_statement().add_columns(*_progress_columns(), card)


def pending_decisions(session: Session) -> int:
    """How many standing decisions the next retraining will add (decided after the active version was made).

    One query, with the rules of `worker.learning.decision_records`: the latest standing decision per cluster,
    "unsure" left out.
    """
    total, after, active_at = session.exec(_pending_statement()).one()
    return total if active_at is None else after


@cache
def _pending_statement():
    # Built once: a statement object keeps its cache key, which costs more to compute than the query to run.
    undone = select(Decision.undoes).where(Decision.undoes.is_not(None))
    latest = (
        select(Decision.answer, Decision.created_at, func.row_number().over(
            partition_by=Decision.cluster_id, order_by=(Decision.created_at.desc(), Decision.id.desc())).label("n"))
        .join(User, User.id == Decision.user_id)
        .where(Decision.answer != "undo", Decision.id.not_in(undone))
        .subquery()
    )
    active = select(ModelVersion.created_at).where(ModelVersion.active).limit(1).scalar_subquery()
    labelled = ("smear", "coordinated", "organic")  # worker.learning.ANSWER_LABELS: "unsure" is left out
    condition = [latest.c.n == 1, latest.c.answer.in_(labelled)]
    return select(func.count(), func.count().filter(latest.c.created_at > active), active).where(*condition)
