"""The learning loop end to end with real services: a Celery worker process on a private Redis, PostgreSQL, the
app served by `smearwatch serve`, and Debian's chromium (pytest-playwright; never `playwright install`).

Review every cluster in the UI by keyboard (uncertainty order), retrain from the decisions with the button, see
the new version with its metrics on the models page, activate it, see the posts' scores change through the API;
roll back and see them return.
"""

import csv
import signal
import time

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlmodel import Session

from devsupport.services import REPO, RedisServer, ServerProcess, WorkerProcess, wait_for
from smearwatch import migrate, registry
from smearwatch.db import make_engine
from smearwatch.models import ClusterMember, Decision, Post
from smearwatch.users import create_user
from worker.ingest import ingest_paths
from worker.score_store import score_and_cluster

pytestmark = pytest.mark.integration

WORLD = REPO / "samples" / "world"
ARTIFACTS = REPO / "tests" / "artifacts"


def truth_answers(engine) -> dict[int, str]:
    """The answer a reviewer who knows the ground truth gives each cluster: the majority kind of its posts."""
    with open(WORLD / "truth_posts.csv", newline="") as f:
        kinds = {(row["platform"], row["id"]): row["kind"] for row in csv.DictReader(f)}
    members: dict[int, list[str]] = {}
    with engine.connect() as connection:
        for cluster_id, platform, post_id in connection.execute(
                select(ClusterMember.cluster_id, Post.platform, Post.post_id).join(
                    Post, Post.id == ClusterMember.post_id)):
            members.setdefault(cluster_id, []).append(kinds.get((platform, post_id), "background"))
    return {cid: "smear" if sum(k == "smear" for k in ks) * 2 > len(ks) else "organic"
            for cid, ks in members.items()}


class App:
    def __init__(self, base: str, token: str):
        self.base, self.headers = base, {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params) -> dict:
        response = httpx.get(self.base + path, headers=self.headers, params=params, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def scores(self) -> dict[int, float]:
        """Every stored post's score, read through the API."""
        out, offset = {}, 0
        while True:
            page = self.get("/api/v1/posts", limit=500, offset=offset)
            out.update({p["id"]: p["score"] for p in page["data"]})
            offset += 500
            if offset >= page["count"]:
                return out


@pytest.fixture
def stack(tmp_path, pg_url):
    migrate.upgrade(pg_url)
    engine = make_engine(pg_url)
    ingest_paths([WORLD / "posts.jsonl"], engine=engine)
    score_and_cluster(engine)  # the packaged default becomes the first active version
    with Session(engine) as session:
        admin = create_user(session, username="adam", role="admin")
    redis_server = RedisServer(tmp_path / "redis").start()
    env = {"SMEARWATCH_DATABASE_URL": pg_url, "SMEARWATCH_BROKER_URL": redis_server.url,
           "SMEARWATCH_VERSIONS_DIR": str(tmp_path / "models"), "PYTHONPATH": str(REPO)}
    worker = WorkerProcess(env, tmp_path / "worker.log", queues="score", name="learning").start()
    server = ServerProcess(env, tmp_path / "serve.log", cwd=tmp_path, unset=("SMEARWATCH_MODEL_DIR",))
    try:
        server.start(timeout=30)
        base = server.base
        yield {"base": base, "engine": engine, "admin": admin, "api": App(base, admin.token), "tmp": tmp_path}
    finally:
        server.stop()
        worker.stop()
        redis_server.stop(signal.SIGKILL)
        engine.dispose()


def login(page, stack) -> None:
    page.goto(stack["base"] + "/login")
    page.locator("input[name=username]").type("adam")
    page.locator("input[name=password]").type(stack["admin"].password)
    page.keyboard.press("Enter")
    page.wait_for_url(stack["base"] + "/")


def decisions(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Decision)).scalar_one()


def wait_for_job(page, kind: str, count: int) -> None:
    """The jobs table (refreshed by htmx every second) shows `count` finished jobs of `kind`, the newest done."""

    rows = page.locator(f"#jobs tr.job[data-kind={kind}]")
    expect(rows).to_have_count(count, timeout=30_000)
    expect(rows.first).to_have_attribute("data-status", "done", timeout=180_000)


