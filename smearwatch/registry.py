"""Model versions in the store: register, list, activate (recorded with who and why), roll back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from smearwatch.models import ModelActivation, ModelVersion, utcnow

if TYPE_CHECKING:  # the type only: the review app and the CLI read versions without loading scikit-learn
    from classifiers import Model

VERSIONS = ModelVersion.__table__
ACTIVATIONS = ModelActivation.__table__


Bind = Engine | Connection


@contextmanager
def _reading(bind: Bind) -> Iterator[Connection]:
    """The caller's connection when it has one (a web request's session: taking a second connection from the
    pool while holding one deadlocks under load), else a new one."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as connection:
            yield connection


def register_version(engine: Engine, model: Model) -> int:
    """The id of a model directory's version, created on first sight (a version is its name: date + data hash)."""
    with engine.begin() as connection:
        found = connection.execute(select(VERSIONS.c.id).where(VERSIONS.c.name == model.version)).scalar()
        if found is not None:
            return found
        return connection.execute(
            VERSIONS.insert().values(
                name=model.version, path=str(Path(model.path).resolve()), card=model.card, metrics=model.card.get("metrics"),
                active=False, created_at=utcnow(),
            ).returning(VERSIONS.c.id)
        ).scalar_one()


def active_version(bind: Bind) -> dict | None:
    with _reading(bind) as connection:
        row = connection.execute(select(ModelVersion).where(ModelVersion.active)).mappings().first()
    return dict(row) if row else None


def list_versions(bind: Bind) -> list[dict]:
    with _reading(bind) as connection:
        rows = connection.execute(select(ModelVersion).order_by(ModelVersion.created_at, ModelVersion.id)).mappings()
        return [dict(row) for row in rows]


def get_version(bind: Bind, ref: str | int) -> dict | None:
    """A version by id or by name."""
    with _reading(bind) as connection:
        column = VERSIONS.c.id if str(ref).isdigit() else VERSIONS.c.name
        value = int(ref) if str(ref).isdigit() else str(ref)
        row = connection.execute(select(ModelVersion).where(column == value)).mappings().first()
    return dict(row) if row else None


def refusal_of(version: dict | None) -> str | None:
    """The activation gate's one-line reason for refusing a version (worker/gate.py), or None."""
    return (((version or {}).get("metrics") or {}).get("gate") or {}).get("refused")


def activate_version(engine: Engine, version_id: int, *, actor: str, reason: str) -> None:
    """Make one version active and record the choice (append-only history, newest last)."""
    with engine.begin() as connection:
        connection.execute(update(VERSIONS).where(VERSIONS.c.active).values(active=False))
        connection.execute(update(VERSIONS).where(VERSIONS.c.id == version_id).values(active=True))
        connection.execute(ACTIVATIONS.insert().values(
            model_version_id=version_id, actor=actor, reason=reason[:500], created_at=utcnow()))


def activation_history(bind: Bind) -> list[dict]:
    with _reading(bind) as connection:
        rows = connection.execute(select(ModelActivation).order_by(ModelActivation.id)).mappings()
        return [dict(row) for row in rows]


def previous_version(bind: Bind) -> int | None:
    """The version that was active before the current one (for rollback)."""
    history = activation_history(bind)
    current = active_version(bind)
    if current is None:
        return None
    for activation in reversed(history):
        if activation["model_version_id"] != current["id"]:
            return activation["model_version_id"]
    return None
