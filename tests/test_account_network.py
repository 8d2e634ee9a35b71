"""The account network of clusters read from the store, and its GEXF and GraphML files read back by networkx."""

from datetime import UTC, datetime

import networkx as nx
import pytest
from api_world import build_world
from sqlmodel import Session, select

from smearwatch.account_network import account_network
from smearwatch.models import Account, ClusterMember, Evidence, Post
from smearwatch.network_files import gexf, graphml, write


@pytest.fixture
def store(engine):
    world = build_world(engine)
    first = world["clusters"][0]
    with Session(engine) as session:
        posts = session.exec(select(Post).join(ClusterMember, ClusterMember.post_id == Post.id)
                             .where(ClusterMember.cluster_id == first).order_by(Post.created_at)).all()
        # a0 and a1 also tied by a burst: two parallel edges, one per signal
        session.add(Evidence(cluster_id=first, signal="burst", post_a=posts[0].id, post_b=posts[1].id, seconds=180))
        # a hostile profile name: control characters cannot be in XML at all
        account = session.exec(select(Account).where(Account.account_id == "c0a2")).one()
        account.name = "bad\x01name\x1b<&>\"'"
        session.add(account)
        session.commit()
    return world


def test_network_of_one_cluster(store, engine):
    first = store["clusters"][0]
    with Session(engine) as session:
        network = account_network(session, [first])
    assert network.clusters == (first,)
    assert [n.id for n in network.nodes] == [f"twitter:c0a{i}" for i in range(6)] or \
        [n.id for n in network.nodes] == [f"vk:c0a{i}" for i in range(6)]
    node = network.nodes[0]
    assert node.name == "patriot_0_0" and node.posts == 2 and node.followers is not None
    assert node.created_at.tzinfo is not None
    by_pair = {(e.source.split(":")[1], e.target.split(":")[1], e.signal): e for e in network.edges}
    # the fixture ties consecutive posts: a0-a1 twice on near_duplicate (posts 0-1 and 6-7), a5-a0 once
    tie = by_pair[("c0a0", "c0a1", "near_duplicate")]
    assert tie.weight == 2 and tie.first < tie.last
    assert tie.first == datetime(2020, 4, 28, 6, 3, tzinfo=UTC)  # the later post of the first co-action
    assert by_pair[("c0a0", "c0a1", "burst")].weight == 1
    assert by_pair[("c0a0", "c0a5", "co_repost")].weight == 1
    assert len(network.edges) == 7


def test_network_of_several_clusters_is_their_union(store, engine):
    with Session(engine) as session:
        one = account_network(session, store["clusters"][:1])
        two = account_network(session, store["clusters"][:2])
        again = account_network(session, [store["clusters"][0]] * 2)
    assert len(two.nodes) == len(one.nodes) + 7 and len(two.edges) > len(one.edges)
    assert again.edges == one.edges  # the same evidence read twice counts once


def test_gexf_and_graphml_read_back_by_networkx(store, engine, tmp_path):
    first = store["clusters"][0]
    with Session(engine) as session:
        network = account_network(session, [first])
    (tmp_path / "n.gexf").write_bytes(gexf(network))
    (tmp_path / "n.graphml").write_bytes(graphml(network))
    assert write(network, "gexf").startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.3"')
    assert b' kind="burst"' in write(network, "gexf")  # Gephi merges parallel edges of one kind
    from_gexf = nx.read_gexf(tmp_path / "n.gexf")
    from_graphml = nx.read_graphml(tmp_path / "n.graphml")
    for graph in (from_gexf, from_graphml):
        assert graph.is_multigraph() and not graph.is_directed()  # a0-a1 has two signals
        assert sorted(graph.nodes) == sorted(n.id for n in network.nodes)  # one node per account
        assert graph.number_of_edges() == len(network.edges)
        a0 = next(n for n in network.nodes if n.account_id == "c0a0")
        attributes = graph.nodes[a0.id]
        assert attributes["name"] == "patriot_0_0" and attributes["platform"] == a0.platform
        assert attributes["posts"] == 2 and attributes["followers"] == a0.followers
        assert attributes["created_at"].endswith("Z")
        hostile = next(n for n in network.nodes if n.account_id == "c0a2")
        assert graph.nodes[hostile.id]["name"] == "bad\ufffdname\ufffd<&>\"'"
        a1 = a0.id.replace("c0a0", "c0a1")
        ties = {data["signal"]: data for u, v, data in graph.edges(data=True) if {u, v} == {a0.id, a1}}
        assert set(ties) == {"near_duplicate", "burst"}
        near = ties["near_duplicate"]
        assert near["weight"] == 2 and near["first"] == "2020-04-28T06:03:00Z" and near["last"].endswith("Z")
    assert from_gexf.nodes[a0.id]["label"] == "patriot_0_0"  # the name Gephi shows


def test_empty_network_is_a_valid_file(engine, tmp_path):
    build_world(engine, clusters=1)
    with Session(engine) as session:
        network = account_network(session, [999999])
    assert network.nodes == () and network.edges == ()
    (tmp_path / "e.gexf").write_bytes(gexf(network))
    (tmp_path / "e.graphml").write_bytes(graphml(network))
    assert nx.read_gexf(tmp_path / "e.gexf").number_of_nodes() == 0
    assert nx.read_graphml(tmp_path / "e.graphml").number_of_nodes() == 0
