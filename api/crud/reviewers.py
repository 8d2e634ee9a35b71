"""Several reviewers: campaigns assigned to one of them, comments on a campaign, a blind second opinion, and how
much reviewers agree (Cohen's kappa over the campaigns two of them decided)."""

from collections import Counter
from itertools import combinations

from sqlalchemy import Integer, bindparam, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api.crud.reads import read
from smearwatch.models import Campaign, CampaignComment, Decision, User

AGREEMENT_ANSWERS = ("smear", "coordinated", "organic")  # "unsure" is no opinion


def active_user(session: Session, *, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username, User.active)).first()


def active_reviewers(session: Session) -> list:
    """Rows of id, username and role: every campaign page lists them (whole User objects cost 5x as much)."""
    return list(read(session, _ACTIVE_USERS))


_ACTIVE_USERS = select(User.id, User.username, User.role).where(User.active).order_by(User.username)  # built once


def assign_campaign(session: Session, *, campaign: Campaign, assignee: User | None) -> Campaign:
    campaign.assigned_to = assignee.id if assignee is not None else None
    session.add(campaign)
    session.commit()
    session.refresh(campaign)
    return campaign


def add_comment(session: Session, *, campaign: Campaign, user: User, text: str) -> CampaignComment:
    text = text.strip()
    if not text:
        raise ValueError("a comment needs some text")
    comment = CampaignComment(campaign_id=campaign.id, user_id=user.id, text=text)
    session.add(comment)
    session.commit()
    session.refresh(comment)
    return comment


def comments(session: Session, *, campaign_id: int) -> list[tuple]:
    """(comment row, username), oldest first: rows with the comment's columns, not ORM objects."""
    return [(row, row.username) for row in read(session, _COMMENTS, campaign_id=campaign_id)]


# Built once: the campaign page runs it on every request.
_COMMENTS = (select(*CampaignComment.__table__.c, User.username).join(User, User.id == CampaignComment.user_id)
             .where(CampaignComment.campaign_id == bindparam("campaign_id", type_=Integer)).order_by(CampaignComment.id))


def decided_by_user(user_id: int):
    """Condition on Campaign: `user_id` has a campaign decision on it still in force."""
    undo = aliased(Decision)
    return exists().where(Decision.campaign_id == Campaign.id, Decision.user_id == user_id,
                          Decision.answer != "undo", ~exists().where(undo.undoes == Decision.id))


def decided_by_others(user_id: int):
    undo = aliased(Decision)
    return exists().where(Decision.campaign_id == Campaign.id, Decision.user_id != user_id,
                          Decision.answer != "undo", ~exists().where(undo.undoes == Decision.id))


def opinions(session: Session) -> dict[int, dict[int, str]]:
    """Per campaign, each reviewer's latest campaign decision still in force: {campaign_id: {user_id: answer}}."""
    undone = set(session.exec(select(Decision.undoes).where(Decision.undoes.is_not(None))))
    rows = session.exec(select(Decision.campaign_id, Decision.user_id, Decision.answer, Decision.id)
                        .where(Decision.campaign_id.is_not(None), Decision.answer != "undo")
                        .order_by(Decision.id)).all()
    found: dict[int, dict[int, str]] = {}
    for campaign_id, user_id, answer, decision_id in rows:
        if decision_id not in undone:
            found.setdefault(campaign_id, {})[user_id] = answer
    return found


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of paired answers: (observed - chance agreement) / (1 - chance); None without pairs."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[k] * second[k] for k in set(first) | set(second)) / (n * n)
    return 1.0 if chance == 1.0 else round((observed - chance) / (1.0 - chance), 4)


def agreement(session: Session) -> dict:
    """Agreement over campaigns decided by two or more reviewers (every pair of them, "unsure" left out)."""
    pairs: list[tuple[str, str]] = []
    campaigns = 0
    for answers in opinions(session).values():
        labelled = sorted((user, answer) for user, answer in answers.items() if answer in AGREEMENT_ANSWERS)
        if len(labelled) < 2:
            continue
        campaigns += 1
        pairs += [(a, b) for (_, a), (_, b) in combinations(labelled, 2)]
    observed = round(sum(a == b for a, b in pairs) / len(pairs), 4) if pairs else None
    return {"campaigns": campaigns, "pairs": len(pairs), "observed": observed, "kappa": cohen_kappa(pairs)}
