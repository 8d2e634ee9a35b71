"""A cluster's evidence in words (smearwatch.evidence_words) with what the store knows: the shared original,
the model that judged it, the most shared link and hashtag."""

from sqlmodel import Session

from api.crud.explanation import judged_by, top_originals
from smearwatch.evidence_words import ORIGINAL_SIGNALS, explain, shared_post
from smearwatch.models import Cluster
from smearwatch.post_links import post_link


def explanation(session: Session, *, cluster: Cluster, links: list, hashtags: list) -> dict:
    signals = cluster.signals or {}
    model_version, model_threshold = judged_by(session, cluster=cluster)
    judgement = signals.get("judgement") if isinstance(signals.get("judgement"), dict) else {}
    shared = {}
    wanted = tuple(s for s in ORIGINAL_SIGNALS if s in signals)
    for signal, (platform, ref, uses, original) in top_originals(session, cluster_id=cluster.id,
                                                                signals=wanted).items():
        shared[signal] = shared_post(
            signal=signal, uses=uses, platform=platform, post_id=ref,
            author=(original.author_name or original.author_id) if original else None,
            text=original.text if original else "", created_at=original.created_at if original else None,
            url=post_link(platform, ref, original.raw if original else None), stored=original is not None)
    details = {"co_link": links[0][0] if links else None, "co_hashtag": hashtags[0][0] if hashtags else None}
    return explain(label=cluster.label, coordination=cluster.coordination, smear=cluster.smear,
                   n_posts=cluster.n_posts, signals=signals, model_version=model_version,
                   threshold=None if "threshold" in judgement else model_threshold, shared=shared,
                   details={k: v for k, v in details.items() if v})
