#!/usr/bin/env python3
"""The learning loop with a simulated reviewer who decides by the truth (issue 15, item 5).

    .venv/bin/python bench/loop.py [--seed 2] [--rounds 5] [--per-round 40] [--posts 15000] [--start samples|packaged]

On a world from bench/world2 in a fresh SQLite store under the bench cache. The store is first scored with a model
the bench trains in seconds on samples/labelled/train.jsonl alone (`--start samples`, the default): it never saw a
world of the bench/world2 generator, so every seed is unseen (the packaged model was trained on world2 seed 1 too,
`--start packaged`). In each round the reviewer decides the next `--per-round` undecided clusters in queue order
(flagged clusters by score with the queue's mixed-in unflagged checks, api/crud/queue.py; then every open cluster by
uncertainty) by the truth (majority kind of its posts: smear; a coordinated campaign: "coordinated"; else
"organic"), and the loop retrains (`train_version`: the decisions are added to the shipped data, the gate decides).
A version that passes the gate but newly flags clusters nobody decided waits for its preview's sample: the admin
(the same simulated reviewer) decides those clusters, counted in `decided`, and the version is judged again
(`judge_again`). When a version is activated the store is rescored.
Prints per round: flagged clusters, flagged-cluster precision (mostly smear posts), smear-campaign recall (a
flagged cluster made mostly of the campaign's posts), account F1 (accounts in flagged clusters against accounts
that wrote smear posts), the same with no retraining (decisions alone change no flag: the round-0 figures), what
the gate said (w: the decisions' weight it chose; would flag: the version's flagged clusters in the preview), and
the flagged clusters by majority kind other than smear.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from api.crud.clusters import ClusterFilters, list_clusters  # noqa: E402
from api.crud.queue import CHECK_EVERY, mix_checks, review_checks  # noqa: E402
from classifiers import PostFrame, load_model, read_labelled, save_model, train  # noqa: E402
from smearwatch import migrate, registry  # noqa: E402
from smearwatch.db import make_engine  # noqa: E402
from smearwatch.models import Cluster, ClusterMember, Decision, Post, User, utcnow  # noqa: E402
from smearwatch.settings import get_settings  # noqa: E402
from worker.ingest import ingest_paths  # noqa: E402
from worker.learning import judge_again, train_version  # noqa: E402
from worker.score_store import score_and_cluster  # noqa: E402
from worker.scoring import run_detection  # noqa: E402


def world(seed: int, posts: int) -> Path:
    folder = Path(get_settings().bench_cache) / "world2" / f"seed{seed}-{posts}"
    if not (folder / "posts.jsonl").is_file():
        subprocess.run([sys.executable, str(ROOT / "bench" / "world2" / "generate.py"), "--seed", str(seed),
                        "--posts", str(posts), "--out", str(folder)], check=True)
    return folder


def truth(folder: Path) -> tuple[dict, set[str]]:
    """(platform, id) -> (label, campaign, kind), and the ids of coordinated campaigns (not background groups)."""
    posts = {}
    with open(folder / "posts.jsonl", "rb") as f:
        for line in f:
            p = orjson.loads(line)
            posts[(p["platform"], str(p["id"]))] = (int(p["label"]), p["campaign"], p["kind"])
    campaigns = orjson.loads((folder / "campaigns.json").read_bytes())
    return posts, {c["id"] for c in campaigns if not str(c["id"]).startswith("bg-")}


def members(engine) -> dict[int, list]:
    out: dict[int, list] = {}
    with engine.connect() as connection:
        rows = connection.execute(select(ClusterMember.cluster_id, Post.platform, Post.post_id, Post.author_id)
                                  .join(Post, Post.id == ClusterMember.post_id)
                                  .join(Cluster, Cluster.id == ClusterMember.cluster_id)
                                  .where(Cluster.status != "superseded"))
        for cid, platform, post_id, author in rows:
            out.setdefault(cid, []).append((platform, post_id, author))
    return out


def answer(posts: list, known: dict, coordinated: set[str]) -> str:
    kinds = Counter(known.get((p, i), (0, "", "background"))[1:] for p, i, _ in posts)
    (campaign, kind), _ = kinds.most_common(1)[0]
    if kind == "smear":
        return "smear"
    return "coordinated" if campaign in coordinated else "organic"


def measure(engine, known: dict) -> dict:
    with engine.connect() as connection:
        flagged = set(connection.execute(select(Cluster.id).where(Cluster.flagged,
                                                                  Cluster.status != "superseded")).scalars())
    by_cluster = members(engine)
    smear_campaigns = {c for label, c, _ in known.values() if label == 1}
    smear_accounts = set()
    author_of = {}
    for p, i, a in (m for ms in by_cluster.values() for m in ms):
        author_of[(p, i)] = a
    correct, found, flagged_accounts, wrong_kinds = 0, set(), set(), Counter()
    for cid in flagged:
        posts = by_cluster.get(cid, [])
        labels = [known.get((p, i), (0, "", "background")) for p, i, _ in posts]
        smear = [c for label, c, _ in labels if label == 1]
        flagged_accounts.update(a for _, _, a in posts)
        if len(smear) * 2 > len(posts):
            correct += 1
            found.add(Counter(smear).most_common(1)[0][0])
        else:
            wrong_kinds[Counter(k for _, _, k in labels).most_common(1)[0][0]] += 1
    with engine.connect() as connection:
        for platform, post_id, author in connection.execute(select(Post.platform, Post.post_id, Post.author_id)):
            if known.get((platform, post_id), (0,))[0] == 1:
                smear_accounts.add(author)
    tp = len(flagged_accounts & smear_accounts)
    f1 = 2 * tp / (len(flagged_accounts) + len(smear_accounts)) if flagged_accounts or smear_accounts else 0.0
    return {"flagged": len(flagged), "precision": correct / len(flagged) if flagged else 0.0,
            "recall": len(found & smear_campaigns) / len(smear_campaigns), "account_f1": f1,
            "wrong": dict(wrong_kinds)}


def queue_order(engine) -> list[int]:
    """Undecided clusters in the order the queue shows them (flagged by score, checks mixed in)."""
    with Session(engine) as session:
        threshold = float((registry.active_version(engine) or {}).get("card", {}).get("threshold", 0.5))
        rows, _ = list_clusters(session, filters=ClusterFilters(flagged=True, sort="-score"), limit=100000)
        checks = review_checks(session, threshold=threshold, offset=0, limit=len(rows) // CHECK_EVERY)
        queue = [row.id for row in mix_checks(rows, checks) if row.status == "open"]
        # the queue done, a reviewer goes on with every open cluster nearest the threshold first
        rest, _ = list_clusters(session, filters=ClusterFilters(status="open", sort="uncertainty",
                                                                threshold=threshold), limit=100000)
        return queue + [row.id for row in rest if row.id not in set(queue)]


def packaged_base(samples_seed1: Path) -> Path:
    """A labelled folder with what `make model` trains the packaged model on (samples/labelled/train.jsonl and
    world2 seed 1) and the shipped held-out file: retraining then starts from the packaged model's own data."""
    folder = Path(get_settings().bench_cache) / "labelled-packaged"
    folder.mkdir(parents=True, exist_ok=True)
    shipped = ROOT / "samples" / "labelled"
    with open(folder / "train.jsonl", "wb") as out:
        for source in (shipped / "train.jsonl", samples_seed1 / "posts.jsonl"):
            data = source.read_bytes()
            out.write(data if data.endswith(b"\n") else data + b"\n")
    (folder / "heldout.jsonl").write_bytes((shipped / "heldout.jsonl").read_bytes())
    return folder


