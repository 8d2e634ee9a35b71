"""Ingest runs (uploads among them); one run in words is smearwatch/run_report.py."""

from sqlalchemy import func
from sqlmodel import Session, select

from smearwatch.models import IngestRun


def list_runs(session: Session, *, limit: int = 20, offset: int = 0) -> tuple[list[IngestRun], int]:
    count = session.exec(select(func.count()).select_from(IngestRun)).one()
    rows = session.exec(select(IngestRun).order_by(IngestRun.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), count

