"""The learning loop as jobs and through the API, on SQLite and PostgreSQL (jobs in-process: no broker).

Retrain from decisions (admin), follow the job, see the new version with its metrics and the comparison, activate
it (a background rescoring job), see the scores change, roll back and see them return; the models page, the
uncertainty order, the pending-decisions line, and the Job rows' life cycle (failure, second delivery,
superseded rescoring, progress callbacks).
"""

import itertools
import re
import time

import learning_world
import pytest
from api_client import Client, bearer
from learning_world import WORLD, scores
from sqlalchemy import select
from sqlmodel import Session

from api.main import create_app
from smearwatch import jobs, registry
from smearwatch.models import Job, ModelVersion
from smearwatch.users import create_user
from worker import retraining, service

versions, decided = learning_world.versions, learning_world.decided  # fixtures

SAMPLES = WORLD.parents[1]


def wait_job(client, headers, job_id, timeout=180) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        seen.append(job["progress"])
        if job["status"] in ("done", "failed"):
            assert seen == sorted(seen), "progress went backwards"
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        time.sleep(0.2)


def test_retrain_activate_and_roll_back_through_the_api(decided, versions, tmp_path):
    engine = decided
    with Session(engine) as session:
        admin = create_user(session, username="adam", role="admin")
        reviewer = create_user(session, username="rita", role="reviewer")
    app = create_app(engine, upload_dir=tmp_path / "uploads")
    first = registry.active_version(engine)
    before = scores(engine)
    with Client(app) as client:
        as_admin, as_reviewer = bearer(admin), bearer(reviewer)
        assert client.post("/api/v1/models/retrain", headers=as_reviewer).status_code == 403
        assert client.post("/api/v1/models/rollback", headers=as_admin).status_code == 409  # nothing before

        # the queue: pending decisions, and the uncertainty order (nearest the active threshold first)
        client.login("rita", reviewer.password)
        page = client.get("/")
        assert re.search(r"next retraining adds <strong>(\d+)</strong>", page.text).group(1) != "0"
        threshold = first["card"]["threshold"]
        ordered = client.get("/api/v1/clusters", headers=as_reviewer,
                             params={"sort": "uncertainty", "limit": 500}).json()["data"]
        distances = [abs(c["score"] - threshold) for c in ordered]
        assert len(ordered) > 10 and distances == sorted(distances)
        uncertain = client.get("/", params={"order": "uncertainty"})
        assert uncertain.status_code == 200 and "nearest the model" in uncertain.text
        client.post("/logout", data={"csrf_token": client.csrf()})

        # retrain (kept inactive) as a job
        started = client.post("/api/v1/models/retrain", headers=as_admin, json={"auto_activate": False})
        assert started.status_code == 202, started.text
        job = wait_job(client, as_admin, started.json()["job"]["id"])
        assert job["status"] == "done", job["message"]
        assert job["kind"] == "retrain" and job["created_by"] == "adam" and job["progress"] == 1.0
        result = job["result"]
        assert not result["activated"] and result["labels"]["decisions"] > 0
        assert (versions / result["name"] / "model-card.json").is_file()
        new_id = result["version_id"]
        models = {m["id"]: m for m in client.get("/api/v1/models", headers=as_reviewer).json()}
        evaluation = models[new_id]["metrics"]["evaluation"]
        assert {"precision", "recall", "f1", "average_precision", "n"} <= set(evaluation) and evaluation["n"] > 0
        compared = models[new_id]["metrics"]["compared_to"]
        assert compared["id"] == first["id"] and compared["evaluation"]["n"] == evaluation["n"]
        assert scores(engine) == before  # nothing activated, nothing rescored

        # activate: the version is active at once, the rescoring is a job
        activated = client.post(f"/api/v1/models/{new_id}/activate", headers=as_admin,
                                json={"reason": "better recall on our targets"})
        assert activated.status_code == 200, activated.text
        body = activated.json()
        assert body["id"] == new_id and body["active"] and body["job"]["kind"] == "rescore"
        job = wait_job(client, as_admin, body["job"]["id"])
        assert job["status"] == "done" and job["result"]["version_id"] == new_id, job
        after = scores(engine)
        assert sum(abs(after[k] - before[k]) > 1e-6 for k in before) > 0

        listed = client.get("/api/v1/jobs", headers=as_reviewer).json()
        assert listed["count"] == 2 and [j["kind"] for j in listed["data"]] == ["rescore", "retrain"]
        assert client.get("/api/v1/jobs", headers=as_reviewer, params={"kind": "retrain"}).json()["count"] == 1
        assert client.get("/api/v1/jobs/999999", headers=as_reviewer).status_code == 404

        # the models page: metrics, comparison, history, admin forms, job progress
        client.login("adam", admin.password)
        text = client.get("/models").text
        assert result["name"] in text and "compared to" in text and "better recall on our targets" in text
        assert 'id="retrain-form"' in text and 'id="rollback-form"' in text and 'hx-get="/partials/jobs"' in text
        assert "<progress" in client.get("/partials/jobs").text

        # roll back from the page (CSRF form), the rescoring job restores the previous scores
        assert client.post("/models/rollback", data={"reason": "test"}, follow_redirects=False).status_code == 403
        moved = client.post("/models/rollback", data={"csrf_token": client.csrf(), "reason": "back to default"},
                            follow_redirects=False)
        assert moved.status_code == 303
        rescore = client.get("/api/v1/jobs", headers=as_admin, params={"limit": 1}).json()["data"][0]
        assert rescore["kind"] == "rescore" and rescore["params"]["version_id"] == first["id"]
        assert wait_job(client, as_admin, rescore["id"])["status"] == "done"
        assert registry.active_version(engine)["id"] == first["id"]
        assert scores(engine) == pytest.approx(before)
        history = registry.activation_history(engine)
        assert [(a["actor"], a["reason"]) for a in history[-2:]] == [
            ("adam", "better recall on our targets"), ("adam", "back to default")]


