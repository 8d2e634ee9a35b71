"""bench/ira*.py on a small synthetic fixture written here (no IRA data): reading the per-author CSVs as
normalized posts, derived ids, bursts, the seeded sample, labels and the benchmark's burst-to-cluster figures."""

import csv
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import ira
import ira_bursts
import ira_data

COLUMNS = ["author_id", "content", "region", "language", "publish_date", "harvested_date", "following",
           "followers", "updates", "post_type", "retweet"]
T0 = datetime(2016, 2, 18, 15, 0)


def row(author, text, minute, *, retweet=False, language="Russian", followers="120"):
    when = (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:%S")
    return {"author_id": author, "content": text, "region": "Unknown", "language": language,
            "publish_date": when, "harvested_date": when, "following": "10", "followers": followers,
            "updates": "5", "post_type": "R" if retweet else "", "retweet": "1" if retweet else "0"}


def write_csvs(root: Path, rows: list[dict]) -> Path:
    """One file per author under a letter folder, plus an authors table at the top (not tweets)."""
    by_author: dict[str, list[dict]] = {}
    for r in rows:
        by_author.setdefault(r["author_id"], []).append(r)
    for author, items in by_author.items():
        path = root / author[0].upper() / f"{author}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            out = csv.DictWriter(f, COLUMNS)
            out.writeheader()
            out.writerows(items)
    (root / "authors.csv").write_text("author_id,author\nanna,anna\n")
    return root


SMEAR = "Бюро Ашык Алан живёт на иностранные деньги #позор https://t.co/abc"


@pytest.fixture
def world(tmp_path) -> Path:
    rows = [
        # a copy-paste burst: 3 accounts, 0-9 minutes apart
        row("anna", SMEAR, 0), row("boris", SMEAR, 4), row("vera", SMEAR, 9),
        # the same text 40 minutes later by 2 accounts: too few for a burst of its own
        row("gleb", SMEAR, 49), row("dina", SMEAR, 50),
        # retweets of one short original (fewer than 3 words): keyed by the original
        row("anna", "Он первый https://t.co/x1", 100, retweet=True),
        row("boris", "RT @src: Он первый https://t.co/x1", 101, retweet=True),
        row("vera", "Он первый https://t.co/x1", 102, retweet=True),
        # a short caption, not a retweet: no key, never a burst
        row("anna", "Кольца", 200), row("boris", "Кольца", 200), row("vera", "Кольца", 201),
        # the same author posting the same text twice in the same minute: two posts, two ids
        row("gleb", "Доброе утро всем друзьям", 300), row("gleb", "Доброе утро всем друзьям", 300),
        # not Russian
        row("anna", "An English tweet about nothing", 400, language="English"),
    ]
    return write_csvs(tmp_path / "csv", rows)


def test_posts_follow_the_contract(world):
    posts = ira_data.load_posts(world)
    assert len(posts) == 13  # the English tweet and the authors table are not posts
    first = next(p for p in posts if p["author_id"] == "anna" and p["text"] == SMEAR)
    assert first["platform"] == "twitter" and first["lang"] == "ru" and first["author_followers"] == 120
    assert first["created_at"] == "2016-02-18T15:00:00+00:00"
    assert first["hashtags"] == ["позор"] and first["urls"] == ["https://t.co/abc"]
    assert first["repost_of"] is None and first["reply_to"] is None
    assert len({p["id"] for p in posts}) == len(posts)  # the double post of gleb got two ids
    assert [p["id"] for p in ira_data.load_posts(world)] == [p["id"] for p in posts]  # stable


def test_retweets_of_one_original_share_repost_of(world):
    posts = ira_data.load_posts(world)
    originals = {p["repost_of"] for p in posts if "Он первый" in p["text"]}
    assert len(originals) == 1 and originals.pop().startswith("ira-rt-")  # "RT @src:" prefix or not
    assert ira_data.original_id("Он первый https://t.co/x1") != ira_data.original_id("Он первый https://t.co/x2")


def test_bursts(world):
    posts = ira_data.load_posts(world)
    bursts = ira_bursts.find_bursts(posts)
    assert [(b.accounts, b.size) for b in bursts] == [(3, 3), (3, 3)]
    smear, retweets = bursts
    assert smear.text == SMEAR and smear.key.startswith("t:")
    assert retweets.key.startswith("r:ira-rt-")
    assert smear.id == ira_bursts.burst_id(reversed(smear.post_ids))  # the id does not depend on order
    assert ira_bursts.find_bursts(list(reversed(posts)))[0].id == smear.id


def test_gap_and_span_split_bursts():
    def post(i, minute):
        return {"id": f"p{i}", "author_id": f"a{i}", "text": "одни и те же слова здесь", "repost_of": None,
                "created_at": (T0 + timedelta(minutes=minute)).isoformat() + "+00:00"}

    # gaps of 10 minutes chain; 11 minutes break
    assert [b.size for b in ira_bursts.find_bursts([post(i, m) for i, m in enumerate([0, 10, 20, 31, 41, 51])])] \
        == [3, 3]
    # chained every 10 minutes, but a burst stops once it would span more than an hour
    chained = ira_bursts.find_bursts([post(i, 10 * i) for i in range(10)])
    assert [b.size for b in chained] == [7, 3]
    assert all((b.end - b.start) <= timedelta(hours=1) for b in chained)


def test_sample_is_seeded_stratified_and_prefix_stable():
    bursts = [ira_bursts.Burst(f"b-{i:04d}", [f"p{i}"], 3 + i % 40, T0 + timedelta(days=40 * (i % 12)), T0,
                               "t:x", "x") for i in range(300)]
    a = ira_bursts.sample_bursts(bursts, 50, seed=11)
    assert [b.id for b in a] == [b.id for b in ira_bursts.sample_bursts(list(reversed(bursts)), 50, seed=11)]
    assert [b.id for b in ira_bursts.sample_bursts(bursts, 80, seed=11)[:50]] == [b.id for b in a]
    assert len({ira_bursts.size_bucket(b) for b in a}) == len(ira_bursts.SIZE_BUCKETS)
    assert [b.id for b in a] != [b.id for b in ira_bursts.sample_bursts(bursts, 50, seed=12)]
    parts = ira_bursts.draw_sample(bursts, 50, 20, 30, 11, lambda text: True)
    assert len({b.id for b in parts}) == 100 and [b.id for b in parts[:50]] == [b.id for b in a]
    named = ira_bursts.sample_named(bursts, {b.id for b in a}, 10, 12, lambda text: text == "never")
    assert named == []


def test_labels_round_trip(tmp_path):
    path = tmp_path / "labels.csv"
    ira_bursts.write_labels(path, [{"burst_id": "b-2", "label": "other", "tweet_ids": ["z", "a"]},
                                   {"burst_id": "b-1", "label": "smear", "tweet_ids": ["c"]}])
    assert path.read_text().splitlines() == ["burst_id,label,tweet_ids", "b-1,smear,c", "b-2,other,a z"]
    assert ira_bursts.read_labels(path)[1] == {"burst_id": "b-2", "label": "other", "tweet_ids": ["a", "z"]}


def test_burst_figures():
    labels = [{"burst_id": "b1", "label": "smear", "tweet_ids": ["1", "2", "3"]},
              {"burst_id": "b2", "label": "other", "tweet_ids": ["4", "5", "6", "7"]},
              {"burst_id": "b3", "label": "propaganda", "tweet_ids": ["8", "9", "10"]}]
    post_cluster = {"1": "c1", "2": "c1", "3": None,  # 2 of 3 in a smear cluster: flagged, kept in one
                    "4": "c1", "5": "c1", "6": "c2", "7": "c2",  # half in a smear cluster: not flagged; split
                    "8": None, "9": None, "10": None}  # not clustered
    outcomes = ira.burst_outcomes(labels, post_cluster, {"c1"})
    assert [o["flagged"] for o in outcomes] == [True, False, False]
    figures = ira.class_figures(outcomes)
    assert figures["smear"]["flagged_share"] == 1.0 and figures["other"]["flagged_share"] == 0.0
    kept = ira.kept_figures(outcomes)
    assert (kept["with_clustered_posts"], kept["kept_in_one"], kept["not_clustered"]) == (2, 1, 1)
    assert kept["kept_share"] == 0.5


def test_smear_verdict_prefers_label():
    assert ira.is_smear({"flagged": True}) and not ira.is_smear({"flagged": False})
    assert not ira.is_smear({"flagged": True, "label": "coordinated"})
    assert ira.is_smear({"flagged": False, "label": "smear"})


def test_long_mixed_flagged_clusters():
    texts = {str(i): f"совсем другой текст номер {i}" for i in range(10)}
    texts.update({str(i): "один и тот же текст" for i in range(10, 20)})

    def cluster(name, ids, hours, flagged=True):
        return {"cluster": name, "posts": ids, "accounts": ids, "flagged": flagged, "start": T0.isoformat(),
                "end": (T0 + timedelta(hours=hours)).isoformat()}

    clusters = [cluster("mixed-long", [str(i) for i in range(10)], 30),
                cluster("mixed-short", [str(i) for i in range(10)], 5),
                cluster("same-long", [str(i) for i in range(10, 20)], 30),
                cluster("mixed-long-unflagged", [str(i) for i in range(10)], 30, flagged=False)]
    found = ira.long_mixed_flagged(clusters, texts)
    assert [d["cluster"] for d in found] == ["mixed-long"] and found[0]["distinct_text_share"] == 1.0


def test_prepare_cache_from_a_bare_git_dir(tmp_path, world):
    work, bare = tmp_path / "work", tmp_path / "repo.git"
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}
    subprocess.run(["cp", "-r", str(world), str(work)], check=True)
    (work / "README.md").write_text("per-author split\n")
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "data"]):
        subprocess.run(command, cwd=work, check=True, env=env)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True, env=env)
    prepared = ira_data.prepare_cache(bare, tmp_path / "cache")
    assert prepared["missing"] == [] and prepared["written"] == 7  # 5 author files, authors.csv, README.md
    assert (tmp_path / "cache/A/anna.csv").read_bytes() == (world / "A/anna.csv").read_bytes()
    assert [p["id"] for p in ira_data.load_posts(tmp_path / "cache")] == [p["id"] for p in ira_data.load_posts(world)]
    assert "bet4a/russian-troll-tweets-by-author" in (tmp_path / "cache/SOURCE.txt").read_text()
