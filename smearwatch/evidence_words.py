"""A cluster's evidence in words a researcher can quote: the verdict against the threshold, the strongest reasons
with their weight, what its members shared, and the descriptive features under human names.

Pure functions on plain values (a cluster's stored `signals`, its label and scores), so the review page, the JSON
API, the HTML reports and the batch `report.html` say the same thing in the same words.

Weight of a reason: the share of the cluster's posts it covers beyond chance. For a coordination signal that is
(posts that co-acted - posts expected to co-act as closely by chance) x popularity weight / posts in the cluster
(classifiers.coordination); for the smear judgement it is its score, the share of posts attacking the target
(classifiers.smear). Both are shares of the same posts, so they rank against each other.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

SIGNAL_NAMES = {
    "co_repost": "Co-reposting", "near_duplicate": "Near-duplicate text", "co_link": "Shared links",
    "co_hashtag": "Shared hashtags", "co_reply": "Co-replying", "burst": "Burst of attacks",
    "account_creation": "Account creation", "targets": "Targets", "smear": "Attacks on a target",
}
SIGNAL_ORDER = ("co_repost", "co_reply", "near_duplicate", "co_link", "co_hashtag", "burst")
# Signals whose members act on one post: its original is the evidence, shown first.
ORIGINAL_SIGNALS = ("co_repost", "co_reply")
NOT_SIGNALS = ("features", "judgement")  # stored next to the signals, said elsewhere
TOP_REASONS = 3

LABEL_WORDS = {"smear": "coordinated smear", "coordinated": "coordinated, not a smear", "organic": "organic"}

# Descriptive features (classifiers.detect.CLUSTER_FEATURES): (human name, how to show the stored value).
# log_* values are log1p of a quantity; they are shown as the quantity.
FEATURES = {
    "log_posts": ("Posts", "log_count"),
    "log_accounts": ("Accounts", "log_count"),
    "posts_per_account": ("Posts per account", "number"),
    "top_account_share": ("Posts by the most active account", "share"),
    "log_span_hours": ("Time from first to last post", "log_hours"),
    "peak_hour_share": ("Posts in the busiest hour", "share"),
    "log_median_gap_min": ("Median time between consecutive posts", "log_minutes"),
    "log_creation_iqr_days": ("Spread of account creation dates (middle half)", "log_days"),
    "creation_batch_share": ("Accounts created within 2 days of another", "share"),
    "creation_missing_share": ("Accounts with no known creation date", "share"),
    "log_median_age_days": ("Median account age when posting", "log_days"),
    "new_account_share": ("Posts by accounts under 90 days old", "share"),
    "median_log_followers": ("Median followers", "log_count"),
    "max_log_followers": ("Most followers", "log_count"),
    "low_follower_share": ("Accounts with under 100 followers", "share"),
    "mean_edge_similarity": ("Mean text similarity of tied posts", "number"),
    "distinct_text_share": ("Distinct texts", "share"),
    "mean_post_score": ("Mean attack probability of its posts", "number"),
    "high_post_score_share": ("Posts the scorer calls attacks", "share"),
    "repost_share": ("Reposts", "share"),
    "reply_share": ("Replies", "share"),
    "url_share": ("Posts with a link", "share"),
    "hashtag_share": ("Posts with a hashtag", "share"),
    "office_hours_share": ("Posts in office hours (local time, Mon-Fri 9-18)", "share"),
    "weekend_share": ("Posts at the weekend", "share"),
    "n_platforms": ("Platforms", "count"),
    "outlet_share": ("Posts by news outlets", "share"),
    "log_edges_per_account": ("Evidence ties per account", "log_number"),
    **{f"signal_{s}_share": (f"Ties that are {SIGNAL_NAMES[s].lower()}", "share") for s in SIGNAL_ORDER},
}


# --- numbers, durations and times -----------------------------------------------------------------------------


def duration(seconds: float) -> str:
    """4 minutes, 42 seconds, 3.5 hours, 2.0 days."""
    seconds = float(seconds)
    if seconds < 120:
        n = round(seconds)
        return f"{n} second{'s' if n != 1 else ''}"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} hours"
    if seconds < 2 * 365 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365.25 * 86400):.1f} years"


def expected_words(value: float) -> str:
    """A chance expectation as a reader says it: 0.2, 1.7, 12, under 0.01."""
    value = float(value)
    if value >= 10:
        return f"{value:.0f}"
    if value >= 0.095:
        return f"{value:.1f}"
    if value >= 0.01:
        return f"{value:.2f}"
    return "under 0.01"


def share(value: float) -> str:
    return f"{float(value):.0%}"


def utc_time(value) -> str:
    """A datetime or ISO 8601 text as '2020-04-28 14:05 UTC' (naive times are UTC); '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _known(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def feature_value(kind: str, value: float) -> str:
    value = float(value)
    if kind == "share":
        return share(value)
    if kind == "count":
        return f"{value:.0f}"
    if kind == "log_count":
        return f"{math.expm1(value):,.0f}"
    if kind == "log_number":
        return f"{math.expm1(value):.2f}"
    if kind == "log_minutes":
        return duration(math.expm1(value) * 60)
    if kind == "log_hours":
        return duration(math.expm1(value) * 3600)
    if kind == "log_days":
        return duration(math.expm1(value) * 86400)
    return f"{value:.2f}"


