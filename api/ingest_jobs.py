"""Turn an uploaded dump into an ingest run. The one place that starts ingestion from the API.

For now ingestion runs in a background thread of the API process; a queued Celery task replaces the body of
`start_ingest` (one call) without touching the routes.
"""

import threading
import time
from pathlib import Path

from sqlalchemy import String, cast, select
from sqlalchemy.engine import Engine

from smearwatch.models import IngestRun


class IngestStartError(RuntimeError):
    """The dump could not be opened or recognised; nothing was stored."""


def _run_for(engine: Engine, path: Path) -> int | None:
    needle = "%" + path.name + "%"  # upload names are unique (random prefix)
    with engine.connect() as connection:
        return connection.execute(
            select(IngestRun.id).where(cast(IngestRun.__table__.c.sources, String).like(needle))
            .order_by(IngestRun.id.desc()).limit(1)
        ).scalar()


def start_ingest(path: Path, *, engine: Engine, timeout: float = 30.0) -> int:
    """Start ingesting `path` and return the id of its IngestRun as soon as the run exists."""
    from worker.ingest import ingest_paths

    failure: list[BaseException] = []

    def work() -> None:
        try:
            ingest_paths([path], engine=engine)
        except BaseException as error:  # recorded on the run by ingest itself when the run exists
            failure.append(error)

    thread = threading.Thread(target=work, name=f"ingest-{path.name}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_id = _run_for(engine, path)
        if run_id is not None:
            return run_id
        if failure:
            raise IngestStartError(str(failure[0]).splitlines()[0] if str(failure[0]) else type(failure[0]).__name__)
        if not thread.is_alive() and not failure:
            run_id = _run_for(engine, path)
            if run_id is not None:
                return run_id
            raise IngestStartError("ingestion ended without a run")
        time.sleep(0.05)
    raise IngestStartError("ingestion did not start in time")
