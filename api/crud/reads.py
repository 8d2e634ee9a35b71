"""Statements the busiest pages run on every request, executed as Core statements.

They select columns, not ORM entities, so the ORM's compile state and row processing add nothing but CPU: about
0.1 ms a statement, a tenth of a queue page's own work (bench/api.py, issue 12)."""

from sqlalchemy import CursorResult, Executable
from sqlmodel import Session


def read(session: Session, statement: Executable, **params) -> CursorResult:
    return session.connection().execute(statement, params)
