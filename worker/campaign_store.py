"""Regroup the stored clusters of a time span into campaigns (classifiers.campaigns), keeping campaign ids.

Called after every scoring that replaced clusters. The span is widened by the campaign window and then to take in
whole every campaign it touches, so a campaign is rebuilt from all its clusters, never cut. A new campaign takes
over the id of the stored campaign most of its clusters came from (its page links and decisions stay put).
"""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, func, literal, select, update
from sqlalchemy.engine import Connection

from classifiers.campaigns import ClusterBrief, group_campaigns, narrative_keys
from smearwatch.models import Campaign, CampaignView, Cluster, ClusterMember, Post, utcnow

CAMPAIGNS, CLUSTERS, MEMBERS, POSTS = Campaign.__table__, Cluster.__table__, ClusterMember.__table__, Post.__table__
VIEWS = CampaignView.__table__
CAMPAIGN_DAYS = 3.0  # classifiers.campaigns.group_campaigns(days=...)
MAX_WIDENINGS = 20
CURRENT = CLUSTERS.c.status != "superseded"


def regroup_campaigns(connection: Connection, start: datetime | None = None, end: datetime | None = None) -> dict:
    """Rebuild the campaigns of the current clusters in [start, end] (all when both are None)."""
    cluster_ids = _clusters_to_regroup(connection, start, end)
    if not cluster_ids:
        _drop_empty_campaigns(connection)
        return {"campaigns": 0, "flagged_campaigns": 0}
    rows = connection.execute(
        select(CLUSTERS.c.id, CLUSTERS.c.key, CLUSTERS.c.label, CLUSTERS.c.score, CLUSTERS.c.start, CLUSTERS.c.end,
               CLUSTERS.c.targets, CLUSTERS.c.n_posts, CLUSTERS.c.campaign_id, CLUSTERS.c.status)
        .where(CLUSTERS.c.id.in_(cluster_ids)).order_by(CLUSTERS.c.id)).all()
    members = _member_facts(connection, cluster_ids)
    briefs = []
    for row in rows:
        facts = members.get(row.id, {"accounts": set(), "texts": [], "originals": []})
        briefs.append(ClusterBrief(key=row.key, label=row.label, score=float(row.score),
                                   accounts=frozenset(facts["accounts"]), start=row.start, end=row.end,
                                   targets=tuple(row.targets or ()),
                                   narratives=narrative_keys(facts["texts"], facts["originals"])))
    campaigns = group_campaigns(briefs, days=CAMPAIGN_DAYS)
    old_of = {row.id: row.campaign_id for row in rows}
    old_sizes = Counter(old_of.values())
    # Free the keys first: a campaign's key moves with its earliest cluster, possibly to another stored row.
    connection.execute(update(CAMPAIGNS).where(CAMPAIGNS.c.id.in_([c for c in old_sizes if c is not None]))
                       .values(key=literal("~").concat(cast(CAMPAIGNS.c.id, String))))
    taken: set[int] = set()
    now = utcnow()
    for campaign in campaigns:
        parts = [rows[i] for i in campaign.members]
        values = {
            "key": campaign.key, "label": campaign.label, "score": float(campaign.score),
            "flagged": campaign.flagged, "n_clusters": len(parts), "n_accounts": len(campaign.accounts),
            "n_posts": sum(p.n_posts for p in parts), "targets": campaign.targets, "start": campaign.start,
            "end": campaign.end, "status": "reviewed" if all(p.status == "reviewed" for p in parts) else "open",
            "updated_at": now,
        }
        reuse = _takeover([old_of[p.id] for p in parts], old_sizes, taken)
        if reuse is None:
            campaign_id = connection.execute(
                CAMPAIGNS.insert().values(**values, created_at=now).returning(CAMPAIGNS.c.id)).scalar_one()
        else:
            campaign_id = reuse
            connection.execute(update(CAMPAIGNS).where(CAMPAIGNS.c.id == reuse).values(**values))
        taken.add(campaign_id)
        connection.execute(update(CLUSTERS).where(CLUSTERS.c.id.in_([p.id for p in parts]))
                           .values(campaign_id=campaign_id))
    _drop_empty_campaigns(connection)
    return {"campaigns": len(campaigns), "flagged_campaigns": sum(c.flagged for c in campaigns)}


