"""One campaign as the API answers it and its page shows it: what happened in words, its clusters as evidence,
its accounts and its narratives (groups of posts with one text, or reposts of one original)."""

from collections import defaultdict

from sqlmodel import Session

from api.crud import campaigns as crud
from api.crud.clusters import campaign_cluster_rows
from api.crud.decisions import effective_decisions
from api.render.rows import decision_out
from classifiers.text import normalize_text
from smearwatch.models import Campaign

NARRATIVE_MIN_CHARS = 40  # as classifiers.campaigns: shorter texts are no narrative
NARRATIVES_SHOWN = 10
VERDICTS = {
    "smear": "a coordinated smear: flagged for review",
    "coordinated": "coordinated, but no shared target is attacked: kept apart, not flagged",
    "organic": "no more co-action than chance would give: organic",
}


def when(moment) -> str:
    return moment.strftime("%d %b %Y %H:%M UTC") if moment is not None else "an unknown time"


def summary_sentence(campaign: Campaign) -> str:
    """What happened, in one or two sentences a researcher can quote."""
    clusters = "1 cluster" if campaign.n_clusters == 1 else f"{campaign.n_clusters} clusters"
    span = f"between {when(campaign.start)} and {when(campaign.end)}"
    head = f"{campaign.n_accounts} accounts posted {campaign.n_posts} posts in {clusters} {span}"
    names = [t.get("name") for t in (campaign.targets or []) if t.get("name")]
    if campaign.label == "smear" and names:
        others = f" (also named: {', '.join(names[1:4])})" if len(names) > 1 else ""
        head += f", attacking {names[0]}{others}"
    elif names:
        head += f", naming {', '.join(names[:3])}"
    return f"{head}. Verdict: {VERDICTS.get(campaign.label, campaign.label)}; best cluster score {campaign.score:.2f}."


def narratives(posts: list) -> list[dict]:
    """Groups of at least two posts with one normalized text or one original, largest first.

    `posts` are in time order, with .text, .repost_of, .platform, .author_id and .created_at (Post objects or
    crud.campaign_posts rows). Each distinct text is normalized once: near-duplicates often repeat one text.
    """
    groups: dict[str, list] = defaultdict(list)
    normalized: dict[str, str] = {}
    for post in posts:
        text = post.text or ""
        norm = normalized.get(text)
        if norm is None:
            norm = normalized[text] = normalize_text(text)
        if len(norm) >= NARRATIVE_MIN_CHARS:
            groups["t:" + norm].append(post)
        elif post.repost_of:
            groups["o:" + post.repost_of].append(post)
    found = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        text = members[0].text or f"(reposts of post {members[0].repost_of})"
        found.append({"text": text, "posts": len(members),
                      "accounts": len({(p.platform, p.author_id) for p in members}),
                      "first": members[0].created_at, "last": members[-1].created_at, "key": key})
    found.sort(key=lambda g: (-g["posts"], g["first"], g["key"]))
    return [{k: v for k, v in g.items() if k != "key"} for g in found[:NARRATIVES_SHOWN]]


def campaign_item(campaign: Campaign, answer: str | None) -> dict:
    data = campaign.model_dump(include={"id", "key", "label", "score", "flagged", "n_clusters", "n_accounts",
                                        "n_posts", "targets", "start", "end", "status",
                                        "assigned_to"})
    data["answer"] = answer
    return data


def build_campaign(session: Session, *, campaign: Campaign) -> dict:
    """The whole campaign as the API answers it: the page's part and its accounts and narratives."""
    return {**campaign_overview(session, campaign=campaign), **campaign_evidence(session, campaign=campaign)}


def campaign_overview(session: Session, *, campaign: Campaign) -> dict:
    """What the campaign page computes on every request: the summary, its clusters with their answers, decisions."""
    clusters = campaign_cluster_rows(session, campaign_id=campaign.id)
    # One query for the campaign's decisions (not one per cluster); the history shows those on its current clusters.
    decisions = crud.campaign_decisions(session, campaign_id=campaign.id)
    effective = effective_decisions([d for d, _ in decisions])
    shown = {row.id for row in clusters}
    history = [(d, u) for d, u in decisions if d.cluster_id in shown]
    return {
        **campaign_item(campaign, effective[-1].answer if effective else None),
        "summary": summary_sentence(campaign),
        "clusters": [row._asdict() for row in clusters],
        "decisions": [decision_out(d, u) for d, u in _one_per_decision(history)],
    }


def campaign_evidence(session: Session, *, campaign: Campaign) -> dict:
    """Its accounts and narratives: read from all its posts (2,000 for 40 clusters), so the page keeps them
    rendered (api/campaign_views.py); they change only when a regrouping rewrites the campaign."""
    return {"accounts": crud.campaign_accounts(session, campaign_id=campaign.id),
            "narratives": narratives(crud.campaign_posts(session, campaign_id=campaign.id))}


def _one_per_decision(history: list) -> list:
    """A campaign decision is one row per cluster: show it once (its first row)."""
    seen, out = set(), []
    for decision, username in history:
        mark = (decision.user_id, decision.created_at.replace(microsecond=0), decision.answer)
        if mark not in seen:
            seen.add(mark)
            out.append((decision, username))
    return out
