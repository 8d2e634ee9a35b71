"""A background thread of the review app that renders kept page sections ahead of the reviewer: the evidence of
flagged clusters first (api/cluster_views.py), then the narratives and accounts of flagged campaigns
(api/campaign_views.py), best first; then it waits and looks again."""

import logging
import threading

from jinja2 import Environment
from sqlalchemy.engine import Engine

from api import campaign_views, cluster_views

log = logging.getLogger(__name__)


class ViewPreparer:
    def __init__(self, engine: Engine, env: Environment, *, interval: float = 5.0):
        self.engine, self.env, self.interval = engine, env, interval
        self.failed: set[int] = set()  # clusters whose rendering failed: their pages show the error instead
        self.failed_campaigns: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="view-preparer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def prepare_next(self) -> bool:
        """Render one section that needs it (a cluster's before a campaign's); False when none does."""
        try:
            if cluster_views.prepare_one(self.engine, self.env, skip=frozenset(self.failed)) is not None:
                return True
            return campaign_views.prepare_one(self.engine, self.env,
                                              skip=frozenset(self.failed_campaigns)) is not None
        except cluster_views.RenderError as error:  # one cluster must not hold up the others
            self.failed.add(error.cluster_id)
            log.warning("cluster %s: evidence not rendered (%s)", error.cluster_id, type(error.__cause__).__name__)
        except campaign_views.CampaignRenderError as error:
            self.failed_campaigns.add(error.campaign_id)
            log.warning("campaign %s: narratives and accounts not rendered (%s)", error.campaign_id,
                        type(error.__cause__).__name__)
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.prepare_next()
            except Exception as error:  # the database may be restarting; try again later
                log.warning("preparing page sections: %s", type(error).__name__)
            # between sections, a short pause leaves the interpreter to requests
            self._stop.wait(0.005 if busy else self.interval)
