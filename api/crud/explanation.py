"""What a cluster's evidence in words needs from the store: the original its members repost or answer most
(stored or not), and the name and threshold of the model version that judged it."""

from sqlalchemy import func
from sqlmodel import Session, select

from api.crud.model_versions import threshold_of
from smearwatch.models import Cluster, ClusterMember, ModelVersion, Post

REFERENCES = {"co_repost": Post.repost_of, "co_reply": Post.reply_to}


def top_originals(session: Session, *, cluster_id: int,
                  signals: tuple[str, ...]) -> dict[str, tuple[str, str, int, Post | None]]:
    """signal -> (platform, post id, members that use it, the stored original or None), for each of `signals`
    (co_repost: what members repost; co_reply: what they answer). Counted over all members, not a page."""
    out = {}
    for signal in signals:
        column = REFERENCES[signal]
        row = session.exec(
            select(Post.platform, column, func.count()).join(ClusterMember, ClusterMember.post_id == Post.id)
            .where(ClusterMember.cluster_id == cluster_id, column.is_not(None))
            .group_by(Post.platform, column).order_by(func.count().desc(), Post.platform, column).limit(1)
        ).first()
        if row is None:
            continue
        platform, ref, uses = row
        original = session.exec(select(Post).where(Post.platform == platform, Post.post_id == ref)).first()
        out[signal] = (platform, ref, int(uses), original)
    return out


def judged_by(session: Session, *, cluster: Cluster) -> tuple[str | None, float | None]:
    """The name and threshold of the model version that judged the cluster (None, None when unknown)."""
    if cluster.model_version_id is None:
        return None, None
    version = session.get(ModelVersion, cluster.model_version_id)
    if version is None:
        return None, None
    return version.name, threshold_of(version.card)
