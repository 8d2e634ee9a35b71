"""Evidence in words through the app: the cluster page and API detail say the verdict against the threshold and
the model, show the shared original first and keep raw features behind a toggle; the reports have a cover, an
overview, readable times, one evidence row per pair with its posts shown, and clusters.csv has flat columns."""

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import api_client
from api_client import bearer
from sqlmodel import Session, select

from smearwatch.models import Cluster, ClusterMember, Evidence, IngestRun, ModelVersion, Post

client, world = api_client.client, api_client.world  # fixtures

T0 = datetime(2020, 4, 29, 9, 0, tzinfo=UTC)
ORIGINAL_TEXT = "Бюро Ашык Алан — агент чужого влияния"
SIGNALS = {
    "co_repost": {"edges": 5, "median_seconds": 240.0, "mean_similarity": 0.0, "null_posts": 6, "null_accounts": 6,
                  "null_expected": 0.2, "null_median_seconds": 240.0, "null_weight": 1.0},
    "burst": {"edges": 2, "median_seconds": 60.0, "mean_similarity": 0.1, "null_posts": 3, "null_accounts": 3,
              "null_expected": 0.5, "null_median_seconds": 60.0, "null_weight": 1.0},
    "features": {"log_posts": 1.9459, "log_creation_iqr_days": None, "creation_batch_share": 0.5},
    "judgement": {"coordination": 0.93, "smear": 0.8, "smear_target": "Ашык Алан", "attacking_posts": 6,
                  "attack_in_originals": 6, "posts_judged": 6, "threshold": 0.5},
}


def add_repost_cluster(engine, *, label="smear") -> int:
    """Six accounts repost one stored original within minutes; one pair is tied twice (co-hashtag and burst)."""
    with Session(engine) as session:
        run = IngestRun(status="done", sources=["/srv/uploads/campaign-dump.jsonl"], stored=7)
        session.add(run)
        session.flush()
        version = session.exec(select(ModelVersion)).first()
        session.add(Post(platform="twitter", post_id="8000", author_id="orig", author_name="nationalist_kz",
                         text=ORIGINAL_TEXT, created_at=T0, run_id=run.id))
        posts = [Post(platform="twitter", post_id=f"90{i:02d}", author_id=f"rp{i}", author_name=f"rp_{i}",
                      text="I support this!", created_at=T0 + timedelta(minutes=3 + i), repost_of="8000",
                      run_id=run.id) for i in range(6)]
        session.add_all(posts)
        session.flush()
        cluster = Cluster(key=f"c-words-{label}", score=0.8 if label == "smear" else 0.0, flagged=label == "smear",
                          kind="co_repost", n_posts=6, n_accounts=6, start=posts[0].created_at,
                          end=posts[-1].created_at, coordination=0.93, smear=0.8 if label == "smear" else 0.1,
                          label=label, targets=[{"name": "Ашык Алан", "aliases": [], "type": "org"}],
                          signals={**SIGNALS, "judgement": {**SIGNALS["judgement"], "smear": 0.8 if label == "smear"
                                                            else 0.1}},
                          model_version_id=version.id)
        session.add(cluster)
        session.flush()
        session.add_all(ClusterMember(cluster_id=cluster.id, post_id=p.id) for p in posts)
        for a, b in zip(posts, posts[1:], strict=False):
            session.add(Evidence(cluster_id=cluster.id, signal="co_repost", post_a=a.id, post_b=b.id, seconds=60.0))
        session.add(Evidence(cluster_id=cluster.id, signal="co_hashtag", post_a=posts[0].id, post_b=posts[5].id,
                             seconds=300.0))
        session.add(Evidence(cluster_id=cluster.id, signal="burst", post_a=posts[5].id, post_b=posts[0].id,
                             seconds=300.0))
        session.commit()
        return cluster.id


