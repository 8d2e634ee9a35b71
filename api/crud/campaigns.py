"""Campaigns: filtered lists with the answer in force, one campaign's clusters, accounts and narratives, and
deciding a whole campaign at once (one decision row per cluster, append-only, so a cluster can be overridden)."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam, cast, exists, func, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api.crud.decisions import ANSWERS, effective_decisions
from api.crud.paging import page_of
from api.crud.reads import plain, read
from api.crud.reviewers import decided_by_others, decided_by_user
from smearwatch.campaign_status import refresh_campaign_status
from smearwatch.models import Campaign, Cluster, ClusterMember, Decision, Post, User, utcnow

SORTS = {
    "score": Campaign.score.asc(), "-score": Campaign.score.desc(),
    "start": Campaign.start.asc(), "-start": Campaign.start.desc(),
    "n_posts": Campaign.n_posts.asc(), "-n_posts": Campaign.n_posts.desc(),
    "n_accounts": Campaign.n_accounts.asc(), "-n_accounts": Campaign.n_accounts.desc(),
    "n_clusters": Campaign.n_clusters.asc(), "-n_clusters": Campaign.n_clusters.desc(),
    "id": Campaign.id.asc(), "-id": Campaign.id.desc(),
}


@dataclass
class CampaignFilters:
    flagged: bool | None = None
    label: str | None = None
    status: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    target: str | None = None
    assigned_to: int | None = None         # assigned to this user
    second_opinion_for: int | None = None  # decided by another reviewer, not yet by this user
    sort: str = "-score"


def _conditions(session: Session, filters: CampaignFilters) -> list:
    conditions = []
    if filters.flagged is not None:
        conditions.append(Campaign.flagged == filters.flagged)
    if filters.label:
        conditions.append(Campaign.label == filters.label)
    if filters.status:
        conditions.append(Campaign.status == filters.status)
    if filters.min_score is not None:
        conditions.append(Campaign.score >= filters.min_score)
    if filters.max_score is not None:
        conditions.append(Campaign.score <= filters.max_score)
    if filters.since is not None:  # campaigns active in [since, until]
        conditions.append(Campaign.end >= filters.since)
    if filters.until is not None:
        conditions.append(Campaign.start <= filters.until)
    if filters.assigned_to is not None:
        conditions.append(Campaign.assigned_to == filters.assigned_to)
    if filters.second_opinion_for is not None:
        conditions += [decided_by_others(filters.second_opinion_for), ~decided_by_user(filters.second_opinion_for)]
    if filters.target:
        targets = Campaign.__table__.c.targets
        if session.get_bind().dialect.name == "postgresql":
            conditions.append(cast(targets, JSONB).contains([{"name": filters.target}]))
        else:
            each = func.json_each(targets).table_valued("fullkey")
            name = func.json_extract(targets, each.c.fullkey + ".name")
            conditions.append(exists(select(1).select_from(each).where(name == filters.target)))
    return conditions


def _answer_in_force(row_id=Campaign.id):
    """The answer of the latest campaign-wide decision still in force (not an undo, not undone)."""
    undo = aliased(Decision)
    return (select(Decision.answer)
            .where(Decision.campaign_id == row_id, Decision.answer != "undo",
                   ~exists().where(undo.undoes == Decision.id))
            .order_by(Decision.id.desc()).limit(1).correlate(row_id.table).scalar_subquery().label("answer"))


LIST_COLUMNS = [*(Campaign.__table__.c[name] for name in ("id", "key", "label", "score", "flagged", "n_clusters",
                                                          "n_accounts", "n_posts", "targets", "start", "end",
                                                          "status", "assigned_to")),
                _answer_in_force()]
COLUMNS = LIST_COLUMNS[:-1]  # without the answer, which a page reads for its rows alone (crud.paging)


def list_campaigns(session: Session, *, filters: CampaignFilters, limit: int = 50, offset: int = 0,
                   count: int | None = None) -> tuple[list, int]:
    """One page of campaigns (rows of LIST_COLUMNS) and how many match; pass `count` when it is known."""
    if filters == QUEUE and count is not None:  # a page of the queue: its statement is built once
        return plain(read(session, _queue_page(), offset=offset, limit=limit)), count
    conditions = _conditions(session, filters)
    if count is None:
        count = session.exec(select(func.count()).select_from(Campaign).where(*conditions)).one()
    order = SORTS.get(filters.sort, SORTS["-score"])
    rows = session.exec(select(*LIST_COLUMNS).where(*conditions).order_by(order, Campaign.id.asc())
                        .offset(offset).limit(limit)).all()
    return plain(rows), count


def campaign_progress(session: Session) -> dict:
    """The campaign queue's progress: flagged campaigns, and how many of them are reviewed."""
    total, reviewed = session.exec(select(
        func.count(), func.count().filter(Campaign.status == "reviewed")).where(Campaign.flagged)).one()
    return {"reviewed": reviewed, "total": total}


