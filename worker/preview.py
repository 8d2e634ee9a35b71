"""What a model version would do to the store before it is activated: which clusters it would newly flag and
which it would unflag, with a few of each to open.

The candidate scores every stored post in memory (nothing is written) and its clusters are laid over the stored
ones: a stored cluster takes the verdict of the candidate cluster that holds most of its posts (none: organic).
A flagged candidate cluster that holds no stored cluster's majority is a new cluster, counted with no link.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine

from classifiers import Model, detect
from smearwatch.models import Cluster, ClusterMember
from worker.score_store import load_frame, watched_targets

SAMPLE = 5  # clusters of each kind listed for an admin to open


def shuffled(cluster_id: int) -> str:
    """A fixed pseudo-random order of cluster ids: the same sample on every preview of the same store."""
    return hashlib.sha1(f"sample:{cluster_id}".encode()).hexdigest()


@dataclass
class StorePreview:
    """The preview, and the candidate's label of each stored cluster (for the gate's decided clusters)."""

    summary: dict
    labels: dict[int, str] = field(default_factory=dict)
    coordination: dict[int, float] = field(default_factory=dict)
    flagged_now: list[int] = field(default_factory=list)  # stored clusters flagged now


def _stored_clusters(engine: Engine) -> tuple[dict[int, dict], dict[int, int]]:
    """Current (not superseded) stored clusters and the stored cluster of each clustered post."""
    with engine.connect() as connection:
        rows = connection.execute(select(Cluster.id, Cluster.flagged, Cluster.label, Cluster.n_posts, Cluster.score,
                                         Cluster.status).where(Cluster.status != "superseded")).mappings().all()
        current = {row["id"]: dict(row) for row in rows}
        owner = {pid: cid for cid, pid in connection.execute(select(ClusterMember.cluster_id, ClusterMember.post_id))
                 if cid in current}
    return current, owner


def store_preview(engine: Engine, model: Model, *, sample: list[int] | None = None) -> StorePreview:
    """The preview of `model` on the store. `sample`: the newly flagged clusters of an earlier preview's sample to
    keep (a version judged again keeps the sample reviewers were asked to decide), else chosen anew."""
    with engine.connect() as connection:
        targets = watched_targets(connection)
        frame, store_ids = load_frame(connection, None, None)
    stored, owner = _stored_clusters(engine)
    flagged_now = sum(1 for c in stored.values() if c["flagged"])
    if len(frame) == 0:
        summary = {"posts": 0, "clusters_now": len(stored), "flagged_now": flagged_now, "clusters_after": 0,
                   "flagged_after": 0, "newly_flagged": 0, "newly_unflagged": 0, "new_flagged_clusters": 0,
                   "samples": {"newly_flagged": [], "newly_unflagged": []}}
        return StorePreview(summary)
    result = detect(frame, model, targets=targets)
    # each stored cluster: the candidate cluster holding most of its posts
    votes: dict[int, Counter] = {}
    for index, cluster in enumerate(result.clusters):
        for row in cluster.rows.tolist():
            cid = owner.get(int(store_ids[row]))
            if cid is not None:
                votes.setdefault(cid, Counter())[index] += 1
    labels: dict[int, str] = {}
    coordination: dict[int, float] = {}
    smear: dict[int, float] = {}
    holders: set[int] = set()
    for cid, info in stored.items():
        best = votes.get(cid, Counter()).most_common(1)
        if best and best[0][1] * 2 >= info["n_posts"]:  # at least half of its posts
            labels[cid] = result.clusters[best[0][0]].label
            coordination[cid] = float(result.clusters[best[0][0]].coordination)
            smear[cid] = float(result.clusters[best[0][0]].smear)
            holders.add(best[0][0])
        else:
            labels[cid], coordination[cid] = "organic", 0.0
    newly_flagged = [cid for cid, info in stored.items() if not info["flagged"] and labels[cid] == "smear"]
    newly_unflagged = [cid for cid, info in stored.items() if info["flagged"] and labels[cid] != "smear"]
    new_clusters = [c for i, c in enumerate(result.clusters) if c.flagged and i not in holders]

    kept = None if sample is None else [cid for cid in sample if cid in stored]

    def pick(ids: list[int], key) -> list[dict]:
        chosen = sorted(ids, key=key)[:SAMPLE]
        return [{"cluster": cid, "url": f"/clusters/{cid}", "posts": stored[cid]["n_posts"],
                 "label_now": stored[cid]["label"], "label_after": labels[cid]} for cid in chosen]

    summary = {
        "posts": len(frame), "clusters_now": len(stored), "flagged_now": flagged_now,
        "clusters_after": len(result.clusters), "flagged_after": sum(1 for c in result.clusters if c.flagged),
        "newly_flagged": len(newly_flagged) + len(new_clusters), "newly_unflagged": len(newly_unflagged),
        "new_flagged_clusters": len(new_clusters),
        # newly flagged: clusters nobody decided yet (a decided one tells nothing new), in a fixed shuffle by id:
        # once decided, the sample stands for the undecided ones in the gate's estimate of how precise the new
        # flags are (worker/gate.py new_flags), which a choice by score would bias; newly unflagged: the largest
        # first, what would leave the queue
        "samples": {"newly_flagged": pick(kept if kept is not None else newly_flagged,
                                          lambda cid: (stored[cid]["status"] != "open", shuffled(cid))),
                    "newly_unflagged": pick(newly_unflagged, lambda cid: (-stored[cid]["n_posts"], cid))},
    }
    return StorePreview(summary, labels, coordination, sorted(c for c, info in stored.items() if info["flagged"]))
