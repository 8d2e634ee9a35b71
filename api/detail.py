"""Everything known about one cluster, assembled once for the JSON API, the cluster page and the exports."""

from sqlmodel import Session

from api import charts, crud
from api.present import describe_signals, diff_segments
from smearwatch.models import Cluster


def decision_view(decision, username: str) -> dict:
    return {"id": decision.id, "cluster_id": decision.cluster_id, "user": username, "answer": decision.answer,
            "note": decision.note, "undoes": decision.undoes, "created_at": decision.created_at}


def post_view(post) -> dict:
    return {"id": post.id, "platform": post.platform, "post_id": post.post_id, "author_id": post.author_id,
            "author_name": post.author_name, "text": post.text, "created_at": post.created_at, "lang": post.lang,
            "urls": post.urls, "hashtags": post.hashtags, "repost_of": post.repost_of, "reply_to": post.reply_to,
            "score": post.score, "run_id": post.run_id}


def cluster_view(cluster: Cluster, answer=None) -> dict:
    data = cluster.model_dump(include={"id", "key", "score", "flagged", "kind", "n_posts", "n_accounts", "start",
                                       "end", "status", "targets", "signals"})
    data["answer"] = answer.answer if answer is not None else None
    return data


def build_detail(session: Session, *, cluster: Cluster) -> dict:
    history = crud.decision_history(session, cluster_id=cluster.id)
    posts = crud.cluster_posts(session, cluster_id=cluster.id)
    authors = crud.member_authors(session, cluster_id=cluster.id, posts=posts)
    evidence = crud.cluster_evidence(session, cluster_id=cluster.id)
    accounts = crud.cluster_accounts(session, cluster_id=cluster.id, authors=authors)
    graph = crud.network(evidence, authors)
    shared = crud.shared_items(posts)
    return {
        **cluster_view(cluster, crud.answer_of([d for d, _ in history])),
        "signals_explained": describe_signals(cluster.signals),
        "posts": [post_view(p) for p in posts],
        "posts_shown": len(posts),
        "accounts": accounts,
        "evidence": [e.model_dump(include={"id", "signal", "post_a", "post_b", "seconds", "similarity", "detail"})
                     for e in evidence],
        "timeline": crud.timeline(session, cluster=cluster),
        "network": graph,
        "links": shared["links"],
        "hashtags": shared["hashtags"],
        "decisions": [decision_view(d, u) for d, u in history],
        "_posts": posts,
        "_evidence": evidence,
    }


def page_extras(detail: dict) -> dict:
    """What only the HTML needs: the charts as SVG and near-duplicate groups with differences marked."""
    names = {f"{a['platform']}:{a['account_id']}": (a["name"] or a["account_id"]) for a in detail["accounts"]}
    groups = []
    for group in crud.duplicate_groups(detail["_posts"], detail["_evidence"]):
        reference = group[0]
        groups.append([
            {"post": post, "segments": [(post.text, False)] if post is reference
             else diff_segments(reference.text, post.text)}
            for post in group
        ])
    return {
        "timeline_svg": charts.timeline_svg(detail["timeline"]),
        "histogram_svg": charts.histogram_svg(charts.creation_histogram(detail["accounts"])),
        "network_svg": charts.network_svg(detail["network"], names=names),
        "groups": groups,
    }


def public(detail: dict) -> dict:
    return {k: v for k, v in detail.items() if not k.startswith("_")}
