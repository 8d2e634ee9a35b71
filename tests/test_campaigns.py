"""Campaigns: clusters grouped by target, shared accounts and narrative (classifiers/campaigns.py), and the
sample world's planted campaigns coming out as one flagged campaign each, with no hard negative flagged."""

import csv
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from api.crud.campaigns import decide_campaign
from classifiers.campaigns import ClusterBrief, group_campaigns, narrative_keys
from smearwatch.models import Campaign, Cluster, Decision, User
from smearwatch.users import create_user
from worker.batch_scoring import score_dumps
from worker.ingest import ingest_paths
from worker.scoring import score_run

WORLD = Path(__file__).resolve().parent.parent / "samples" / "world"
T0 = datetime(2020, 4, 28, 9, tzinfo=UTC)
LAWYER = ({"name": "Даурен Жаксылыков", "aliases": ["Dauren Zhaksylykov"], "type": "person"},)


def brief(key, label, accounts, hours=0.0, targets=(), narratives=(), score=0.8):
    start = T0 + timedelta(hours=hours)
    return ClusterBrief(key=key, label=label, score=score, accounts=frozenset(accounts), start=start,
                        end=start + timedelta(hours=1), targets=tuple(targets), narratives=frozenset(narratives))


def keys_of(campaigns):
    return sorted(sorted(c.clusters) for c in campaigns)


def test_smears_of_one_target_within_days_are_one_campaign():
    briefs = [brief("c-1", "smear", "abc", 0, LAWYER), brief("c-2", "smear", "def", 30, LAWYER),
              brief("c-3", "smear", "ghi", 24 * 10, LAWYER)]  # ten days later: another campaign
    campaigns = group_campaigns(briefs)
    assert keys_of(campaigns) == [["c-1", "c-2"], ["c-3"]]
    assert all(c.flagged and c.label == "smear" for c in campaigns)


def test_an_alias_in_another_script_is_the_same_target():
    latin = ({"name": "Dauren Zhaksylykov", "aliases": [], "type": "person"},)
    campaigns = group_campaigns([brief("c-1", "smear", "abc", 0, LAWYER), brief("c-2", "smear", "def", 5, latin)])
    assert keys_of(campaigns) == [["c-1", "c-2"]]
    assert campaigns[0].targets[0]["name"] == "Даурен Жаксылыков"
    assert "Dauren Zhaksylykov" in campaigns[0].targets[0]["aliases"]


def test_news_and_solidarity_about_the_target_stay_apart_from_the_smear():
    quote = narrative_keys(["They defend the right of foreigners to assemble and live on foreign grants!"])
    briefs = [brief("c-1", "smear", "abc", 0, LAWYER, quote), brief("c-2", "coordinated", "xyz", 2, LAWYER, quote),
              brief("c-3", "coordinated", "abc", 3)]  # the trolls' accounts in a coordinated cluster: a label apart
    campaigns = group_campaigns(briefs)
    assert keys_of(campaigns) == [["c-1"], ["c-2"], ["c-3"]]
    assert [c.flagged for c in campaigns] == [True, False, False]


def test_shared_accounts_and_narratives_join_clusters_of_one_label():
    briefs = [brief("c-1", "coordinated", "abcdef", 0), brief("c-2", "coordinated", "defghi", 50),
              brief("c-3", "coordinated", "pqr", 1, narratives={"o:post-9"}),
              brief("c-4", "coordinated", "stu", 9, narratives={"o:post-9"}),
              brief("c-5", "coordinated", "avw", 2)]  # one shared account of three: not enough
    assert keys_of(group_campaigns(briefs)) == [["c-1", "c-2"], ["c-3", "c-4"], ["c-5"]]


def test_organic_clusters_never_join_and_a_too_common_key_ties_nothing():
    common = {"o:viral"}
    briefs = [brief("c-1", "organic", "abc", 0, LAWYER), brief("c-2", "organic", "abc", 1, LAWYER)]
    briefs += [brief(f"c-x{i}", "coordinated", [f"u{i}", f"v{i}", f"w{i}"], i, narratives=common) for i in range(60)]
    campaigns = group_campaigns(briefs)
    assert len(campaigns) == 62 and all(len(c.clusters) == 1 for c in campaigns)