def test_review_retrain_activate_roll_back_and_judge_again_in_the_browser(watched, stack):

    page, _ = watched
    engine, api = stack["engine"], stack["api"]
    answers = truth_answers(engine)
    first = registry.active_version(engine)
    before = api.scores()
    assert len(before) > 2000

    # review every cluster by keyboard, nearest the threshold first; decided clusters leave the open queue
    login(page, stack)
    expect(page.locator("#pending")).to_contain_text("adds 0 decisions")
    pressed = 0
    while True:
        page.goto(stack["base"] + "/queue/clusters?order=uncertainty")
        rows = page.locator("tr.cluster-row")
        ids = [int(i) for i in rows.evaluate_all("rows => rows.map(r => r.dataset.id)")]
        if not ids:
            break
        expect(page.locator("tr.cluster-row.selected")).to_have_attribute("data-id", str(ids[0]))
        for cluster_id in ids:
            page.keyboard.press("a" if answers[cluster_id] == "smear" else "x")
        pressed += len(ids)
        wait_for(lambda n=pressed: decisions(engine) == n, 60, what=f"{pressed} decisions stored")
    assert pressed == len(answers) and {"smear", "organic"} <= set(answers.values())
    with engine.connect() as connection:
        stored = dict(connection.execute(select(Decision.cluster_id, Decision.answer)).all())
    assert stored == answers
    page.goto(stack["base"] + "/")
    expect(page.locator("#pending")).to_contain_text(f"adds {len(answers)} decisions")

    # retrain with the button (kept inactive, so that an admin chooses), in the Celery worker
    page.goto(stack["base"] + "/models")
    page.locator("#auto-activate").uncheck()
    page.locator("#retrain").click()
    page.wait_for_url("**/models*")
    wait_for_job(page, "retrain", 1)
    retrain = api.get("/api/v1/jobs", kind="retrain")["data"][0]
    assert retrain["result"]["activated"] is False and retrain["created_by"] == "adam"
    new_id = retrain["result"]["version_id"]
    assert new_id != first["id"]
    page.reload()
    row = page.locator(f"tr.model-row[data-id='{new_id}']")
    expect(row.locator(".model-metrics")).to_contain_text("average precision")
    expect(row.locator(".model-compare")).to_contain_text(first["name"])
    # the gate and the preview, before any activation: what the version would flag and unflag in the store
    version = next(m for m in api.get("/api/v1/models") if m["id"] == new_id)["metrics"]
    assert version["gate"]["refused"] is None, version["gate"]["refused"]
    preview = version["preview"]
    expect(row.locator(".model-gate")).to_contain_text("passed the gate")
    expect(row.locator(".model-preview")).to_contain_text(
        f"flags {preview['flagged_after']} clusters, now {preview['flagged_now']}")
    expect(row.locator(".model-preview")).to_contain_text(
        f"would newly flag {preview['newly_flagged']}")
    expect(row.locator(".model-preview")).to_contain_text(f"unflag {preview['newly_unflagged']}")
    links = row.locator(".model-preview a")
    expect(links).to_have_count(len(preview["samples"]["newly_flagged"]) + len(preview["samples"]["newly_unflagged"]))
    if links.count():  # a sample opens the cluster it names
        links.first.click()
        page.wait_for_url("**/clusters/*")
        page.go_back()
    evaluation = api.get("/api/v1/models")
    evaluation = next(m for m in evaluation if m["id"] == new_id)["metrics"]["evaluation"]
    assert evaluation["n"] > 0 and 0.0 <= evaluation["f1"] <= 1.0
    expect(row.locator(".model-metrics")).to_contain_text(f"{evaluation['f1']:.3f}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "models.png"), full_page=True)

    # activate it: a rescoring job in the worker; the posts' scores change
    row.locator("input[name=reason]").fill("trained on our decisions")
    row.locator("button.activate").click()
    page.wait_for_url("**/models*")
    wait_for_job(page, "rescore", 1)
    expect(page.locator(f"tr.model-row[data-id='{new_id}'] .model-active")).to_have_text("active")
    after = api.scores()
    changed = [k for k in before if abs(after[k] - before[k]) > 1e-6]
    assert len(changed) > 0
    expect(page.locator("table.activations")).to_contain_text("trained on our decisions")

    # roll back: the previous version's scores return
    page.locator("#rollback").click()
    page.wait_for_url("**/models*")
    wait_for_job(page, "rescore", 2)
    assert registry.active_version(engine)["id"] == first["id"]
    restored = api.scores()
    assert restored == pytest.approx(before)
    history = registry.activation_history(engine)
    assert [(a["model_version_id"], a["actor"]) for a in history[-2:]] == [(new_id, "adam"), (first["id"], "adam")]
    page.reload()
    expect(page.locator("table.activations tr.activation").first).to_contain_text("rollback")

    # judge the rolled-back version again with today's decisions (a judge job in the worker, no retraining): it
    # passed the gate before and nothing changed, so the same verdict; activated again unless it is worse
    page.locator(f"button.judge[data-id='{new_id}']").click()
    page.wait_for_url("**/models*")
    wait_for_job(page, "judge", 1)
    judged = api.get("/api/v1/jobs", kind="judge")["data"][0]
    assert judged["params"]["version_id"] == new_id and judged["created_by"] == "adam"
    expect(page.locator("#jobs tr.job[data-kind=judge] .job-message")).to_have_text(judged["message"])
    assert judged["result"]["refused"] is None
    assert (registry.active_version(engine)["id"] == new_id) == judged["result"]["activated"]
    time.sleep(1.5)  # one more htmx poll, to catch any console error it would raise