def feature_rows(features: dict | None) -> list[dict]:
    """The descriptive features as {"key", "name", "value"} rows with human names; unknown values left out."""
    rows = []
    for key, value in (features or {}).items():
        if not _known(value):
            continue
        name, kind = FEATURES.get(key, (key.replace("_", " ").capitalize(), "number"))
        rows.append({"key": key, "name": name, "value": feature_value(kind, value)})
    return rows


# --- what the members shared ----------------------------------------------------------------------------------


def shared_post(*, signal: str, uses: int, author: str | None, text: str, created_at, platform: str,
                post_id: str, url: str | None = None, stored: bool = True) -> dict:
    """The original that `uses` of a cluster's posts repost (co_repost) or answer (co_reply); `stored` False
    when only its id is known (it is not in the input or the store)."""
    return {"signal": signal, "uses": int(uses), "author": author or "", "text": text or "",
            "created_at": utc_time(created_at), "platform": platform, "post_id": post_id, "url": url or "",
            "stored": stored}


def handle(author: str) -> str:
    return author if not author or author.startswith("@") or " " in author else f"@{author}"


def shared_intro(post: dict, posts: int) -> str:
    verb = "reposted" if post["signal"] == "co_repost" else "replied to"
    who = f" by {handle(post['author'])}" if post.get("author") else ""
    return f"{post['uses']} of its {posts} posts {verb} this post{who}:"


def one_per_original(originals: list[dict], posts: int) -> list[dict]:
    """Each original once with its intro: a post both reposted and answered is shown once, saying both."""
    out: list[dict] = []
    for post in originals:
        same = next((o for o in out if (o["platform"], o["post_id"]) == (post["platform"], post["post_id"])), None)
        if same is None:
            out.append({**post, "intro": shared_intro(post, posts)})
            continue
        who = f" by {handle(post['author'])}" if post.get("author") else ""
        same["intro"] = (f"{same['uses']} of its {posts} posts reposted and {post['uses']} replied to this "
                         f"post{who}:")
    return out


# --- reasons ----------------------------------------------------------------------------------------------


def _object(signal: str, v: dict, shared: dict | None, detail: str | None) -> str:
    """What the accounts acted on, as a phrase: 'the same post by @x', 'the same link (example.kz/a)'."""
    if signal in ORIGINAL_SIGNALS:
        if shared and shared.get("uses", 0) * 2 >= int(v.get("null_posts", 0) or 0):
            return "the same post" + (f" by {handle(shared['author'])}" if shared.get("author") else "")
        return "the same posts"
    if signal == "co_link":
        return f"the same link ({detail})" if detail else "the same links"
    if signal == "co_hashtag":
        return f"the same rare hashtag #{detail}" if detail else "the same rare hashtags"
    return ""


ACTS = {"co_repost": "reposted", "co_reply": "replied to", "co_link": "shared", "co_hashtag": "used",
        "near_duplicate": "posted nearly the same text", "burst": "posted attacks naming"}