def _clusters_to_regroup(connection: Connection, start: datetime | None, end: datetime | None) -> list[int]:
    current = select(CLUSTERS.c.id).where(CURRENT)
    if start is None and end is None:
        return list(connection.execute(current).scalars())
    pad = timedelta(days=CAMPAIGN_DAYS)
    lo, hi = start, end
    for _ in range(MAX_WIDENINGS):
        query = current
        if lo is not None:
            query = query.where(CLUSTERS.c.end >= _shift(lo, -pad))
        if hi is not None:
            query = query.where(CLUSTERS.c.start <= _shift(hi, pad))
        ids = set(connection.execute(query).scalars())
        # every cluster of a campaign any of them is in: a campaign is regrouped whole
        campaigns = select(CLUSTERS.c.campaign_id).where(CLUSTERS.c.id.in_(ids), CLUSTERS.c.campaign_id.is_not(None))
        ids |= set(connection.execute(current.where(CLUSTERS.c.campaign_id.in_(campaigns))).scalars())
        if not ids:
            return []
        span_lo, span_hi = connection.execute(
            select(func.min(CLUSTERS.c.start), func.max(CLUSTERS.c.end)).where(CLUSTERS.c.id.in_(ids))).one()
        new_lo = min(lo, span_lo) if lo is not None and span_lo is not None else lo
        new_hi = max(hi, span_hi) if hi is not None and span_hi is not None else hi
        if (new_lo, new_hi) == (lo, hi):
            return sorted(ids)
        lo, hi = new_lo, new_hi
    return sorted(ids)


def _member_facts(connection: Connection, cluster_ids: list[int]) -> dict[int, dict]:
    """Per cluster: its accounts ("platform:author"), its posts' texts and the originals they repost or reply to."""
    facts: dict[int, dict] = {}
    for i in range(0, len(cluster_ids), 2000):
        chunk = cluster_ids[i:i + 2000]
        query = (select(MEMBERS.c.cluster_id, POSTS.c.platform, POSTS.c.author_id, POSTS.c.text, POSTS.c.repost_of,
                        POSTS.c.reply_to)
                 .join(POSTS, POSTS.c.id == MEMBERS.c.post_id).where(MEMBERS.c.cluster_id.in_(chunk)))
        for cid, platform, author, text, repost_of, reply_to in connection.execute(query):
            entry = facts.setdefault(cid, {"accounts": set(), "texts": [], "originals": []})
            entry["accounts"].add(f"{platform}:{author}")
            entry["texts"].append(text)
            entry["originals"].extend(o for o in (repost_of, reply_to) if o)
    return facts


def _takeover(old_ids: list[int | None], old_sizes: Counter, taken: set[int]) -> int | None:
    """The stored campaign most of these clusters came from (at least half of its clusters here), not yet taken."""
    shared = Counter(cid for cid in old_ids if cid is not None and cid not in taken)
    best = max(shared, key=lambda cid: (shared[cid] / old_sizes[cid], -cid), default=None)
    if best is None or shared[best] * 2 < old_sizes[best]:
        return None
    return best


def _drop_empty_campaigns(connection: Connection) -> None:
    used = select(CLUSTERS.c.campaign_id).where(CLUSTERS.c.campaign_id.is_not(None), CURRENT)
    connection.execute(delete(CAMPAIGNS).where(CAMPAIGNS.c.id.not_in(used)))
    # their kept page sections go with them (an id may come back for another campaign)
    connection.execute(delete(VIEWS).where(VIEWS.c.campaign_id.not_in(select(CAMPAIGNS.c.id))))


def _shift(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        edge = datetime.min if delta < timedelta(0) else datetime.max
        return edge.replace(tzinfo=moment.tzinfo)
