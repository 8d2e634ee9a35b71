"""Rows as the plain dicts the JSON API answers and the templates show (the shapes of `schemas.*Out`)."""

from api.render.paths import file_name, hide_paths
from smearwatch.models import CampaignComment, Cluster, Decision, IngestRun, Post, RejectedRecord


def decision_out(decision: Decision, username: str) -> dict:
    return {"id": decision.id, "cluster_id": decision.cluster_id, "user": username, "answer": decision.answer,
            "note": decision.note, "undoes": decision.undoes, "campaign_id": decision.campaign_id,
            "created_at": decision.created_at}


def comment_out(comment: CampaignComment, username: str) -> dict:
    return {"id": comment.id, "campaign_id": comment.campaign_id, "user": username, "text": comment.text,
            "created_at": comment.created_at}


def post_out(post: Post) -> dict:
    return {"id": post.id, "platform": post.platform, "post_id": post.post_id, "author_id": post.author_id,
            "author_name": post.author_name, "text": post.text, "created_at": post.created_at, "lang": post.lang,
            "urls": post.urls, "hashtags": post.hashtags, "repost_of": post.repost_of, "reply_to": post.reply_to,
            "score": post.score, "run_id": post.run_id}


def cluster_out(cluster: Cluster, answer: Decision | None = None) -> dict:
    """The cluster's public columns and the answer of the decision in force (`answer`), if any."""
    data = cluster.model_dump(include={"id", "key", "score", "flagged", "kind", "coordination", "smear", "label",
                                       "n_posts", "n_accounts", "start", "end", "status", "targets", "signals"})
    data["answer"] = answer.answer if answer is not None else None
    return data


def run_done_fraction(run: IngestRun) -> float:
    """How much of the run is done, from 0 to 1 (bytes read of the dump; 1 once it is done)."""
    if run.status == "done":
        return 1.0
    return round(min(run.bytes_done / run.bytes_total, 1.0), 4) if run.bytes_total else 0.0


def run_out(run: IngestRun) -> dict:
    """The run with its sources as file names and its error without server paths."""
    return {**run.model_dump(), "sources": [file_name(s) for s in run.sources] if run.sources else run.sources,
            "error": hide_paths(run.error), "progress": run_done_fraction(run)}


def rejection_out(rejection: RejectedRecord) -> dict:
    return {"source": file_name(rejection.source), "line": rejection.line, "reason": hide_paths(rejection.reason)}
