"""Evidence in words (smearwatch.evidence_words): sentences a researcher can quote, from stored signals."""

from datetime import UTC, datetime

from smearwatch.evidence_words import (
    chance_sentence,
    duration,
    expected_words,
    explain,
    feature_rows,
    reasons,
    shared_post,
    utc_time,
)
from smearwatch.post_links import post_link

CO_REPOST = {"edges": 40, "median_seconds": 240.0, "mean_similarity": 0.0, "null_posts": 35, "null_accounts": 33,
             "null_expected": 0.2, "null_median_seconds": 240.0, "null_weight": 1.0}
BURST = {"edges": 11, "median_seconds": 273.0, "mean_similarity": 0.09, "null_posts": 15, "null_accounts": 15,
         "null_expected": 1.926, "null_median_seconds": 273.0, "null_weight": 1.0}
LINK = {"edges": 83, "median_seconds": 77.0, "mean_similarity": 0.0, "null_posts": 84, "null_accounts": 84,
        "null_expected": 19.8, "null_median_seconds": 77.0, "null_weight": 0.3}
JUDGED = {"coordination": 0.94, "smear": 0.81, "smear_target": "Мирас Кенжегалиев", "attacking_posts": 30,
          "attack_in_originals": 29, "posts_judged": 37, "threshold": 0.5}
ORIGINAL = shared_post(signal="co_repost", uses=33, author="darkhan_tv", text="Бюро защищает иностранцев",
                       created_at=datetime(2020, 4, 28, 8, 5, tzinfo=UTC), platform="twitter", post_id="125",
                       url="https://twitter.com/i/web/status/125")


def test_numbers_and_times_read_as_words():
    assert duration(42) == "42 seconds" and duration(1) == "1 second" and duration(240) == "4 minutes"
    assert duration(1728) == "29 minutes" and duration(4 * 3600) == "4.0 hours" and duration(3 * 86400) == "3 days"
    assert duration(2030 * 86400) == "5.6 years"
    assert [expected_words(x) for x in (0.2, 1.652, 19.8, 0.03, 0.001)] == ["0.2", "1.7", "20", "0.03", "under 0.01"]
    assert utc_time("2020-04-28T14:05:09+06:00") == "2020-04-28 08:05 UTC"
    assert utc_time(datetime(2020, 4, 28, 8, 5)) == "2020-04-28 08:05 UTC" and utc_time(None) == ""


def test_a_co_repost_is_said_with_its_original_and_chance():
    sentence = chance_sentence("co_repost", CO_REPOST, shared=ORIGINAL)
    assert sentence == ("33 accounts reposted the same post by @darkhan_tv within a median 4 minutes of each other; "
                        "by chance one would expect 0.2 of their 35 posts to act this closely.")
    # an original shared by few of the posts is not "the same post"
    few = {**ORIGINAL, "uses": 3}
    assert "reposted the same posts within" in chance_sentence("co_repost", CO_REPOST, shared=few)
    link = chance_sentence("co_link", LINK, detail="example.kz/a0")
    assert "84 accounts shared the same link (example.kz/a0)" in link and "expect 20 of their 84" in link
    assert "popular that day" in link
    assert "posted attacks naming Мирас" in chance_sentence("burst", BURST, target="Мирас")


def test_reasons_rank_by_weight_and_the_smear_judgement_counts():
    signals = {"co_link": LINK, "co_repost": CO_REPOST, "burst": BURST, "judgement": JUDGED,
               "features": {"log_posts": 3.6}}
    ranked = reasons(signals, n_posts=37, shared={"co_repost": ORIGINAL})
    assert [r["key"] for r in ranked] == ["co_repost", "smear", "co_link", "burst"]
    assert ranked[0]["weight"] == round((35 - 0.2) / 37, 3)
    assert ranked[1]["weight"] == 0.81 and ranked[1]["sentence"].startswith("30 of 37 posts attack Мирас")
    assert "29 of them through the post they spread" in ranked[1]["sentence"]
    assert ranked[2]["weight"] == round((84 - 19.8) * 0.3 / 37, 3)
    assert all(r["key"] not in ("features", "judgement") for r in ranked)