def campaign_answer(session: Session, *, campaign_id: int) -> str | None:
    rows = session.exec(select(Decision).where(Decision.campaign_id == campaign_id).order_by(Decision.id)).all()
    effective = effective_decisions(list(rows))
    return effective[-1].answer if effective else None


def campaign_clusters(session: Session, *, campaign_id: int) -> list[Cluster]:
    """The campaign's current clusters, best first."""
    return list(session.exec(select(Cluster).where(Cluster.campaign_id == campaign_id, Cluster.status != "superseded")
                             .order_by(Cluster.score.desc(), Cluster.id)))


def campaign_accounts(session: Session, *, campaign_id: int, limit: int = 200) -> list[dict]:
    """Its accounts, most active first: platform, id, name, posts and in how many of its clusters."""
    rows = session.exec(
        select(Post.platform, Post.author_id, func.max(Post.author_name), func.count(func.distinct(Post.id)),
               func.count(func.distinct(ClusterMember.cluster_id)))
        .join(ClusterMember, ClusterMember.post_id == Post.id).join(Cluster, Cluster.id == ClusterMember.cluster_id)
        .where(Cluster.campaign_id == campaign_id, Cluster.status != "superseded")
        .group_by(Post.platform, Post.author_id)
        .order_by(func.count(func.distinct(Post.id)).desc(), Post.platform, Post.author_id).limit(limit)).all()
    return [{"platform": p, "author_id": a, "name": n, "posts": posts, "clusters": clusters}
            for p, a, n, posts, clusters in rows]


def campaign_decisions(session: Session, *, campaign_id: int) -> list[tuple]:
    """Every decision taken through the campaign (and undos of them), oldest first, with the reviewer's name:
    one query for the answer in force and the history, however many clusters the campaign has."""
    return [(row, row.username) for row in read(session, _CAMPAIGN_DECISIONS, campaign_id=campaign_id)]


# Rows with the decision's columns, not ORM objects: a decided 40-cluster campaign has 40 and more on every page view.
_CAMPAIGN_DECISIONS = (select(*Decision.__table__.c, User.username).join(User, User.id == Decision.user_id)
                       .where(Decision.campaign_id == bindparam("campaign_id", type_=Integer)).order_by(Decision.id))


def campaign_posts(session: Session, *, campaign_id: int, limit: int = 2000) -> list:
    """Its first `limit` posts in time, as rows of what narratives need (no whole Post objects: a 40-cluster
    campaign has 2,000 posts)."""
    return list(session.exec(
        select(Post.platform, Post.author_id, Post.text, Post.repost_of, Post.created_at)
        .join(ClusterMember, ClusterMember.post_id == Post.id)
        .join(Cluster, Cluster.id == ClusterMember.cluster_id)
        .where(Cluster.campaign_id == campaign_id, Cluster.status != "superseded")
        .order_by(Post.created_at, Post.id).limit(limit)).all())


def decide_campaign(session: Session, *, campaign: Campaign, user: User, answer: str,
                    note: str | None) -> list[Decision]:
    """One decision row per current cluster of the campaign, with the campaign's id and one created_at."""
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(ANSWERS)}")
    now = utcnow()
    clusters = campaign_clusters(session, campaign_id=campaign.id)
    rows = [Decision(cluster_id=c.id, user_id=user.id, answer=answer, note=note or None, campaign_id=campaign.id,
                     created_at=now) for c in clusters]
    session.add_all(rows)
    for cluster in clusters:
        cluster.status = "reviewed"
        cluster.updated_at = now
        session.add(cluster)
    session.flush()
    refresh_campaign_status(session, campaign.id)
    session.commit()
    for row in rows:
        session.refresh(row)
    return rows


def account_campaigns(session: Session, *, platform: str, account_id: str) -> list[Campaign]:
    """The campaigns whose current clusters hold posts of this account, best first."""
    clusters = (select(Cluster.campaign_id).join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
                .join(Post, Post.id == ClusterMember.post_id)
                .where(Post.platform == platform, Post.author_id == account_id, Cluster.status != "superseded"))
    return list(session.exec(select(Campaign).where(Campaign.id.in_(clusters))
                             .order_by(Campaign.flagged.desc(), Campaign.score.desc(), Campaign.id)))


# The review queue's list: flagged, best first. Its every page runs this statement, built once (building and
# hashing a statement with a correlated subquery costs more than running it); the page is a parameter.
QUEUE = CampaignFilters(flagged=True, sort="-score")


@cache
def _queue_page():
    return page_of(Campaign, COLUMNS, _answer_in_force, where=[Campaign.flagged == true()], order=SORTS["-score"],
                   offset=bindparam("offset", type_=Integer), limit=bindparam("limit", type_=Integer))
