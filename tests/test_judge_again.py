"""Judging a kept version again (issue 15): the gate runs again on the decisions as they are now, as a job started
from the models page, the API or `smearwatch models judge`; the version is activated when it passes."""

import re

import learning_world
from api_client import Client, bearer
from sqlalchemy import select, update
from sqlmodel import Session

from api.main import create_app
from devsupport.commands import call_cli
from devsupport.services import wait_for
from smearwatch import registry
from smearwatch.jobs import get_job, list_jobs
from smearwatch.models import Cluster, Decision
from smearwatch.users import create_user
from worker.learning import train_version

versions, decided = learning_world.versions, learning_world.decided  # fixtures


def latest_job(engine) -> int:
    with engine.connect() as connection:
        return list_jobs(connection, limit=1)[0][0]["id"]


def finished(engine, job_id: int) -> dict:
    return wait_for(lambda: (job := get_job(engine, job_id))["status"] in ("done", "failed") and job, 300,
                    what=f"job {job_id} finished")


def test_a_version_refused_for_a_jump_in_flags_passes_once_reviewers_confirmed_the_smears(decided, versions,
                                                                                          database_url, tmp_path):
    """Nothing flagged and no smear confirmed: a version that flags the smears is refused as a jump. Once reviewers
    confirm the smears, judging it again (no retraining) lifts that refusal, from the page or the API."""
    with decided.begin() as connection:
        smears = connection.execute(select(Decision.cluster_id, Decision.user_id, Decision.created_at)
                                    .where(Decision.answer == "smear")).all()
        connection.execute(update(Cluster.__table__).values(flagged=False, label="organic"))
        connection.execute(Decision.__table__.delete().where(Decision.answer == "smear"))
    first = registry.active_version(decided)
    outcome = train_version(decided, versions_dir=versions)
    assert outcome.gate["refused"].startswith("refused: would flag") and not outcome.activated
    assert len(smears) * 2 + 5 >= outcome.preview["flagged_after"]  # confirmed smears would lift the bound

    env = {"SMEARWATCH_DATABASE_URL": database_url, "SMEARWATCH_VERSIONS_DIR": str(versions),
           "SMEARWATCH_BROKER_URL": ""}
    active = call_cli("models", "judge", str(first["id"]), env=env)
    assert active.returncode == 2 and active.stderr.strip() == (
        f"smearwatch: error: version {first['name']} is the active version: nothing to judge")
    assert call_cli("models", "judge", "999", env=env).returncode == 2

    with Session(decided) as session:
        admin = create_user(session, username="adam", role="admin")
        reviewer = create_user(session, username="rita", role="reviewer")
    with Client(create_app(decided, upload_dir=tmp_path / "uploads")) as client:
        client.login("adam", admin.password)
        page = client.get("/models").text
        rows = {int(m.group(1)): m.group(0) for m in re.finditer(r'<tr class="model-row[^"]*" data-id="(\d+)".*?</tr>',
                                                                  page, re.S)}
        assert 'class="judge-form"' in rows[outcome.version_id] and "judge-form" not in rows[first["id"]]
        # judged again before anything changed: the same refusal, recorded on a judge job
        judged = client.post(f"/models/{outcome.version_id}/judge", data={"csrf_token": client.csrf()},
                             follow_redirects=False)
        assert judged.status_code == 303 and judged.headers["location"] == "/models#jobs"
        job = finished(decided, latest_job(decided))
        assert job["kind"] == "judge" and job["status"] == "done"
        assert job["message"] == f"version {outcome.name}: kept inactive, {outcome.gate['refused']}"
        assert job["params"] == {"version_id": outcome.version_id, "version": outcome.name, "auto_activate": True}
        assert f"judge {outcome.name}" in client.get("/partials/jobs").text

        with decided.begin() as connection:  # reviewers confirm the smears again
            connection.execute(Decision.__table__.insert(), [
                {"cluster_id": c, "user_id": u, "answer": "smear", "created_at": t} for c, u, t in smears])
        assert client.post(f"/api/v1/models/{first['id']}/judge", headers=bearer(admin), json={}).status_code == 409
        assert client.post(f"/api/v1/models/{outcome.version_id}/judge", headers=bearer(reviewer),
                           json={}).status_code == 403
        answer = client.post(f"/api/v1/models/{outcome.version_id}/judge", headers=bearer(admin), json={})
        assert answer.status_code == 202 and answer.json()["job"]["kind"] == "judge"
        job = finished(decided, answer.json()["job"]["id"])
        page = client.get("/models").text
        row = re.search(rf'<tr class="model-row[^"]*" data-id="{outcome.version_id}".*?</tr>', page, re.S).group(0)
        assert "gate-refused" not in row and ("activate-form" in row) != job["result"]["activated"]

    stored = registry.get_version(decided, outcome.version_id)
    gate = stored["metrics"]["gate"]
    assert job["status"] == "done" and gate["bound"]["decided_smears"] == len(smears)
    assert not (registry.refusal_of(stored) or "").startswith("refused: would flag")
    reason = job["result"]["reason"]
    assert job["message"] == f"version {outcome.name}: {reason}"
    assert (registry.active_version(decided)["id"] == outcome.version_id) == job["result"]["activated"]
    if job["result"]["activated"]:  # the store was rescored with it in the same job
        assert job["result"]["rescored"]["posts"] > 0