def chance_sentence(signal: str, v: dict, *, shared: dict | None = None, detail: str | None = None,
                    target: str | None = None) -> str:
    """Observed co-actions next to what chance would give (classifiers.coordination's null model):
    '33 accounts reposted the same post by @x within a median 4 minutes of each other; by chance one would
    expect 0.2 of their 35 posts to act this closely.'"""
    accounts, posts = int(v.get("null_accounts", 0)), int(v.get("null_posts", 0))
    act = ACTS.get(signal, "acted alike on")
    if signal == "near_duplicate":
        similarity = v.get("mean_similarity")
        what = act + (f" (mean similarity {float(similarity):.2f})" if _known(similarity) else "")
    elif signal == "burst":
        what = f"{act} {target}" if target else f"{act} the same target"
    else:
        what = f"{act} {_object(signal, v, shared, detail)}"
    s = (f"{accounts} accounts {what} within a median {duration(v.get('null_median_seconds', 0))} of each "
         f"other; by chance one would expect {expected_words(v.get('null_expected', 0))} of their {posts} posts "
         f"to act this closely")
    if _known(v.get("null_weight")) and float(v["null_weight"]) < 0.5:
        s += " (what they shared was popular that day, so it weighs little)"
    return s + "."


def legacy_sentence(name: str, v: dict) -> str:
    """Signals stored before the null model (pairs, shares): said as they were recorded."""
    if name == "near_duplicate" and "pairs" in v:
        s = f"{v['pairs']} pairs of posts from different accounts carry nearly the same text"
        if _known(v.get("similarity")):
            s += f" (similarity {float(v['similarity']):.2f})"
        if _known(v.get("median_seconds")):
            s += f", posted a median {duration(v['median_seconds'])} apart"
        return s + "."
    if name in ("co_repost", "co_link", "co_hashtag", "co_reply") and "pairs" in v:
        what = {"co_repost": "reposted the same posts", "co_link": "shared the same links",
                "co_hashtag": "used the same rare hashtags", "co_reply": "replied to the same posts"}[name]
        s = f"{v['pairs']} pairs of accounts {what}"
        if _known(v.get("median_seconds")):
            s += f" within a median {duration(v['median_seconds'])} of each other"
        return s + "."
    if name == "account_creation" and _known(v.get("batch_share")):
        return f"{share(v['batch_share'])} of the accounts were created in the same batch."
    if name == "burst" and ("posts" in v or "ratio" in v):
        parts = []
        if "posts" in v:
            parts.append(f"{v['posts']} posts")
        if _known(v.get("seconds")):
            parts.append(f"within {duration(v['seconds'])}")
        if _known(v.get("ratio")):
            parts.append(f"{float(v['ratio']):.1f}x the background volume")
        return "A burst: " + ", ".join(parts) + "."
    known = [(k, x) for k, x in v.items() if _known(x) and not isinstance(x, dict | list)]
    return "; ".join(f"{k.replace('_', ' ')} {x:.2f}" if isinstance(x, float) else f"{k.replace('_', ' ')} {x}"
                     for k, x in known) + "."


def signal_weight(v: dict, n_posts: int) -> float | None:
    """The share of the cluster's posts this signal ties more closely than chance (see the module doc)."""
    if "null_posts" not in v or n_posts <= 0:
        return None
    beyond = max(float(v["null_posts"]) - float(v.get("null_expected", 0.0)), 0.0)
    weight = float(v["null_weight"]) if _known(v.get("null_weight")) else 1.0
    return round(min(beyond * weight / n_posts, 1.0), 3)


def smear_reason(judgement: dict) -> dict | None:
    if not judgement or not _known(judgement.get("smear")):
        return None
    judged, attacking = int(judgement.get("posts_judged") or 0), int(judgement.get("attacking_posts") or 0)
    target = judgement.get("smear_target")
    if target and attacking:
        s = f"{attacking} of {judged} posts attack {target}"
        if judgement.get("attack_in_originals"):
            s += f", {judgement['attack_in_originals']} of them through the post they spread or answer"
    elif target:
        s = f"None of the {judged} posts judged attack {target}; they name it without attacking it"
    else:
        s = f"The {judged} posts judged attack no target they share"
    return {"key": "smear", "name": SIGNAL_NAMES["smear"], "sentence": s + ".",
            "weight": round(float(judgement["smear"]), 3)}


