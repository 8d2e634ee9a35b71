"""Fixture data for the API and browser tests: accounts, posts, flagged clusters with members and evidence, and
the campaigns they form.

Built directly in the tables (detection is someone else's module), deterministic for a given seed.
"""

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from smearwatch.models import Account, Cluster, ClusterMember, Evidence, ModelVersion, Post
from worker.campaign_store import regroup_campaigns

SIGNALS = ["co_repost", "near_duplicate", "co_link", "co_hashtag", "co_reply", "burst"]
BASE = datetime(2020, 4, 28, 6, 0, tzinfo=UTC)
SMEAR = ("The bureau defends the right of foreigners to peaceful assembly and lives on foreign donors' money "
         "#{tag} {url}")
TARGETS = ["Ashyq Alan Legal Bureau", "Dauren Zhaksylykov"]


def build_world(engine, *, clusters: int = 8, background: int = 200, seed: int = 1) -> dict:
    rng = random.Random(seed)
    ids: list[int] = []
    with Session(engine) as session:
        session.add(ModelVersion(name="default-1", path="classifiers/models/default", active=True,
                                 metrics={"roc_auc": 0.93, "precision": 0.81, "recall": 0.77}))
        # background posts by ordinary accounts over five days
        for i in range(background):
            author = f"bg{i % 50}"
            session.add(Post(platform="twitter", post_id=f"bg-{i}", author_id=author, author_name=f"user {author}",
                             text=f"ordinary post number {i} about the weather", lang="en",
                             created_at=BASE + timedelta(minutes=rng.randrange(0, 5 * 24 * 60))))
        for i in range(50):
            session.add(Account(platform="twitter", account_id=f"bg{i}", name=f"user bg{i}", followers=rng.randrange(5, 900),
                                created_at=BASE - timedelta(days=rng.randrange(200, 3000))))
        for c in range(clusters):
            platform = "twitter" if c % 3 else "vk"
            start = BASE + timedelta(hours=6 * c)
            n_accounts = 6 + c % 4
            batch_day = BASE - timedelta(days=30 + c)
            accounts = []
            for a in range(n_accounts):
                account_id = f"c{c}a{a}"
                created = batch_day + timedelta(minutes=a * 7) if a < n_accounts - 2 else BASE - timedelta(days=900 + a)
                session.add(Account(platform=platform, account_id=account_id, name=f"patriot_{c}_{a}",
                                    created_at=created, followers=rng.randrange(0, 60)))
                accounts.append(account_id)
            posts = []
            for p in range(n_accounts * 2):
                author = accounts[p % n_accounts]
                text = SMEAR.format(tag=f"stopbureau{c}", url=f"https://example.kz/a{c}")
                if p % 3 == 1:
                    text = text.replace("foreign donors'", "western donors'")
                post = Post(platform=platform, post_id=f"c{c}p{p}", author_id=author, author_name=f"patriot_{c}_{p % n_accounts}",
                            text=text, created_at=start + timedelta(minutes=3 * p), lang="ru",
                            urls=[f"https://example.kz/a{c}"], hashtags=[f"stopbureau{c}"])
                session.add(post)
                posts.append(post)
            session.flush()
            score = round(0.95 - c * 0.05, 2)
            cluster = Cluster(  # the score is the lesser of the two judgements, as detection gives it
                key=f"c-test-{c}", score=score, coordination=round(min(0.99, score + 0.03), 2), smear=score,
                flagged=c < clusters - 1,
                label="smear" if c < clusters - 1 else "organic",
                kind="smear" if c % 2 == 0 else "mixed", n_posts=len(posts), n_accounts=n_accounts,
                start=posts[0].created_at, end=posts[-1].created_at, targets=[{"name": TARGETS[c % 2], "aliases": [], "type": "person"}],
                signals={"near_duplicate": {"pairs": 40 + c, "median_seconds": 300, "similarity": 0.82},
                         "account_creation": {"batch_share": 0.7}, "burst": {"posts": len(posts), "seconds": 1800}},
            )
            session.add(cluster)
            session.flush()
            for post in posts:
                session.add(ClusterMember(cluster_id=cluster.id, post_id=post.id))
            for p in range(1, len(posts)):
                a, b = posts[p - 1], posts[p]
                if a.author_id == b.author_id:
                    continue
                session.add(Evidence(cluster_id=cluster.id, signal=SIGNALS[p % len(SIGNALS)], post_a=a.id, post_b=b.id,
                                     seconds=180.0, similarity=0.9 if SIGNALS[p % len(SIGNALS)] == "near_duplicate" else None))
            ids.append(cluster.id)
        session.commit()
    with engine.begin() as connection:  # smears of one target within days: one campaign per target
        regroup_campaigns(connection)
    return {"clusters": ids}
