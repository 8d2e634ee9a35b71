"""Reviewers' decisions: append-only, an undo is a row that points at the decision it withdraws."""

from sqlalchemy import func
from sqlmodel import Session, select

from smearwatch.campaign_status import refresh_campaign_status
from smearwatch.models import Cluster, Decision, User, utcnow

ANSWERS = ("smear", "coordinated", "organic", "unsure")


class ConflictError(ValueError):
    """A write that contradicts the record (undoing an undo, undoing twice)."""


class NotYoursError(PermissionError):
    """Undoing another reviewer's decision (only admins may)."""


def effective_decisions(decisions: list[Decision]) -> list[Decision]:
    undone = {d.undoes for d in decisions if d.undoes is not None}
    return [d for d in decisions if d.answer != "undo" and d.id not in undone]


def answer_of(decisions: list[Decision]) -> Decision | None:
    """The latest decision still in force among one cluster's decisions (oldest first)."""
    effective = effective_decisions(decisions)
    return effective[-1] if effective else None


def decision_history(session: Session, *, cluster_id: int) -> list[tuple[Decision, str]]:
    rows = session.exec(
        select(Decision, User.username).join(User, User.id == Decision.user_id)
        .where(Decision.cluster_id == cluster_id).order_by(Decision.id)
    ).all()
    return [(decision, username) for decision, username in rows]


def _refresh_status(session: Session, cluster: Cluster) -> None:
    decisions = list(session.exec(select(Decision).where(Decision.cluster_id == cluster.id)))
    cluster.status = "reviewed" if effective_decisions(decisions) else "open"
    cluster.updated_at = utcnow()
    session.add(cluster)
    session.flush()
    refresh_campaign_status(session, cluster.campaign_id)


def add_decision(session: Session, *, cluster: Cluster, user: User, answer: str, note: str | None) -> Decision:
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(ANSWERS)}")
    decision = Decision(cluster_id=cluster.id, user_id=user.id, answer=answer, note=note or None)
    session.add(decision)
    session.flush()
    _refresh_status(session, cluster)
    session.commit()
    session.refresh(decision)
    return decision


def may_undo(decision: Decision, user: User) -> bool:
    """One's own decisions; an admin's, anyone's."""
    return decision.user_id == user.id or user.role == "admin"


def undo_decision(session: Session, *, decision: Decision, user: User) -> Decision:
    if not may_undo(decision, user):
        raise NotYoursError(f"decision {decision.id} is another reviewer's; only admins undo those")
    if decision.answer == "undo":
        raise ConflictError(f"decision {decision.id} is an undo; decide again instead")
    if session.exec(select(Decision.id).where(Decision.undoes == decision.id)).first() is not None:
        raise ConflictError(f"decision {decision.id} is already undone")
    undo = Decision(cluster_id=decision.cluster_id, user_id=user.id, answer="undo", undoes=decision.id,
                    campaign_id=decision.campaign_id)
    session.add(undo)
    session.flush()
    cluster = session.get(Cluster, decision.cluster_id)
    _refresh_status(session, cluster)
    session.commit()
    session.refresh(undo)
    return undo


def undo_with_its_campaign(session: Session, *, decision: Decision, user: User) -> Decision:
    """Undo a decision; one taken on a whole campaign is withdrawn on every cluster it was applied to (the rows of
    one campaign decision share its campaign_id, user and created_at). Returns the undo of `decision` itself."""
    if decision.campaign_id is None:
        return undo_decision(session, decision=decision, user=user)
    undone = select(Decision.undoes).where(Decision.undoes.is_not(None))
    together = session.exec(select(Decision).where(
        Decision.campaign_id == decision.campaign_id, Decision.user_id == decision.user_id,
        Decision.created_at == decision.created_at, Decision.answer != "undo", Decision.id != decision.id,
        Decision.id.not_in(undone))).all()
    first = undo_decision(session, decision=decision, user=user)
    for other in together:
        undo_decision(session, decision=other, user=user)
    return first


def last_effective_decision(session: Session, *, user: User) -> Decision | None:
    """The user's most recent decision that is still in force (what backspace withdraws)."""
    undone = select(Decision.undoes).where(Decision.undoes.is_not(None)).scalar_subquery()
    return session.exec(
        select(Decision).where(Decision.user_id == user.id, Decision.answer != "undo",
                               Decision.id.not_in(undone)).order_by(Decision.id.desc()).limit(1)
    ).first()


def list_decisions(session: Session, *, user_id: int | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[tuple[Decision, str]], int]:
    conditions = [Decision.user_id == user_id] if user_id is not None else []
    count = session.exec(select(func.count()).select_from(Decision).where(*conditions)).one()
    rows = session.exec(
        select(Decision, User.username).join(User, User.id == Decision.user_id).where(*conditions)
        .order_by(Decision.id.desc()).offset(offset).limit(limit)
    ).all()
    return [(d, u) for d, u in rows], count