def test_detail_and_page_say_the_evidence_in_words(client, world, engine):
    cid = add_repost_cluster(engine)
    headers = bearer(world["reviewer"])
    body = client.get(f"/api/v1/clusters/{cid}", headers=headers).json()
    words = body["explanation"]
    assert words["heading"] == "Why it was flagged" and words["threshold"] == 0.5
    assert words["model_version"] == "default-1" and "Judged by model default-1" in words["verdict"]
    assert words["verdict"].startswith("Flagged as a coordinated smear of Ашык Алан: coordination 0.93")
    assert [r["key"] for r in words["reasons"]] == ["co_repost", "smear", "burst"]
    assert words["reasons"][0]["sentence"].startswith("6 accounts reposted the same post by @nationalist_kz within "
                                                      "a median 4 minutes of each other; by chance one would expect 0.2")
    original = words["shared"][0]
    assert original["text"] == ORIGINAL_TEXT and original["created_at"] == "2020-04-29 09:00 UTC"
    assert original["url"] == "https://twitter.com/i/web/status/8000"
    assert {f["name"] for f in words["features"]} == {"Posts", "Accounts created within 2 days of another"}
    assert {s["key"] for s in body["signals_explained"]} == {"co_repost", "burst"}  # no feature dump
    client.login("rita", world["reviewer"].password)
    page = client.get(f"/clusters/{cid}").text
    why = page[page.index('<section class="why"'):page.index("</section>", page.index('<section class="why"'))]
    assert why.index(ORIGINAL_TEXT) < why.index('class="signal"')  # the shared original comes first
    assert "weight 0.97" in why and "<details class=\"features\">" in why and "None" not in why
    assert "null_expected=" not in page and "log creation" not in page
    assert ' style="' not in page and "<script>" not in page


def test_a_cluster_not_flagged_says_why_not(client, world, engine):
    cid = add_repost_cluster(engine, label="coordinated")
    client.login("rita", world["reviewer"].password)
    page = client.get(f"/clusters/{cid}").text
    assert "Why it was flagged" not in page and "Why it was not flagged: coordinated, but not a smear" in page
    assert "Not flagged: coordinated (coordination 0.93 reaches the threshold 0.50) but not a smear" in page


def test_reports_and_flat_csv(client, world, engine):
    cid = add_repost_cluster(engine)
    headers = bearer(world["reviewer"])
    html = client.get(f"/api/v1/clusters/{cid}/export", headers=headers, params={"format": "html"}).text
    cover = html[html.index('id="cover"'):html.index("</section>", html.index('id="cover"'))]
    assert "model default-1, threshold 0.50" in cover and "campaign-dump.jsonl" in cover and "/srv/" not in cover
    assert "1 flagged as coordinated smear" in cover and "6 posts by 6 accounts" in cover
    assert "2020-04-29 09:03 UTC" in cover
    pairs = html[html.index('class="pairs"'):]
    # one row per pair: the pair tied by a shared hashtag and a burst is one row naming both
    assert pairs.count('class="pair"') == 6 and "shared hashtags, burst of attacks" in pairs
    assert ">8000<" not in pairs and ">9005</a>" in pairs and "I support this!" in pairs
    assert f'id="c{cid}-post-' in html and ORIGINAL_TEXT in html
    assert "<script" not in html and 'src="http' not in html
    many = client.get("/api/v1/export", headers=headers, params={"format": "html", "flagged": "true"}).text
    assert many.index('class="overview"') < many.index('class="cluster"') and "Selection: flagged=true" in many
    bundle = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/export", headers=headers,
                                                   params={"flagged": "true"}).content))
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(bundle.read("clusters.csv").decode()))}
    row = rows[str(cid)]
    assert row["targets"] == "Ашык Алан" and row["model_version"] == "default-1" and row["threshold"] == "0.5"
    assert row["co_repost_original"] == "8000" and row["co_repost_expected"] == "0.2"
    assert row["reason_1"].startswith("6 accounts reposted") and row["reason_1_weight"] == "0.967"
    assert not any(cell.startswith(("{", "[")) for r in rows.values() for cell in r.values() if cell)