def test_job_life_cycle(engine, versions, tmp_path):
    """Failures are recorded on the row, a finished job delivered again does nothing, a later rescoring makes an
    earlier one moot, the CLI's wait=True reports progress, and labelled files join the decisions."""
    with pytest.raises(service.ServiceError, match="cannot open"):
        service.start_retrain(engine, plus_paths=[tmp_path / "missing.csv"])

    # nothing decided yet: the job fails with the reason in one line
    failed = service.start_retrain(engine, wait=True)
    job = jobs.get_job(engine, failed)
    assert job["status"] == "failed" and "both smear and not-smear" in job["message"] and job["finished_at"]
    assert retraining.run_retrain(engine, failed)["status"] == "failed"  # a second delivery changes nothing

    # labelled files alone train a version (auto-activated: no decisions, no active version to beat)
    small = tmp_path / "labelled.jsonl"
    with open(SAMPLES / "labelled" / "train.jsonl") as src:
        small.write_text("".join(itertools.islice(src, 0, 3691, 4)))
    progress: list[float] = []
    job_id = service.start_retrain(engine, plus_paths=[small], created_by="cli", wait=True,
                                         on_progress=lambda p, message: progress.append(p))
    job = jobs.get_job(engine, job_id)
    assert job["status"] == "done", job["message"]
    assert job["result"]["labels"]["files"] > 100 and job["result"]["metrics"]["n"] > 0
    assert job["result"]["activated"] and job["result"]["rescored"]["posts"] == 0
    assert progress == sorted(progress) and progress[-1] >= 0.99 and len(progress) >= 4
    assert registry.active_version(engine)["id"] == job["result"]["version_id"]

    # two rescorings queued: the first, not yet started, is superseded by the second
    version = job["result"]["version_id"]
    one = jobs.create_job(engine, kind="rescore", params={"version_id": version}, created_by="t")
    two = jobs.create_job(engine, kind="rescore", params={"version_id": version}, created_by="t")
    assert retraining.run_rescore(engine, one)["result"] == {"superseded_by": two}
    done = retraining.run_rescore(engine, two)
    assert done["status"] == "done" and done["result"]["version_id"] == version
    with engine.connect() as connection:
        assert connection.execute(select(Job.status).where(Job.id.in_([one, two]))).scalars().all() == ["done"] * 2
        assert connection.execute(select(ModelVersion.id)).scalars().all()

    with pytest.raises(service.ServiceError):
        service.start_activation(engine, 999999, created_by="t", reason="x")
