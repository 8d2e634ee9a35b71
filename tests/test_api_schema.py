"""schemathesis against the OpenAPI spec with a valid token: no request makes the API answer 5xx."""

import pytest
import schemathesis
from api_world import build_world
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from sqlmodel import Session

from api.main import create_app
from smearwatch.db import make_engine
from smearwatch.users import create_user


@pytest.fixture(scope="module")
def api(tmp_path_factory, migrated_sqlite):
    folder = tmp_path_factory.mktemp("schema")
    url = migrated_sqlite(folder / "smearwatch.db")
    engine = make_engine(url)
    build_world(engine, clusters=4, background=40)
    with Session(engine) as session:
        admin = create_user(session, username="adam", role="admin")
    app = create_app(engine, upload_dir=folder / "uploads")
    app.state.settings = app.state.settings.model_copy(update={"upload_max_bytes": 4096})
    yield app, admin.token
    engine.dispose()


def test_no_server_errors(api):
    """Every operation, a few generated requests each (bounded: well under a minute in total)."""
    app, token = api
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        run()