def samples_model(engine, models: Path) -> None:
    """Train, register and activate a model on samples/labelled/train.jsonl alone: it never saw a world of
    bench/world2 (the packaged model was trained on world2 seed 1 too), so any world2 seed is unseen by it."""
    records = read_labelled([ROOT / "samples" / "labelled" / "train.jsonl"])
    frame = PostFrame.from_records(records, extra=("label", "campaign", "target"))
    model = train(frame, frame.extra["label"], seed=0)
    version_id = registry.register_version(engine, load_model(save_model(model, models / model.version)))
    registry.activate_version(engine, version_id, actor="bench", reason="start: trained on samples/ only")


def flagged_posts(engine) -> set:
    """(platform, id) of the posts in flagged clusters now."""
    with engine.connect() as connection:
        return set(connection.execute(select(Post.platform, Post.post_id)
                                      .join(ClusterMember, ClusterMember.post_id == Post.id)
                                      .join(Cluster, Cluster.id == ClusterMember.cluster_id)
                                      .where(Cluster.flagged, Cluster.status != "superseded")).all())


def explain(engine, known: dict, coordinated: set[str], gate: dict, before: set) -> None:
    """The clusters flagged now that were not flagged before the round (most of their posts were in no flagged
    cluster): their truth, the reviewers' answer if decided, and their judgements; and the gate's counts."""
    by_cluster = members(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(Cluster.id, Cluster.n_posts, Cluster.score, Cluster.smear,
                                         Cluster.coordination).where(Cluster.flagged,
                                                                     Cluster.status != "superseded")).all()
        answers = {cid: a for cid, a in connection.execute(select(Decision.cluster_id, Decision.answer)
                                                            .order_by(Decision.created_at, Decision.id))}
    for part in ("heldout", "decided_all"):
        versions = [(name, ((gate.get(name) or {}).get(part) or {}).get("verdict") or {})
                    for name in ("candidate", "active")]
        print("   gate", part, "; ".join(f"{name} tp {v.get('tp')} fp {v.get('fp')}" for name, v in versions),
              file=sys.stderr)
    print("   gate estimate", gate.get("estimate"), file=sys.stderr)
    for cid, n, score, smear, coordination in sorted(rows, key=lambda r: r[2]):
        posts = by_cluster.get(cid, [])
        if sum((p, i) in before for p, i, _ in posts) * 2 >= len(posts):
            continue
        kinds = Counter(known.get((p, i), (0, "", "background"))[1:] for p, i, _ in posts)
        (campaign, kind), count = kinds.most_common(1)[0]
        print(f"   new {cid}: {n} posts, {kind} {campaign} ({count}), truth {answer(posts, known, coordinated)}, "
              f"decided {answers.get(cid)}, score {score:.3f} smear {smear:.3f} coord {coordination:.3f}",
              file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2, help="world2 seed (default 2; the packaged model saw seed 1)")
    parser.add_argument("--posts", type=int, default=15000, help="posts of the world (default 15000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of decisions (default 5)")
    parser.add_argument("--per-round", type=int, default=40, help="decisions per round (default 40)")
    parser.add_argument("--start", choices=["samples", "packaged"], default="samples",
                        help="the model the store is first scored with: one the bench trains on "
                             "samples/labelled/train.jsonl alone, which never saw world2 (samples, default), or the "
                             "packaged model, trained on world2 seed 1 too (packaged)")
    parser.add_argument("--explain", action="store_true",
                        help="print to stderr, each round, the clusters newly flagged with their truth and answer, and "
                             "the gate's flagged-cluster counts of both versions")
    parser.add_argument("--base", choices=["shipped", "packaged"], default="shipped",
                        help="what decisions are added to: samples/labelled/train.jsonl (shipped, default) or "
                             "that plus world2 seed 1, the packaged model's own training data (packaged)")
    args = parser.parse_args()
    folder = world(args.seed, args.posts)
    if args.base == "packaged":
        os.environ["SMEARWATCH_LABELLED_DIR"] = str(packaged_base(world(1, 15000)))
    known, coordinated = truth(folder)
    work = Path(tempfile.mkdtemp(prefix="loop-", dir=Path(get_settings().bench_cache)))
    url = f"sqlite:///{work / 'store.db'}"
    os.environ["SMEARWATCH_DATABASE_URL"] = url
    os.environ.pop("SMEARWATCH_MODEL_DIR", None)
    get_settings.cache_clear()
    migrate.upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    ingest_paths([folder / "posts.jsonl"], engine=engine)
    if args.start == "samples":
        samples_model(engine, work / "models")
    score_and_cluster(engine)
    with engine.begin() as connection:
        user = connection.execute(User.__table__.insert().values(
            username="simulated", password_hash="x", role="reviewer", active=True, created_at=utcnow()
        ).returning(User.id)).scalar_one()
    print(f"world2 seed {args.seed}: {len(known)} posts; store {work}", file=sys.stderr)
    print(f"{'':>13} {'retraining':^31} | {'no retraining':^31} |")
    header = f"{'flagged':>7} {'precision':>9} {'recall':>6} {'acc F1':>6}"
    print(f"{'round':>5} {'decided':>7} {header} | {header} | gate; flagged, not smear")
    first = measure(engine, known)

    def figures(m: dict) -> str:
        return f"{m['flagged']:>7} {m['precision']:>9.3f} {m['recall']:>6.3f} {m['account_f1']:>6.3f}"

    print(f"{0:>5} {0:>7} {figures(first)} | {figures(first)} | start; {first['wrong']}")
    decided = 0

    def decide(chosen: list[int]) -> None:
        by_cluster = members(engine)
        with engine.begin() as connection:
            for cid in chosen:
                connection.execute(Decision.__table__.insert().values(
                    cluster_id=cid, user_id=user, answer=answer(by_cluster.get(cid, []), known, coordinated),
                    created_at=utcnow()))
            # as the API does: a decided cluster is reviewed and leaves the queue's open lists
            connection.execute(Cluster.__table__.update().where(Cluster.id.in_(chosen)).values(status="reviewed"))

    for round_no in range(1, args.rounds + 1):
        before = flagged_posts(engine)
        chosen = queue_order(engine)[:args.per_round]
        decide(chosen)
        decided += len(chosen)
        outcome = train_version(engine, versions_dir=work / "models")
        gate = outcome.gate or {}
        said = f"w {outcome.labels.get('decision_weight')}, would flag {(outcome.preview or {}).get('flagged_after')}; "
        if not outcome.activated and gate.get("unreviewed") and not gate.get("refused") and gate.get("not_worse"):
            # the admin opens the preview's sample of newly flagged clusters, decides them, and judges it again
            decide(gate["unreviewed"])
            decided += len(gate["unreviewed"])
            said += f"preview sample of {len(gate['unreviewed'])} decided, "
            outcome = judge_again(engine, outcome.version_id)
            gate = outcome.gate or {}
        if outcome.activated:
            run_detection(engine, None, None)
        if args.explain:
            explain(engine, known, coordinated, gate, before)
        m = measure(engine, known)
        said += ("activated" if outcome.activated else gate.get("refused")
                 or (f"kept: worse on {gate['worse_on']}" if gate.get("worse_on") else outcome.reason))
        print(f"{round_no:>5} {decided:>7} {figures(m)} | {figures(first)} | {said}; {m['wrong']}", flush=True)
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
