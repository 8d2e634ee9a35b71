"""Watched feeds, as the admin page and the API list them."""

from sqlmodel import Session, select

from smearwatch.models import Feed


def list_feeds(session: Session) -> list[Feed]:
    return list(session.exec(select(Feed).order_by(Feed.id)))
