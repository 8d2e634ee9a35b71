"""Search of posts (text, author, platform, dates) and accounts (id or name)."""

from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from smearwatch.models import Account, Post


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_posts(session: Session, *, q: str | None = None, author: str | None = None, platform: str | None = None,
                 since: datetime | None = None, until: datetime | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[Post], int]:
    conditions = []
    if q:
        conditions.append(Post.text.ilike(_like(q), escape="\\"))
    if author:
        conditions.append(or_(Post.author_id == author, Post.author_name.ilike(_like(author), escape="\\")))
    if platform:
        conditions.append(Post.platform == platform)
    if since:
        conditions.append(Post.created_at >= since)
    if until:
        conditions.append(Post.created_at <= until)
    where = and_(*conditions) if conditions else True
    count = session.exec(select(func.count()).select_from(Post).where(where)).one()
    rows = session.exec(select(Post).where(where).order_by(Post.created_at.desc(), Post.id.desc())
                        .offset(offset).limit(limit)).all()
    return list(rows), count


def search_accounts(session: Session, *, q: str | None = None, platform: str | None = None, limit: int = 50,
                    offset: int = 0) -> tuple[list[Account], int]:
    conditions = []
    if q:
        conditions.append(or_(Account.account_id == q, Account.name.ilike(_like(q), escape="\\")))
    if platform:
        conditions.append(Account.platform == platform)
    where = and_(*conditions) if conditions else True
    count = session.exec(select(func.count()).select_from(Account).where(where)).one()
    rows = session.exec(select(Account).where(where).order_by(Account.id).offset(offset).limit(limit)).all()
    return list(rows), count
