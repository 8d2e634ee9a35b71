"""`smearwatch demo` (what `make demo` runs) works on a fresh SQLite store with no service, twice."""

import json

from devsupport.commands import call_cli, run_cli


def test_demo_sets_up_ingests_scores_and_prints_credentials(tmp_path):
    env = {"SMEARWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "SMEARWATCH_BROKER_URL": ""}
    first = run_cli("demo", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "review app: http://127.0.0.1:8000/" in first.stdout and "user 'demo'" in first.stdout
    assert "Traceback" not in first.stderr
    status = json.loads(call_cli("status", "--json", env=env).stdout)
    assert status["posts"] > 1000 and status["flagged"] > 0

    again = run_cli("demo", "--no-serve", env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert ", stored 0," in again.stdout  # everything is a duplicate the second time
    assert json.loads(call_cli("status", "--json", env=env).stdout)["posts"] == status["posts"]
