"""Background jobs (retrain, rescore). Until the core query `smearwatch.jobs.list_jobs` exists."""

from sqlalchemy import func
from sqlmodel import Session, select

from smearwatch.models import Job


def list_jobs(session: Session, *, kind: str | None = None, status: str | None = None, limit: int = 20,
              offset: int = 0) -> tuple[list[Job], int]:
    conditions = []
    if kind:
        conditions.append(Job.kind == kind)
    if status:
        conditions.append(Job.status == status)
    count = session.exec(select(func.count()).select_from(Job).where(*conditions)).one()
    rows = session.exec(select(Job).where(*conditions).order_by(Job.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), count
