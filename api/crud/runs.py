"""Ingest runs (uploads among them) and the records they could not read."""

from sqlalchemy import func
from sqlmodel import Session, select

from smearwatch.models import IngestRun, RejectedRecord


def list_runs(session: Session, *, limit: int = 20, offset: int = 0) -> tuple[list[IngestRun], int]:
    count = session.exec(select(func.count()).select_from(IngestRun)).one()
    rows = session.exec(select(IngestRun).order_by(IngestRun.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), count


def run_rejections(session: Session, *, run_id: int, limit: int = 50) -> list[RejectedRecord]:
    return list(session.exec(select(RejectedRecord).where(RejectedRecord.run_id == run_id)
                             .order_by(RejectedRecord.id).limit(limit)))
