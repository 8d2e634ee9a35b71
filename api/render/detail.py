"""Everything known about one cluster, assembled once for the JSON API, the cluster page and the exports."""

from sqlmodel import Session

from api.crud import decisions, evidence
from api.render import accounts, network, posts, timeline
from api.render.explanation import explanation
from api.render.rows import cluster_out, decision_out, post_out
from api.render.signals import describe_signals
from smearwatch.account_network import account_network
from smearwatch.models import Cluster


def build_detail(session: Session, *, cluster: Cluster) -> dict:
    history = decisions.decision_history(session, cluster_id=cluster.id)
    members = evidence.cluster_posts(session, cluster_id=cluster.id)
    authors = evidence.member_authors(session, cluster_id=cluster.id, posts=members)
    edges = evidence.cluster_evidence(session, cluster_id=cluster.id)
    cluster_accounts = evidence.cluster_accounts(session, cluster_id=cluster.id, authors=authors)
    window = timeline.timeline_window(cluster)
    counts = ({}, {}) if window is None else evidence.timeline_counts(
        session, start=window.start, width=window.width, end=window.end, cluster_id=cluster.id)
    shared = posts.shared_items(members)
    graph = network.network(edges, authors)
    if len(edges) >= evidence.EVIDENCE_SHOWN:  # only the first evidence rows are listed: the network needs all
        graph = network.network_of(account_network(session, [cluster.id]))
    return {
        **cluster_out(cluster, decisions.answer_of([d for d, _ in history])),
        "signals_explained": describe_signals(cluster.signals),
        "explanation": explanation(session, cluster=cluster, links=shared["links"], hashtags=shared["hashtags"]),
        "posts": [post_out(p) for p in members],
        "posts_shown": len(members),
        "accounts": cluster_accounts,
        "evidence": [e.model_dump(include={"id", "signal", "post_a", "post_b", "seconds", "similarity", "detail"})
                     for e in edges],
        "timeline": timeline.timeline(window, *counts),
        "network": graph,
        "links": shared["links"],
        "hashtags": shared["hashtags"],
        "decisions": [decision_out(d, u) for d, u in history],
        "_posts": members,
        "_evidence": edges,
    }


def page_extras(detail: dict) -> dict:
    """What only the HTML needs: the charts as SVG (the posts are paged apart: render/cluster_posts.py)."""
    names = {f"{a['platform']}:{a['account_id']}": (a["name"] or a["account_id"]) for a in detail["accounts"]}
    return {
        "timeline_svg": timeline.timeline_svg(detail["timeline"]),
        "histogram_svg": accounts.histogram_svg(accounts.creation_histogram(detail["accounts"])),
        "network_svg": network.network_svg(detail["network"], names=names),
    }


def report_groups(detail: dict) -> list[list[dict]]:
    """The posts of the report: near-duplicate groups (as on the page, like with like), each post with what differs
    from the first of its group's script marked; the report shows them all, the page a page at a time."""
    pairs = [(e.post_a, e.post_b) for e in detail["_evidence"] if e.signal == "near_duplicate"]
    groups = []
    for group in posts.group_by_pairs(detail["_posts"], pairs):
        [shown] = posts.group_page([group], page=1, per_page=1, members_shown=len(group))
        groups.append([{"post": shown["first"], "segments": [(shown["first"].text, False)]}]
                      + [{"post": post, "segments": segments or [(post.text, False)]}
                         for post, segments, _note in shown["others"]])
    return groups


def public(detail: dict) -> dict:
    """The detail without what only the HTML needs (keys starting with `_`)."""
    return {k: v for k, v in detail.items() if not k.startswith("_")}
