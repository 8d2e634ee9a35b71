"""The benchmarks on real public data (bench/background.py, bench/coortweet.py): their own logic, on small
synthetic fixtures made here (the real datasets are never read by tests)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from background import classify, families, name_stem, stems_match, telegram_posts
from coortweet import (
    Share,
    alignment,
    components,
    coordinated_network,
    detect_groups,
    precision_recall,
    simulate_data,
)
from realdata import RepoFiles, is_smear, target_names


def share(obj, account, content, t):
    return Share(obj, account, content, float(t))


def test_detect_groups_pairs_within_window_without_loops():
    shares = [
        share("o1", "a", "c1", 0), share("o1", "b", "c2", 5), share("o1", "c", "c3", 30),  # c3 is too late
        share("o2", "a", "c4", 100), share("o2", "b", "c5", 110),
        share("o3", "a", "c6", 200), share("o3", "a", "c7", 201),  # one account twice: a loop
        share("o3", "b", "o3", 202),  # the object itself: a loop
        share("o4", "c", "c8", 300), share("o4", "b", "c9", 301),
    ]
    pairs = detect_groups(shares, time_window=10, min_participation=2)
    found = {(p.object_id, p.content_id, p.content_id_y, p.account_id, p.account_id_y) for p in pairs}
    assert found == {("o1", "c1", "c2", "a", "b"), ("o2", "c4", "c5", "a", "b"), ("o4", "c8", "c9", "c", "b")}
    assert {p.time_delta for p in pairs} == {5.0, 10.0, 1.0}


def test_detect_groups_min_participation():
    # d shares only once: dropped before pairing; e and f pair once, each with one paired content: the pair
    # stays only if one side has min_participation paired contents
    shares = [share("o1", "d", "c1", 0), share("o1", "e", "c2", 1), share("o9", "e", "c3", 500),
              share("o1", "f", "c4", 2), share("o8", "f", "c5", 900)]
    assert {(p.account_id, p.account_id_y) for p in detect_groups(shares, 10, 1)} == {
        ("d", "e"), ("d", "f"), ("e", "f")}
    assert detect_groups(shares, 10, 2) == []


def test_network_keeps_edges_above_the_weight_quantile_and_components():
    shares = [share(f"o{i}", acc, f"{acc}{i}", i * 100 + k) for i in range(3) for k, acc in enumerate("ab")]
    shares += [share("o9", "c", "c9", 5000), share("o9", "d", "d9", 5001), share("o8", "d", "d8", 7000),
               share("o8", "c", "c8", 7001)]
    pairs = detect_groups(shares, 10, 2)
    assert len(pairs) == 5
    # weights a-b 3, c-d 2: an edge is kept when heavier than the quantile (0: 2, 0.5: 2.5, 1: 3)
    assert coordinated_network(pairs, edge_weight=0.0) == {("a", "b"): 3}
    assert coordinated_network(pairs, edge_weight=0.5) == {("a", "b"): 3}
    assert coordinated_network(pairs, edge_weight=1.0) == {}
    assert components([("a", "b"), ("c", "d"), ("d", "e")]) == [{"c", "d", "e"}, {"a", "b"}]


@pytest.mark.parametrize("seed", [0, 1])
def test_simulate_data_truth_is_what_detect_groups_finds(seed):
    # R/simulate_data.R's documented property: detect_groups with the simulation's parameters returns exactly the
    # simulated coordinated pairs
    shares, truth, coordinated = simulate_data(np.random.default_rng(seed), n_accounts_coord=8,
                                               n_accounts_noncoord=12, n_objects=4, min_participation=2,
                                               time_window=20)
    assert set(detect_groups(shares, 20, 2)) == set(truth)
    assert coordinated == {f"account_{i:02d}" for i in range(1, 9)}
    assert {a for p in truth for a in (p.account_id, p.account_id_y)} == coordinated
    others = {s.account_id for s in shares} - coordinated
    assert others and others <= {f"account_{i:02d}" for i in range(9, 21)}


def test_agreement_figures():
    assert precision_recall({"a", "b", "x"}, {"a", "b", "c", "d"}) == (2 / 3, 0.5)
    comps = [{"a", "b"}, {"c", "d"}, {"e"}]
    clusters = [{"a", "b", "c"}, {"d"}]
    assert alignment(comps, clusters) == {"components_in_one_cluster": 1, "components_split": 1,
                                          "clusters_joining_components": 1}


def post(author, name, text, urls=(), t="2024-11-01T10:00:00+00:00"):
    return {"author_id": author, "author_name": name, "text": text, "urls": list(urls), "created_at": t}


def test_families_need_cross_posting_and_a_shared_owner_key():
    items = [f"Срочная новость номер {i}: подробности в нашем канале" for i in range(3)]
    posts = []
    for text in items:  # one stem, cross-posting: a family
        posts += [post("c1", "Топор+", text), post("c2", "Топор Live", text)]
        # cross-posting without an owner key: two unrelated outlets quoting the same agency text
        posts += [post("c3", "Вестник", text + "!"), post("c4", "Утро", text + "!")]
    # one home domain, cross-posting the same article links: a family
    for i in range(12):
        link = f"https://proglib.io/p/article-{i}"
        posts += [post("c5", "Библиотека программиста", f"статья {i} {link}", [link]),
                  post("c6", "Python hub", f"разбор {i} {link}", [link])]
    # a shared stem without cross-posting: no family
    posts += [post("c7", "Кибертопор", "игры недели"), post("c1", "Топор+", "погода")]
    fams = families(posts)
    assert fams == {"топор": ["c1", "c2"], "proglib.io": ["c5", "c6"]}  # c3/c4: no owner key; c7: no cross-post


def test_name_stems():
    assert name_stem("ТОПОР - Горячие новости") == "топор"
    assert name_stem("Москва - новостная") is None
    assert stems_match("КиберТопор", "Топор Live")
    assert not stems_match("Москва Live", "Москва с огоньком")


def test_classify_family_only_when_all_accounts_are_in_one_family():
    family_of = {"c1": "топор", "c2": "топор", "c5": "proglib.io"}
    clusters = [{"accounts": ["c1", "c2"]}, {"accounts": ["c1", "c5"]}, {"accounts": ["c1", "c9"]}]
    assert [w for _, w in classify(clusters, family_of)] == ["family:топор", "background", "background"]


def test_verdict_and_targets_before_and_after_labels():
    assert is_smear({"flagged": True}) and not is_smear({"flagged": False})
    assert not is_smear({"flagged": True, "label": "coordinated"})  # label wins when present
    assert is_smear({"flagged": False, "label": "smear"})
    assert target_names({"targets": ["A", {"name": "B", "aliases": [], "type": "PER"}]}) == ["A", "B"]


def _channel_file(root: Path) -> None:
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    messages = [{"message_id": 7, "sender_id": -1001, "text": "Новость #москва https://example.ru/a.",
                 "date": "2024-11-07T18:09:50+00:00", "channel": "Канал", "category": "other"}]
    (raw / "1001_messages.json").write_bytes(orjson.dumps(messages))


def test_telegram_posts_from_a_work_tree_and_a_bare_git_dir(tmp_path):
    tree = tmp_path / "tree"
    _channel_file(tree)
    expected = [{"id": "-1001_7", "platform": "telegram", "author_id": "channel-1001", "author_name": "Канал",
                 "text": "Новость #москва https://example.ru/a.", "created_at": "2024-11-07T18:09:50+00:00",
                 "lang": "ru", "urls": ["https://example.ru/a"], "hashtags": ["москва"]}]
    assert telegram_posts(RepoFiles(tree)) == expected
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", str(tree)], check=True)
    subprocess.run([*git, "-C", str(tree), "add", "."], check=True)
    subprocess.run([*git, "-C", str(tree), "commit", "-qm", "data"], check=True)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(tree), str(bare)], check=True)
    repo = RepoFiles(bare)
    assert repo.git_dir == bare and len(repo.commit()) == 40
    assert telegram_posts(repo) == expected
