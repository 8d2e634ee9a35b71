"""The scheduler: claim due feeds and dispatch their polls; now and then, re-enqueue work whose message was lost.

Exactly one per deployment is the plan, but two are harmless: claims are atomic in the database.
"""

import logging
import threading
import time
from datetime import timedelta

from sqlalchemy.engine import Engine

from smearwatch.models import utcnow
from smearwatch.settings import get_settings
from worker.feeds import claim_due_feeds
from worker.recovery import unscored_runs
from worker.service import submit_many
from worker.slices import requeue_stale_slices

log = logging.getLogger(__name__)


def tick(engine: Engine) -> list[int]:
    """Claim the due feeds and enqueue one poll each; returns their ids."""
    claimed = claim_due_feeds(engine)
    if claimed:
        submit_many(engine, "poll_feed", [(feed_id,) for feed_id in claimed])
        log.info("dispatched polls of feeds %s", claimed)
    return claimed


def sweep(engine: Engine) -> dict:
    """Re-enqueue slices unfinished for longer than any task can take, and score finished runs never scored."""
    settings = get_settings()
    requeued = requeue_stale_slices(engine)
    cutoff = utcnow() - timedelta(seconds=settings.broker_visibility_timeout + settings.task_time_limit)
    runs = unscored_runs(engine, finished_before=cutoff, limit=100)
    if runs:
        log.warning("scoring runs %s again: their scoring never finished", runs)
        submit_many(engine, "score_run", [(run_id,) for run_id in runs])
    return {"slices": requeued, "runs": len(runs)}


def run_beat(engine: Engine, *, interval: float = 1.0, sweep_every: float = 60.0, once: bool = False,
             stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    next_sweep = time.monotonic()
    while not stop.is_set():
        started = time.monotonic()
        try:
            tick(engine)
            if started >= next_sweep:
                sweep(engine)
                next_sweep = started + sweep_every
        except Exception:  # database or broker away for a moment: try again next tick
            if once:
                raise
            log.exception("beat tick failed; retrying in %.1f s", interval)
        if once:
            return
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
