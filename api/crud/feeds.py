"""Watched feeds, as the admin page and the API list them."""

from sqlmodel import Session, select

from smearwatch.models import Feed


def feed_rows(session: Session) -> list[Feed]:
    """The Feed rows as stored (worker.feeds.list_feeds gives the CLI's summaries)."""
    return list(session.exec(select(Feed).order_by(Feed.id)))
