"""Statements the busiest pages run on every request, executed as Core statements, and their rows made plain.

They select columns, not ORM entities, so the ORM's compile state and row processing add nothing but CPU: about
0.1 ms a statement, a tenth of a queue page's own work (bench/api.py, issue 12)."""

from collections import namedtuple
from collections.abc import Iterable
from functools import cache

from sqlalchemy import CursorResult, Executable, Row
from sqlmodel import Session


def read(session: Session, statement: Executable, **params) -> CursorResult:
    return session.connection().execute(statement, params)


def plain(rows: Iterable[Row]) -> list[tuple]:
    """The rows as named tuples (same attributes, `_fields` and `_asdict()`). A list page's template reads a dozen
    attributes of each of its 50 rows, and a Row's attribute costs nine times a named tuple's: the cluster queue
    renders its rows in 0.64 ms instead of 0.88."""
    rows = list(rows)
    if not rows:
        return []
    make = _row_type(rows[0]._fields)._make
    return [make(row) for row in rows]


@cache
def _row_type(fields: tuple[str, ...]):
    return namedtuple("ListRow", fields)