def reasons(signals: dict | None, *, n_posts: int, shared: dict[str, dict] | None = None,
            details: dict[str, str] | None = None) -> list[dict]:
    """Every reason, strongest first: {"key", "name", "sentence", "weight"} (weight None: not measured).

    shared: signal -> shared_post(...) of its most used original; details: signal -> its most shared object
    (the link for co_link, the hashtag for co_hashtag)."""
    signals, shared, details = signals or {}, shared or {}, details or {}
    judgement = signals.get("judgement") if isinstance(signals.get("judgement"), dict) else {}
    target = judgement.get("smear_target")
    out = []
    for name, v in signals.items():
        if name in NOT_SIGNALS:
            continue
        v = v if isinstance(v, dict) else {"value": v}
        sentence = (chance_sentence(name, v, shared=shared.get(name), detail=details.get(name), target=target)
                    if "null_posts" in v else legacy_sentence(name, v))
        out.append({"key": name, "name": SIGNAL_NAMES.get(name, name.replace("_", " ").capitalize()),
                    "sentence": sentence, "weight": signal_weight(v, n_posts)})
    smear = smear_reason(judgement)
    if smear is not None:
        out.append(smear)
    # measured reasons by weight (ties: the order above); unmeasured ones after, in their stored order
    ranked = sorted(range(len(out)), key=lambda i: (out[i]["weight"] is None, -(out[i]["weight"] or 0.0), i))
    return [out[i] for i in ranked]


# --- the verdict ------------------------------------------------------------------------------------------


def verdict_sentence(*, label: str, coordination: float, smear: float, threshold: float | None,
                     model_version: str | None, judgement: dict | None = None) -> str:
    # "the threshold 0.50", or "the threshold" alone when the model that judged it is not known
    level = f" {float(threshold):.2f}" if threshold is not None else ""
    model = f" Judged by model {model_version}." if model_version else ""
    judgement = judgement or {}
    target = judgement.get("smear_target")
    c, s = f"{float(coordination):.2f}", f"{float(smear):.2f}"
    if label == "smear":
        of_target = f" of {target}" if target else ""
        return (f"Flagged as a coordinated smear{of_target}: coordination {c} and smear {s} both reach the "
                f"threshold{level}.{model}")
    if label == "coordinated":
        why = smear_reason(judgement)
        said = f": {why['sentence'][:-1][0].lower()}{why['sentence'][:-1][1:]}" if why else ""
        return (f"Not flagged: coordinated (coordination {c} reaches the threshold{level}) but not a smear{said} "
                f"(smear {s}, below {level.strip() or 'it'}).{model}")
    return (f"Not flagged: its co-actions are no more surprising than chance would make them (coordination {c}, "
            f"below the threshold{level}; smear {s}).{model}")


def heading(label: str) -> str:
    if label == "smear":
        return "Why it was flagged"
    if label == "coordinated":
        return "Why it was not flagged: coordinated, but not a smear"
    return "Why it was not flagged"


def explain(*, label: str, coordination: float, smear: float, n_posts: int, signals: dict | None,
            threshold: float | None = None, model_version: str | None = None,
            shared: dict[str, dict] | None = None, details: dict[str, str] | None = None) -> dict:
    """Everything the evidence section says, as plain values (the JSON API's `explanation`).

    threshold: the model's verdict level (else the one recorded with the judgement); shared: signal ->
    shared_post(...) for co_repost and co_reply; details: signal -> the most shared link or hashtag."""
    signals = signals or {}
    judgement = signals.get("judgement") if isinstance(signals.get("judgement"), dict) else {}
    if threshold is None and _known(judgement.get("threshold")):
        threshold = float(judgement["threshold"])
    everything = reasons(signals, n_posts=n_posts, shared=shared, details=details)
    if label == "coordinated":  # what it lacks (an attack on a target) is said in the verdict, not as a reason
        everything = [r for r in everything if r["key"] != "smear"]
    originals = [shared[s] for s in ORIGINAL_SIGNALS if shared and s in shared and s in signals]
    return {
        "label": label, "label_words": LABEL_WORDS.get(label, label), "flagged": label == "smear",
        "heading": heading(label),
        "verdict": verdict_sentence(label=label, coordination=coordination, smear=smear, threshold=threshold,
                                    model_version=model_version, judgement=judgement),
        "coordination": round(float(coordination), 3), "smear": round(float(smear), 3),
        "threshold": threshold, "model_version": model_version,
        "reasons": everything[:TOP_REASONS], "more_reasons": everything[TOP_REASONS:],
        "shared": one_per_original(originals, n_posts),
        "features": feature_rows(signals.get("features") if isinstance(signals.get("features"), dict) else None),
    }
