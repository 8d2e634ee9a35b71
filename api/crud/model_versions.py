"""Model versions as the pages and the API list them, and the active version's threshold."""

from sqlmodel import Session, select

from smearwatch.models import ModelVersion


def list_models(session: Session) -> list[ModelVersion]:
    return list(session.exec(select(ModelVersion).order_by(ModelVersion.id.desc())))


def model_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(ModelVersion.id, ModelVersion.name)).all())


def active_threshold(session: Session) -> float:
    """The active model's cluster threshold (what `flagged` means); 0.5 when no version is active."""
    return threshold_of(session.exec(select(ModelVersion.card).where(ModelVersion.active)).first())


def threshold_of(card: dict | None) -> float:
    value = (card or {}).get("threshold")
    return float(value) if isinstance(value, int | float) else 0.5
