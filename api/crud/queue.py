"""The review queue (flagged clusters, score descending): its progress, a cluster's neighbours in it, the unflagged
clusters mixed into it for a check, and how many standing decisions the next retraining will add."""

from functools import cache

from sqlalchemy import Float, Integer, bindparam, func, literal, literal_column, union_all
from sqlmodel import Session, select

from api.crud import campaigns, clusters
from api.crud.model_versions import threshold_of
from api.crud.reads import plain, read
from smearwatch.models import CHECK_ORDER, Campaign, Cluster, Decision, ModelVersion, User

# After every CHECK_EVERY-th flagged cluster (or campaign, in the campaign queue) the queue shows one unflagged open
# one, alternately the one nearest the active threshold and one picked at random (a fixed shuffle by id): decisions
# on flagged clusters alone teach a model that everything is a smear, and the activation gate refuses a version
# trained on them (issue 15).
CHECK_EVERY = 10


def review_checks(session: Session, *, threshold: float, offset: int, limit: int, table=Cluster) -> list:
    """Unflagged open rows of `table` (clusters, or campaigns) to mix into the queue, in mixing order (rows of
    the table's list columns): checks offset..offset+limit of the alternation nearest-threshold,
    random, nearest, random, ... without repeats.

    The order is chosen on ids alone (the queue index read from the threshold up and down, and the fixed-shuffle
    index); only the chosen rows are read whole, since a listed row's answer in force is a subquery.
    """
    if limit <= 0:
        return []
    need = offset + limit
    by_part = {"above": [], "below": [], "shuffled": []}
    for part, row_id, rank in read(session, _check_ids_statement(table), threshold=threshold, need=need):
        by_part[part].append((rank, row_id))  # plain tuples: a Row's attributes cost 5x in this loop of 3 x need
    by_part = {name: sorted(pairs) for name, pairs in by_part.items()}
    nearness = sorted(by_part["above"] + by_part["below"], key=lambda r: (abs(r[0] - threshold), r[1]))
    near = [row_id for _, row_id in nearness[:need]]
    shuffled = [row_id for _, row_id in by_part["shuffled"]]
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
    rows = {row.id: row for row in plain(read(session, _rows_statement(table), ids=chosen))}
    return [rows[row_id] for row_id in chosen]


# Statements built once per table (their cache keys cost more to compute than the queries take to run); the
# values come as parameters.
@cache
def _check_ids_statement(table):
    """The three id lists in one round trip, each read from its index: open unflagged rows from the threshold up,
    from it down, and in the fixed shuffle (ordered again in Python)."""
    threshold, need = bindparam("threshold", type_=Float), bindparam("need", type_=Integer)
    open_unflagged = (table.flagged.is_(False), table.status == "open")
    shuffle_rank = literal_column(CHECK_ORDER).label("rank")
    parts = [
        select(literal("above").label("part"), table.id, table.score.label("rank"))
        .where(*open_unflagged, table.score >= threshold).order_by(table.score.asc(), table.id).limit(need),
        select(literal("below").label("part"), table.id, table.score.label("rank"))
        .where(*open_unflagged, table.score < threshold).order_by(table.score.desc(), table.id).limit(need),
        select(literal("shuffled").label("part"), table.id, shuffle_rank)
        .where(*open_unflagged).order_by(shuffle_rank, table.id).limit(need),
    ]
    return union_all(*(select(*part.subquery().c) for part in parts))


@cache
def _rows_statement(table):
    columns = {Cluster: clusters.LIST_COLUMNS, Campaign: campaigns.LIST_COLUMNS}[table]
    return select(*columns).where(table.id.in_(bindparam("ids", expanding=True)))


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


def _progress_columns(table=Cluster) -> tuple:
    flagged = select(func.count()).select_from(table).where(table.flagged)
    return flagged.scalar_subquery(), flagged.where(table.status == "reviewed").scalar_subquery()


def queue_progress(session: Session) -> dict:
    total, reviewed = session.exec(select(*_progress_columns())).one()
    return {"reviewed": reviewed, "total": total}


def queue_position(session: Session, *, row: Cluster | Campaign) -> tuple[int | None, int | None, dict]:
    """Previous and next rows in the queue order (flagged, score descending, then id) and the queue's progress, in
    one query: of a cluster in the cluster queue, or of a campaign in the campaign queue.

    Each neighbour is "same score, nearer id" else "nearest score": two index range scans, where one OR
    condition was a filter over the whole queue index.
    """
    if not row.flagged:
        total, reviewed = read(session, _position_statement(type(row), neighbours=False)).one()
        return None, None, {"reviewed": reviewed, "total": total}
    total, reviewed, prev_id, next_id = read(session, _position_statement(type(row), neighbours=True),
                                                 score=row.score, id=row.id).one()
    return prev_id, next_id, {"reviewed": reviewed, "total": total}


@cache
def _position_statement(table, *, neighbours: bool):
    if not neighbours:
        return select(*_progress_columns(table))
    score, row_id = bindparam("score", type_=Float), bindparam("id", type_=Integer)
    queue = select(table.id).where(table.flagged).limit(1)
    nxt = func.coalesce(
        queue.where(table.score == score, table.id > row_id).order_by(table.id.asc()).scalar_subquery(),
        queue.where(table.score < score).order_by(table.score.desc(), table.id.asc()).scalar_subquery())
    prev = func.coalesce(
        queue.where(table.score == score, table.id < row_id).order_by(table.id.desc()).scalar_subquery(),
        queue.where(table.score > score).order_by(table.score.asc(), table.id.desc()).scalar_subquery())
    return select(*_progress_columns(table), prev, nxt)


def queue_counts(session: Session, table=Cluster) -> tuple[dict, int, float]:
    """The queue's progress (of clusters, or of campaigns), `pending_decisions` and `active_threshold` (the queue
    shows all three): one query, and a second only when the decisions changed since this process last counted."""
    total, reviewed, card, *stamp = read(session, _queue_counts_statement(table)).one()
    pending = _PENDING.get(tuple(stamp))
    if pending is None:
        pending = pending_decisions(session)
        _PENDING.clear()  # only the latest count is kept
        _PENDING[tuple(stamp)] = pending
    return {"reviewed": reviewed, "total": total}, pending, threshold_of(card)


# The pending count reads every decision (a window over all of them, growing with the store's history), so the
# queue pages count it again only when its inputs changed: the newest decision id, the number of decisions (a row
# committed after a newer one still changes it) and the active version. Decisions are append-only (an undo is a row).
_PENDING: dict[tuple, int] = {}


@cache
def _queue_counts_statement(table):
    active = select(ModelVersion).where(ModelVersion.active).limit(1)
    decisions = select(func.max(Decision.id), func.count(Decision.id))
    return select(*_progress_columns(table), active.with_only_columns(ModelVersion.card).scalar_subquery(),
                  decisions.with_only_columns(func.max(Decision.id)).scalar_subquery(),
                  decisions.with_only_columns(func.count(Decision.id)).scalar_subquery(),
                  active.with_only_columns(ModelVersion.id).scalar_subquery(),
                  active.with_only_columns(ModelVersion.created_at).scalar_subquery())


def pending_decisions(session: Session) -> int:
    """How many standing decisions the next retraining will add (decided after the active version was made).

    One query, with the rules of `worker.learning.decision_records`: the latest standing decision per cluster,
    "unsure" left out.
    """
    total, after, active_at = read(session, _pending_statement()).one()
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
