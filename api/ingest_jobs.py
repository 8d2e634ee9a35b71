"""Turn an uploaded dump into an ingest run. The one place that starts ingestion from the API.

The dump is planned into slices like `smearwatch ingest --queue`: with a broker the Celery workers store and then
score them; without one (the embedded default) a background thread of the API does the same, so the run id is
known at once and its progress is visible while it goes.
"""

import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from worker.sources import SourceError


class IngestStartError(RuntimeError):
    """The dump could not be opened or recognised; nothing was stored."""


def start_ingest(path: Path, *, engine: Engine) -> int:
    """Start ingesting `path` and return the id of its IngestRun."""
    from worker.dispatch import broker_enabled, enqueue_many
    from worker.slices import create_queued_run

    try:
        run_id, slice_ids = create_queued_run(engine, [path])
    except SourceError as error:
        raise IngestStartError(str(error)) from None
    if broker_enabled():
        enqueue_many("ingest_slice", [(slice_id,) for slice_id in slice_ids])
    else:
        threading.Thread(target=_store_and_score, args=(engine, slice_ids), name=f"ingest-run-{run_id}",
                         daemon=True).start()
    return run_id


def _store_and_score(engine: Engine, slice_ids: list[int]) -> None:
    from worker.scoring import score_run
    from worker.slices import ingest_slice

    for slice_id in slice_ids:
        result = ingest_slice(engine, slice_id)
        if result.run_finished:
            score_run(engine, result.run)