def test_explain_flagged_and_not_flagged():
    signals = {"co_repost": CO_REPOST, "burst": BURST, "co_link": LINK, "judgement": JUDGED,
               "features": {"log_posts": 3.6376, "log_creation_iqr_days": None, "creation_batch_share": 1.0,
                            "log_median_gap_min": 1.1287, "weird_thing": 2.0}}
    flagged = explain(label="smear", coordination=0.94, smear=0.81, n_posts=37, signals=signals,
                      model_version="20261201-abc", shared={"co_repost": ORIGINAL})
    assert flagged["heading"] == "Why it was flagged" and flagged["flagged"] and flagged["threshold"] == 0.5
    assert flagged["verdict"] == ("Flagged as a coordinated smear of Мирас Кенжегалиев: coordination 0.94 and smear "
                                  "0.81 both reach the threshold 0.50. Judged by model 20261201-abc.")
    assert len(flagged["reasons"]) == 3 and len(flagged["more_reasons"]) == 1
    assert flagged["shared"][0]["text"] == "Бюро защищает иностранцев"
    assert flagged["shared"][0]["intro"] == "33 of its 37 posts reposted this post by @darkhan_tv:"
    features = {r["key"]: r for r in flagged["features"]}
    assert "log_creation_iqr_days" not in features  # unknown values are left out, never "None"
    assert features["log_posts"] == {"key": "log_posts", "name": "Posts", "value": "37"}
    assert features["creation_batch_share"]["value"] == "100%"
    assert features["log_median_gap_min"]["value"] == "2 minutes"
    assert features["weird_thing"]["name"] == "Weird thing"
    coordinated = explain(label="coordinated", coordination=0.58, smear=0.0, n_posts=85, threshold=0.5,
                          signals={"co_link": LINK, "judgement": {**JUDGED, "smear": 0.0, "smear_target": None,
                                                                   "attacking_posts": 0, "posts_judged": 85}})
    assert "flagged" not in coordinated["heading"].replace("not flagged", "")
    assert coordinated["verdict"] == ("Not flagged: coordinated (coordination 0.58 reaches the threshold 0.50) but "
                                      "not a smear: the 85 posts judged attack no target they share (smear 0.00, "
                                      "below 0.50).")
    assert [r["key"] for r in coordinated["reasons"]] == ["co_link"]
    organic = explain(label="organic", coordination=0.2, smear=0.0, n_posts=16, signals={}, threshold=0.5)
    assert organic["heading"] == "Why it was not flagged" and "below the threshold 0.50" in organic["verdict"]
    assert organic["reasons"] == [] and organic["features"] == [] and organic["shared"] == []


def test_an_original_both_reposted_and_answered_is_shown_once():
    reply = {**ORIGINAL, "signal": "co_reply", "uses": 6}
    said = explain(label="smear", coordination=0.9, smear=0.9, n_posts=9, threshold=0.5,
                   signals={"co_repost": CO_REPOST, "co_reply": CO_REPOST}, shared={"co_repost": ORIGINAL,
                                                                                    "co_reply": reply})
    assert [s["intro"] for s in said["shared"]] == ["33 of its 9 posts reposted and 6 replied to this post by "
                                                    "@darkhan_tv:"]


def test_signals_stored_before_the_null_model_still_read():
    legacy = {"near_duplicate": {"pairs": 40, "median_seconds": 300, "similarity": 0.82},
              "account_creation": {"batch_share": 0.7}, "burst": {"posts": 12, "seconds": 1800}}
    said = [r["sentence"] for r in reasons(legacy, n_posts=12)]
    assert said[0].startswith("40 pairs of posts") and "70%" in said[1] and said[2] == "A burst: 12 posts, within 30 minutes."
    assert feature_rows({"a": float("nan")}) == []


def test_post_links():
    assert post_link("twitter", "1254836609929445768") == "https://twitter.com/i/web/status/1254836609929445768"
    assert post_link("vk", "288249542_3990") == "https://vk.com/wall288249542_3990"
    assert post_link("facebook", "x", {"URL": "https://facebook.com/p/1"}) == "https://facebook.com/p/1"
    assert post_link("telegram", "55", {"url": "javascript:alert(1)"}) is None
