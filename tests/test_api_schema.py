"""schemathesis against the OpenAPI spec with a valid token, on SQLite and PostgreSQL: no request, alone or in a
sequence that follows the links between operations (stateful), makes the API answer 5xx.

Each test prints what it ran (`pytest -s`): operations, generated cases or scenarios and steps, answers by status.
"""

import uuid
from collections import Counter

import psycopg
import pytest
import schemathesis
from api_world import build_world
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Flaky, Unsatisfiable
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.generation import GenerationMode
from sqlmodel import Session

from api.main import create_app
from smearwatch.db import make_engine
from smearwatch.users import create_user

CHECKS = [not_a_server_error, response_schema_conformance]
SCENARIOS = 120  # stateful scenarios per database, up to 10 steps each


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api(request, tmp_path_factory, store_templates):
    folder = tmp_path_factory.mktemp("schema")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'smearwatch.db'}"
    else:
        server = request.getfixturevalue("pg_server")  # found or started
        name = f"smearwatch_test_{uuid.uuid4().hex[:12]}"
        url = server.rsplit("/", 1)[0] + "/" + name
    store_templates.copy(url)
    engine = make_engine(url)
    build_world(engine, clusters=4, background=40)
    with Session(engine) as session:
        admin = create_user(session, username="adam", role="admin")
    app = create_app(engine, upload_dir=folder / "uploads")
    app.state.settings = app.state.settings.model_copy(update={"upload_max_bytes": 4096})
    yield app, {"Authorization": f"Bearer {admin.token}"}
    engine.dispose()
    if request.param == "postgresql":
        with psycopg.connect(server, autocommit=True) as admin_connection:
            admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _schema(app):
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    return schema


def test_no_server_errors(api):
    """Every operation, a few generated requests each: valid ones, and invalid ones (negative mode: wrong types,
    values out of range, missing parameters or token). Bounded: well under a minute per database."""
    app, headers = api
    schema = _schema(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    statuses: Counter = Counter()
    negative = 0
    for operation in operations:
        for mode, examples in [(GenerationMode.POSITIVE, 12), (GenerationMode.NEGATIVE, 8)]:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=dict(headers))
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except Unsatisfiable:  # nothing to get wrong: no parameters, no body
                assert mode is GenerationMode.NEGATIVE
            else:
                negative += mode is GenerationMode.NEGATIVE
    print(f"\nschemathesis, one operation at a time: {len(operations)} operations ({negative} with invalid "
          f"requests too), {statuses.total()} cases, answers {dict(sorted(statuses.items()))}")
    assert not [code for code in statuses if code >= 500]
    assert statuses[422] and statuses[200]


def test_no_server_errors_in_sequences(api):
    """Stateful: scenarios that chain operations through the links of the spec (a cluster listed, then decided,
    then the decision undone; an upload, then its run; a retrain, then its job) and those schemathesis infers.
    Valid requests only, so that chains go deep; invalid ones are test_no_server_errors' negative half."""
    app, headers = api
    schema = _schema(app)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    statuses: Counter = Counter()
    scenarios = Counter()

    class Sequences(schema.as_state_machine()):
        def setup(self):
            scenarios["run"] += 1

        def get_call_kwargs(self, case):
            return {"headers": dict(headers)}

        def after_call(self, response, case):
            statuses[response.status_code] += 1
            scenarios[f"{case.operation.method.upper()} {case.operation.path} {response.status_code}"] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    # The store changes with every step, so a choice Hypothesis replays can meet another store and end the run as
    # "flaky" (schemathesis' own runner starts again then): go on until SCENARIOS ran. No shrinking, for the same
    # reason; every answer is counted in after_call, so no 5xx goes unseen.
    # Chains that must be followed: whether a scenario reaches them depends on the store it meets (a job may still
    # be running), so scenarios go on, 20 at a time and with new choices, until each was followed (at most 8 rounds).
    followed = ["POST /api/v1/clusters/{cluster_id}/decisions 201", "POST /api/v1/decisions/undo-last 201",
                "GET /api/v1/jobs/{job_id} 200"]
    for round_ in range(8):
        try:
            Sequences.run(settings=settings(
                max_examples=max(SCENARIOS - scenarios["run"], 20), stateful_step_count=10, deadline=None,
                derandomize=round_ == 0, database=None, suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate]))
        except Flaky:
            pass
        if scenarios["run"] >= SCENARIOS and all(scenarios[chain] for chain in followed):
            break
    transitions = schema.statistic.transitions.total
    operations = {key.rsplit(" ", 1)[0] for key in scenarios if key != "run"}
    print(f"\nschemathesis, stateful: {transitions} links, {len(operations)} operations reached, "
          f"{scenarios['run']} scenarios, {statuses.total()} steps, answers {dict(sorted(statuses.items()))}")
    assert not [code for code in statuses if code >= 500]
    assert transitions >= 20, transitions  # the spec's links and the inferred ones
    for chain in followed:
        assert scenarios[chain], chain
    # a listed cluster read through one of its links (which one Hypothesis picks varies with the spec's operations)
    assert any(scenarios[f"GET /api/v1/clusters/{{cluster_id}}{tail} 200"]
               for tail in ("", "/decisions", "/export", "/network.gexf", "/network.graphml"))
