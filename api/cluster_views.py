"""The evidence section of a cluster page, rendered once and kept in `clusterview`.

Rendering it (posts, accounts, timeline against background volume, network layout, near-duplicate diffs) is
most of a cluster page's cost, and it only changes when detection rewrites the cluster. A kept section is used
while it was rendered from the cluster row as it still is (`cluster_updated_at`) by this code (`version`);
otherwise the page renders it again and keeps it. `ViewPreparer` renders those of flagged clusters ahead, best
first (api/view_preparer.py), so a reviewer rarely waits for one.
"""

import hashlib
from datetime import datetime
from pathlib import Path

from jinja2 import Environment
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from api.crud.cluster_views import keep_view, next_stale_flagged
from api.render.cluster_posts import posts_section
from api.render.detail import build_detail, page_extras
from smearwatch import __version__
from smearwatch.models import Cluster, ClusterView, utcnow

TEMPLATE = "_cluster_evidence.html"
INCLUDED = ("_cluster_posts.html", "_post.html")  # the templates TEMPLATE includes
HERE = Path(__file__).parent
CORE = HERE.parent / "smearwatch"  # the words the section says come from the core (smearwatch.evidence_words)


def _code_version() -> str:
    """Changes whenever the template or the code that fills it changes, so upgrades re-render."""
    digest = hashlib.sha256(__version__.encode())
    for path in (*sorted((HERE / "templates").glob("_cluster_*.html")),
                 *(HERE / "templates" / name for name in (TEMPLATE, *INCLUDED)), *sorted((HERE / "render").glob("*.py")),
                 *sorted((HERE / "crud").glob("*.py")), CORE / "evidence_words.py", CORE / "post_links.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


VERSION = _code_version()


def is_fresh(view: ClusterView | None, cluster: Cluster) -> bool:
    return view is not None and view.version == VERSION and view.cluster_updated_at == cluster.updated_at


def render(session: Session, env: Environment, *, cluster: Cluster) -> str:
    detail = build_detail(session, cluster=cluster)
    return env.get_template(TEMPLATE).render(c=detail, x=page_extras(detail),
                                             posts=posts_section(session, cluster=cluster, page=1))


def keep(session: Session, *, cluster: Cluster, html: str) -> datetime:
    """Keep the cluster's rendered section as made by this code; returns when it was rendered."""
    return keep_view(session, cluster=cluster, version=VERSION, html=html)


def evidence_section(session: Session, env: Environment, *, cluster: Cluster,
                     view: ClusterView | None) -> tuple[str, datetime]:
    """The section's HTML and when it was rendered: the kept one if still fresh, else a new one (kept)."""
    if is_fresh(view, cluster):
        return view.html, view.built_at
    html = render(session, env, cluster=cluster)
    try:
        return html, keep(session, cluster=cluster, html=html)
    except OperationalError:  # a busy SQLite store: serve the page now, keep the section another time
        session.rollback()
        return html, utcnow()


class RenderError(Exception):
    def __init__(self, cluster_id: int):
        super().__init__(f"cluster {cluster_id}")
        self.cluster_id = cluster_id


def prepare_one(engine: Engine, env: Environment, *, skip: frozenset[int] = frozenset()) -> int | None:
    """Render and keep the view of the best flagged cluster that needs one: its id, or None when none does."""
    with Session(engine) as session:
        cluster = next_stale_flagged(session, version=VERSION, skip=skip)
        if cluster is None:
            return None
        try:
            html = render(session, env, cluster=cluster)
        except Exception as error:
            raise RenderError(cluster.id) from error
        keep(session, cluster=cluster, html=html)
        return cluster.id