def test_the_output_does_not_depend_on_input_order():
    briefs = [brief("c-1", "smear", "abc", 0, LAWYER), brief("c-2", "smear", "def", 30, LAWYER, score=0.9),
              brief("c-3", "coordinated", "ghi", 3)]
    one, two = group_campaigns(briefs), group_campaigns(list(reversed(briefs)))
    assert [(c.key, c.clusters, c.accounts, c.score) for c in one] == [(c.key, c.clusters, c.accounts, c.score)
                                                                        for c in two]
    assert one[0].key == "k-1" and one[0].clusters == ["c-2", "c-1"] and one[0].score == 0.9


@pytest.fixture(scope="module")
def world_scoring(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    result = score_dumps([WORLD / "posts.jsonl"], out=out)
    return out, result


def test_each_planted_smear_is_one_flagged_campaign_and_no_hard_negative_is(world_scoring):
    out, result = world_scoring
    truth = {row["id"]: row["campaign"] for row in csv.DictReader(open(WORLD / "truth_posts.csv"))}
    planted = {c["id"]: c["kind"] for c in json.loads((WORLD / "campaigns.json").read_text())}
    clusters = {c["cluster"]: c for c in map(json.loads, (out / "clusters.jsonl").read_text().splitlines())}
    campaigns = [json.loads(line) for line in (out / "campaigns.jsonl").read_text().splitlines()]
    assert sorted(k for c in campaigns for k in c["clusters"]) == sorted(clusters)  # each cluster once
    in_flagged = defaultdict(set)
    for campaign in campaigns:
        assert campaign["flagged"] == (campaign["label"] == "smear")
        assert campaign["posts"] == sum(len(clusters[k]["posts"]) for k in campaign["clusters"])
        if campaign["flagged"]:
            members = Counter(truth.get(p) for k in campaign["clusters"] for p in clusters[k]["posts"])
            for name in members:
                in_flagged[name].add(campaign["campaign"])
    smears = [name for name, kind in planted.items() if kind == "smear"]
    assert all(1 <= len(in_flagged[name]) <= 2 for name in smears), {n: len(in_flagged[n]) for n in smears}
    negatives = [name for name, kind in planted.items() if kind not in ("smear", "background")]
    assert not [name for name in negatives if in_flagged[name]]
    flagged_clusters = sum(c["flagged"] for c in clusters.values())
    assert sum(c["flagged"] for c in campaigns) < flagged_clusters / 3  # one decision per campaign, not per burst
    summary = json.loads((out / "summary.json").read_text())
    assert summary["flagged_campaigns"] == sum(c["flagged"] for c in campaigns)


def test_a_campaign_keeps_its_id_and_decisions_as_later_clusters_join(engine, tmp_path):
    """Decided on its first days, the campaign against the lawyer grows when the later attack arrives: same id,
    its decisions kept, open again for the new cluster."""
    lines = sorted((WORLD / "posts.jsonl").read_bytes().splitlines(),
                   key=lambda line: json.loads(line)["created_at"])
    cut = next(i for i, line in enumerate(lines) if json.loads(line)["created_at"] >= "2020-05-01")
    runs = []
    for name, part in (("early", lines[:cut]), ("late", lines[cut:])):
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(b"\n".join(part) + b"\n")
        runs.append(path)

    def lawyer_campaign():
        with Session(engine) as session:
            found = [c for c in session.exec(select(Campaign).where(Campaign.flagged))
                     if c.targets and c.targets[0]["name"] == "Даурен Жаксылыков"]
            assert len(found) == 1
            clusters = session.exec(select(Cluster).where(Cluster.campaign_id == found[0].id)).all()
            return found[0], clusters

    score_run(engine, ingest_paths([runs[0]], engine=engine).run)
    campaign, early = lawyer_campaign()
    with Session(engine) as session:
        create_user(session, username="rita", role="reviewer")
        user = session.exec(select(User).where(User.username == "rita")).one()
        decided = decide_campaign(session, campaign=session.get(Campaign, campaign.id), user=user, answer="smear",
                                  note=None)
    assert len(decided) == len(early) >= 2

    score_run(engine, ingest_paths([runs[1]], engine=engine).run)
    grown, later = lawyer_campaign()
    assert grown.id == campaign.id and len(later) > len(early) and grown.status == "open"
    with Session(engine) as session:
        kept = session.exec(select(Decision).where(Decision.campaign_id == campaign.id)).all()
    assert len(kept) == len(decided)
    later_ids = {c.id for c in later}
    still_there = {d.cluster_id for d in kept} & later_ids
    assert still_there and all(c.status == "reviewed" for c in later if c.id in still_there)
