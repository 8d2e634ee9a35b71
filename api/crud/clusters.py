"""Lists of clusters: filters, sort orders and the answer in force of each, as plain rows in one query."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam, cast, exists, func, or_, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api.crud.model_versions import active_threshold
from api.crud.paging import page_of
from api.crud.post_match import post_author_matches, post_text_matches
from api.crud.reads import plain, read
from smearwatch.models import Cluster, ClusterMember, Decision, Post

SORTS = {
    "score": Cluster.score.asc(), "-score": Cluster.score.desc(),
    "start": Cluster.start.asc(), "-start": Cluster.start.desc(),
    "n_posts": Cluster.n_posts.asc(), "-n_posts": Cluster.n_posts.desc(),
    "n_accounts": Cluster.n_accounts.asc(), "-n_accounts": Cluster.n_accounts.desc(),
    "id": Cluster.id.asc(), "-id": Cluster.id.desc(),
    "coordination": Cluster.coordination.asc(), "-coordination": Cluster.coordination.desc(),
    "smear": Cluster.smear.asc(), "-smear": Cluster.smear.desc(),
}


@dataclass
class ClusterFilters:
    flagged: bool | None = None
    label: str | None = None  # the verdict: smear | coordinated | organic
    status: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    platform: str | None = None
    target: str | None = None
    kind: str | None = None
    text: str | None = None  # text in one of its posts
    account: str | None = None  # the id or a name of one of its accounts
    sort: str = "-score"
    threshold: float | None = None  # sort "uncertainty": nearest this score first; None: the active model's
    campaign_id: int | None = None  # the current clusters of one campaign


def cluster_conditions(session: Session, filters: ClusterFilters) -> list:
    conditions = []
    if filters.flagged is not None:
        conditions.append(Cluster.flagged == filters.flagged)
    if filters.label:
        conditions.append(Cluster.label == filters.label)
    if filters.status:
        conditions.append(Cluster.status == filters.status)
    if filters.min_score is not None:
        conditions.append(Cluster.score >= filters.min_score)
    if filters.max_score is not None:
        conditions.append(Cluster.score <= filters.max_score)
    if filters.since is not None:  # clusters active in [since, until]
        conditions.append(Cluster.end >= filters.since)
    if filters.until is not None:
        conditions.append(Cluster.start <= filters.until)
    if filters.kind:
        conditions.append(Cluster.kind == filters.kind)
    if filters.campaign_id is not None:
        conditions += [Cluster.campaign_id == filters.campaign_id, Cluster.status != "superseded"]
    if filters.platform:
        conditions.append(exists().where(
            ClusterMember.cluster_id == Cluster.id, Post.id == ClusterMember.post_id,
            Post.platform == filters.platform))
    if filters.text:
        conditions.append(_has_member_post(post_text_matches(filters.text)))
    if filters.account:
        conditions.append(_has_member_post(post_author_matches(filters.account)))
    if filters.target:  # by its name or one of its aliases (other scripts, inflections), as written
        if session.get_bind().dialect.name == "postgresql":
            targets = cast(Cluster.__table__.c.targets, JSONB)
            conditions.append(or_(targets.contains([{"name": filters.target}]),
                                  targets.contains([{"aliases": [filters.target]}])))
        else:  # targets are entities: {"name", "aliases", "type"}; the name and aliases of each, by their path
            targets = Cluster.__table__.c.targets
            each = func.json_each(targets).table_valued("fullkey")
            name = func.json_extract(targets, each.c.fullkey + ".name")
            aliases = func.json_each(targets, each.c.fullkey + ".aliases").table_valued("value")
            alias_matches = exists(select(1).select_from(aliases).where(aliases.c.value == filters.target))
            conditions.append(exists(select(1).select_from(each).where(or_(name == filters.target, alias_matches))))
    return conditions


def _has_member_post(condition):
    return exists().where(ClusterMember.cluster_id == Cluster.id, Post.id == ClusterMember.post_id, condition)


def _answer_in_force(row_id=Cluster.id):
    """The answer of the latest decision in force on the row's cluster: not an undo and not undone (as
    `crud.decisions.answer_of` decides it), so a list of clusters needs no second query for its decisions."""
    undo = aliased(Decision)
    return (select(Decision.answer)
            .where(Decision.cluster_id == row_id, Decision.answer != "undo",
                   ~exists().where(undo.undoes == Decision.id))
            .order_by(Decision.id.desc()).limit(1).correlate(row_id.table).scalar_subquery().label("answer"))


# What a list of clusters shows: the public columns and the answer in force, as plain rows (no ORM objects).
LIST_COLUMNS = [*(Cluster.__table__.c[name] for name in ("id", "key", "score", "flagged", "kind", "coordination",
                                                         "smear", "label", "n_posts", "n_accounts", "start", "end",
                                                         "status", "targets", "signals", "campaign_id")),
                _answer_in_force()]
COLUMNS = LIST_COLUMNS[:-1]  # without the answer, which a page reads for its rows alone (crud.paging)


def list_clusters(session: Session, *, filters: ClusterFilters, limit: int = 50, offset: int = 0,
                  count: int | None = None) -> tuple[list, int]:
    """One page of clusters (rows of LIST_COLUMNS) and how many match; pass `count` when it is known."""
    if filters == QUEUE and count is not None:  # a page of the queue: its statement is built once
        return plain(read(session, _queue_page(), offset=offset, limit=limit)), count
    conditions = cluster_conditions(session, filters)
    if count is None:
        count = session.exec(select(func.count()).select_from(Cluster).where(*conditions)).one()
    if filters.sort == "uncertainty":
        threshold = active_threshold(session) if filters.threshold is None else filters.threshold
        order = func.abs(Cluster.score - threshold).asc()
    else:
        order = SORTS.get(filters.sort, SORTS["-score"])
    rows = session.exec(
        select(*LIST_COLUMNS).where(*conditions).order_by(order, Cluster.id.asc()).offset(offset).limit(limit)
    ).all()
    return plain(rows), count


def clusters_by_id(session: Session, *, ids: list[int]) -> list[Cluster]:
    """The clusters with these ids, in the order given."""
    found = {c.id: c for c in session.exec(select(Cluster).where(Cluster.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# The review queue's list: flagged, best first. Its every page runs this statement, built once (building and
# hashing a statement with a correlated subquery costs more than running it); the page is a parameter.
QUEUE = ClusterFilters(flagged=True, sort="-score")


@cache
def _queue_page():
    return page_of(Cluster, COLUMNS, _answer_in_force, where=[Cluster.flagged == true()], order=SORTS["-score"],
                   offset=bindparam("offset", type_=Integer), limit=bindparam("limit", type_=Integer))


def campaign_cluster_rows(session: Session, *, campaign_id: int, limit: int = 500) -> list:
    """The current clusters of one campaign, best first (rows of LIST_COLUMNS): the campaign page's list, with
    the filters `ClusterFilters(campaign_id=..)` gives, in a statement built once."""
    return plain(read(session, _campaign_clusters(), campaign_id=campaign_id, limit=limit))


@cache
def _campaign_clusters():
    return (select(*LIST_COLUMNS)
            .where(Cluster.campaign_id == bindparam("campaign_id", type_=Integer), Cluster.status != "superseded")
            .order_by(SORTS["-score"], Cluster.id.asc()).limit(bindparam("limit", type_=Integer)))
