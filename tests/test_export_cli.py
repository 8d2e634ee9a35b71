"""`smearwatch export network`: the account network of clusters from the store, to a file or stdout."""

import io

import networkx as nx
from api_world import build_world

from devsupport.commands import call_cli, run_cli


def test_export_network(engine, database_url, tmp_path):
    world = build_world(engine, clusters=2, background=10)
    env = {"SMEARWATCH_DATABASE_URL": database_url}
    first, second = world["clusters"]
    out = tmp_path / "net.graphml"
    written = call_cli("export", "network", "--cluster", str(first), "--format", "graphml", "--out", str(out), env=env)
    assert written.returncode == 0, written.stderr
    assert "6 accounts" in written.stderr and written.stdout == ""
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() == 6 and all(data["name"].startswith("patriot_0_") for _, data in graph.nodes(data=True))
    both = run_cli("export", "network", "--cluster", str(first), "--cluster", str(second), env=env)  # GEXF, stdout
    assert both.returncode == 0, both.stderr
    graph = nx.read_gexf(io.BytesIO(both.stdout.encode()))
    assert graph.number_of_nodes() == 6 + 7 and {d["signal"] for _, _, d in graph.edges(data=True)}
    missing = call_cli("export", "network", "--cluster", "424242", env=env)
    assert missing.returncode == 1 and missing.stderr.strip() == "smearwatch: error: no cluster 424242 in the store"
    assert call_cli("export", "network", "--format", "gexf", env=env).returncode == 2  # --cluster or --campaign
    with engine.connect() as connection:
        campaign = connection.exec_driver_sql(f"SELECT campaign_id FROM cluster WHERE id = {first}").scalar_one()
    by_campaign = run_cli("export", "network", "--campaign", str(campaign), env=env)
    assert by_campaign.returncode == 0, by_campaign.stderr
    assert nx.read_gexf(io.BytesIO(by_campaign.stdout.encode())).number_of_nodes() == 6
    assert call_cli("export", "network", "--campaign", "424242", env=env).returncode == 1
