"""Signals in words a researcher can quote ("33 accounts reposted the same post within 4 minutes")."""

SIGNAL_NAMES = {
    "co_repost": "Co-reposting", "near_duplicate": "Near-duplicate text", "co_link": "Shared links",
    "co_hashtag": "Shared hashtags", "co_reply": "Co-replying", "burst": "Burst of activity",
    "account_creation": "Account creation", "targets": "Targets", "judgement": "Verdict",
}


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _duration(seconds) -> str:
    seconds = float(seconds)
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


ACTIONS = {"co_repost": "reposted the same posts", "co_link": "shared the same links",
           "co_hashtag": "used the same rare hashtags", "co_reply": "replied to the same posts",
           "near_duplicate": "posted nearly the same text", "burst": "named the same target in attacking posts"}


def _chance_sentence(name: str, v: dict) -> str:
    """Observed co-actions next to what the null model expects by chance (classifiers.coordination)."""
    s = (f"{v['null_accounts']} accounts {ACTIONS.get(name, 'acted alike')}, a median "
         f"{_duration(v['null_median_seconds'])} apart: {v['null_posts']} posts acted together; by chance one would "
         f"expect {float(v['null_expected']):.1f} of them to act as closely")
    if float(v.get("null_weight", 1.0)) < 0.5:
        s += " (what they shared was popular that day, so it weighs little)"
    return s + "."


def judgement_sentence(v: dict) -> str:
    target = f" {v['smear_target']}" if v.get("smear_target") else " a shared target"
    return (f"Coordination {float(v['coordination']):.2f}, smear {float(v['smear']):.2f} "
            f"({v['attacking_posts']} of {v['posts_judged']} posts judged attack{target}"
            + (f", {v['attack_in_originals']} of them through the post they spread" if v.get("attack_in_originals") else "")
            + f"); a cluster is a smear when both reach {float(v['threshold']):.2f}.")


def _sentence(name: str, values: dict) -> str:
    v = values
    if "null_posts" in v:
        return _chance_sentence(name, v)
    if name == "judgement" and "coordination" in v:
        return judgement_sentence(v)
    if name == "near_duplicate" and "pairs" in v:
        s = f"{v['pairs']} pairs of posts from different accounts carry nearly the same text"
        if "similarity" in v:
            s += f" (similarity {_fmt(v['similarity'])})"
        if "median_seconds" in v:
            s += f", posted a median {_duration(v['median_seconds'])} apart"
        return s + "."
    if name in ("co_repost", "co_link", "co_hashtag", "co_reply") and "pairs" in v:
        what = {"co_repost": "reposted the same posts", "co_link": "shared the same links",
                "co_hashtag": "used the same rare hashtags", "co_reply": "replied to the same posts"}[name]
        s = f"{v['pairs']} pairs of accounts {what}"
        if "median_seconds" in v:
            s += f" within a median {_duration(v['median_seconds'])} of each other"
        return s + "."
    if name == "account_creation" and "batch_share" in v:
        return f"{float(v['batch_share']):.0%} of the accounts were created in the same batch."
    if name == "burst" and ("posts" in v or "ratio" in v):
        parts = []
        if "posts" in v:
            parts.append(f"{v['posts']} posts")
        if "seconds" in v:
            parts.append(f"within {_duration(v['seconds'])}")
        if "ratio" in v:
            parts.append(f"{_fmt(v['ratio'])}× the background volume")
        return "A burst: " + ", ".join(parts) + "."
    return "; ".join(f"{k.replace('_', ' ')} {_fmt(x)}" for k, x in v.items()) + "."


def describe_signals(signals: dict | None) -> list[dict]:
    """Each signal with its name, its values and a sentence a reader understands."""
    result = []
    for name, values in (signals or {}).items():
        if not isinstance(values, dict):
            values = {"value": values}
        result.append({"key": name, "name": SIGNAL_NAMES.get(name, name.replace("_", " ").capitalize()),
                       "values": values, "sentence": _sentence(name, values)})
    return result

