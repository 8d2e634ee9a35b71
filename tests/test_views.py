"""Kept evidence sections of cluster pages: rendered once, used while the cluster is unchanged, rendered again
after detection or a decision changes it, prepared ahead by the app's background thread."""

import time

import api_client
from api_client import Client, bearer
from sqlmodel import Session, select

from api import cluster_views as views
from api.main import create_app
from api.view_preparer import ViewPreparer
from smearwatch.models import Cluster, ClusterView, utcnow
from smearwatch.settings import Settings

client, world = api_client.client, api_client.world  # fixtures


def kept(engine, cluster_id: int) -> ClusterView | None:
    with Session(engine) as session:
        return session.get(ClusterView, cluster_id)


def test_page_keeps_its_evidence_and_renders_again_when_the_cluster_changes(client, world, engine):
    cid = world["clusters"][0]
    assert kept(engine, cid) is None
    assert client.login("rita", world["reviewer"].password).status_code == 303
    first = client.get(f"/clusters/{cid}")
    assert first.status_code == 200 and 'id="network"' in first.text and "<svg" in first.text
    view = kept(engine, cid)
    assert view is not None and view.version == views.VERSION and 'id="timeline"' in view.html

    again = client.get(f"/clusters/{cid}")
    assert kept(engine, cid).built_at == view.built_at  # the kept section was used
    assert again.text.count('id="network"') == 1

    # detection rewrites the cluster (a new score and signals): the page shows the new evidence at once
    with Session(engine) as session:
        cluster = session.get(Cluster, cid)
        cluster.signals = {"co_link": {"pairs": 777, "median_seconds": 60}}
        cluster.updated_at = utcnow()
        session.add(cluster)
        session.commit()
    changed = client.get(f"/clusters/{cid}")
    assert "777 pairs of accounts shared the same links" in changed.text
    assert kept(engine, cid).built_at > view.built_at

    # a decision changes the cluster row too; the page reflects it and stays whole
    headers = bearer(world["reviewer"])
    assert client.post(f"/api/v1/clusters/{cid}/decisions", headers=headers, json={"answer": "smear"}).status_code == 201
    decided = client.get(f"/clusters/{cid}")
    assert "badge-smear" in decided.text and "777 pairs" in decided.text


def test_a_section_from_other_code_is_not_used(client, world, engine):
    cid = world["clusters"][1]
    client.login("rita", world["reviewer"].password)
    client.get(f"/clusters/{cid}")
    with Session(engine) as session:
        view = session.get(ClusterView, cid)
        view.version, view.html = "older-app", "<p>rendered by an older app</p>"
        session.add(view)
        session.commit()
    page = client.get(f"/clusters/{cid}")
    assert "older app" not in page.text and 'id="network"' in page.text
    assert kept(engine, cid).version == views.VERSION


def test_prepare_one_renders_flagged_clusters_best_first_then_stops(world, engine):
    app = create_app(engine)
    env = app.state.templates.env
    with Session(engine) as session:
        flagged = list(session.exec(select(Cluster.id).where(Cluster.flagged).order_by(Cluster.score.desc())))
        unflagged = list(session.exec(select(Cluster.id).where(Cluster.flagged == False)))  # noqa: E712
    assert flagged and unflagged
    assert views.prepare_one(engine, env) == flagged[0]  # the best one first
    assert kept(engine, flagged[0]) is not None and kept(engine, flagged[1]) is None
    while views.prepare_one(engine, env):
        pass
    assert all(kept(engine, cid) is not None for cid in flagged)
    assert all(kept(engine, cid) is None for cid in unflagged)  # not in the queue: rendered when opened


def test_the_app_prepares_pages_in_the_background(world, engine):
    app = create_app(engine, settings=Settings(prepare_pages=True))
    with Session(engine) as session:
        flagged = list(session.exec(select(Cluster.id).where(Cluster.flagged)))
    assert flagged
    with Client(app):
        deadline = time.monotonic() + 60
        while not all(kept(engine, cid) for cid in flagged) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert all(kept(engine, cid) is not None for cid in flagged)


def test_a_cluster_that_fails_to_render_does_not_hold_up_the_others(world, engine, monkeypatch):
    app = create_app(engine)
    with Session(engine) as session:
        flagged = list(session.exec(select(Cluster.id).where(Cluster.flagged).order_by(Cluster.score.desc())))
    assert len(flagged) > 1  # one that fails and others that must not wait for it
    real_render = views.render

    def render(session, env, *, cluster):
        if cluster.id == flagged[0]:
            raise ValueError("broken evidence")
        return real_render(session, env, cluster=cluster)

    monkeypatch.setattr(views, "render", render)
    preparer = ViewPreparer(engine, app.state.templates.env, interval=0.1)
    preparer.start()
    try:
        deadline = time.monotonic() + 60
        while not all(kept(engine, cid) for cid in flagged[1:]) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        preparer.stop()
    assert preparer.failed == {flagged[0]} and kept(engine, flagged[0]) is None
    assert all(kept(engine, cid) is not None for cid in flagged[1:])
