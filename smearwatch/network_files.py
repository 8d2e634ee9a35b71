"""An account network as a file for Gephi, Cytoscape, networkx or igraph: GEXF 1.3 and GraphML.

Written with the standard library. Both carry the same attributes: per account its platform, account id, name,
posts in the clusters, followers and creation time (left out when unknown); per edge its signal, weight (the
number of co-actions) and the first and last co-action, as ISO 8601 UTC text. A pair of accounts tied by two
signals is two parallel edges, one per signal (GEXF and GraphML both allow them; networkx reads a MultiGraph).
"""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from smearwatch.account_network import AccountEdge, AccountNetwork, AccountNode

# What XML 1.0 cannot carry at all (control characters, lone surrogates): a name from a hostile dump would
# otherwise make the whole file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# (name, GEXF type, GraphML type, value of a node or an edge); None values are left out of the file.
NODE_ATTRIBUTES = [
    ("platform", "string", "string", lambda n: n.platform),
    ("account_id", "string", "string", lambda n: n.account_id),
    ("name", "string", "string", lambda n: n.name),
    ("posts", "integer", "int", lambda n: n.posts),
    ("followers", "long", "long", lambda n: n.followers),
    ("created_at", "string", "string", lambda n: iso(n.created_at)),
]
EDGE_ATTRIBUTES = [
    ("signal", "string", "string", lambda e: e.signal),
    ("first", "string", "string", lambda e: iso(e.first)),
    ("last", "string", "string", lambda e: iso(e.last)),
]
GEXF_NS = "http://gexf.net/1.3"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def clean(value) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _description(network: AccountNetwork) -> str:
    clusters = ", ".join(str(c) for c in network.clusters)
    return (f"smearwatch account network of cluster{'s' if len(network.clusters) != 1 else ''} {clusters}: "
            f"{len(network.nodes)} accounts, {len(network.edges)} edges (one per pair of accounts and signal; "
            f"weight = co-actions)")


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode() + b"\n"


def gexf(network: AccountNetwork, *, now: datetime | None = None) -> bytes:
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "xmlns:xsi": XSI_NS, "version": "1.3",
                               "xsi:schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd"})
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": (now or datetime.now(UTC)).strftime("%Y-%m-%d")})
    ET.SubElement(meta, "creator").text = "smearwatch"
    ET.SubElement(meta, "description").text = _description(network)
    graph = ET.SubElement(root, "graph", {"mode": "static", "defaultedgetype": "undirected"})
    for cls, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        declared = ET.SubElement(graph, "attributes", {"class": cls, "mode": "static"})
        for name, gexf_type, _, _ in attributes:
            ET.SubElement(declared, "attribute", {"id": f"{cls[0]}_{name}", "title": name, "type": gexf_type})
    nodes = ET.SubElement(graph, "nodes", {"count": str(len(network.nodes))})
    for node in network.nodes:
        element = ET.SubElement(nodes, "node", {"id": clean(node.id), "label": clean(node.name)})
        _gexf_values(element, "n", NODE_ATTRIBUTES, node)
    edges = ET.SubElement(graph, "edges", {"count": str(len(network.edges))})
    for i, edge in enumerate(network.edges):
        element = ET.SubElement(edges, "edge", {"id": str(i), "source": clean(edge.source),
                                                "target": clean(edge.target), "label": edge.signal,
                                                # the edge type: Gephi keeps parallel edges apart only by kind
                                                "kind": edge.signal, "weight": str(edge.weight)})
        _gexf_values(element, "e", EDGE_ATTRIBUTES, edge)
    return _xml(root)


def _gexf_values(element: ET.Element, prefix: str, attributes, item: AccountNode | AccountEdge) -> None:
    values = ET.SubElement(element, "attvalues")
    for name, _, _, get in attributes:
        value = get(item)
        if value is not None:
            ET.SubElement(values, "attvalue", {"for": f"{prefix}_{name}", "value": clean(value)})


def graphml(network: AccountNetwork) -> bytes:
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS, "xmlns:xsi": XSI_NS,
                                  "xsi:schemaLocation": f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"})
    ET.SubElement(root, "desc").text = _description(network)
    keys = [("node", NODE_ATTRIBUTES), ("edge", [("weight", None, "int", lambda e: e.weight), *EDGE_ATTRIBUTES])]
    for cls, attributes in keys:
        for name, _, graphml_type, _ in attributes:
            ET.SubElement(root, "key", {"id": f"{cls[0]}_{name}", "for": cls, "attr.name": name,
                                        "attr.type": graphml_type})
    graph = ET.SubElement(root, "graph", {"id": "accounts", "edgedefault": "undirected"})
    for node in network.nodes:
        element = ET.SubElement(graph, "node", {"id": clean(node.id)})
        _graphml_values(element, "n", NODE_ATTRIBUTES, node)
    for i, edge in enumerate(network.edges):
        element = ET.SubElement(graph, "edge", {"id": f"e{i}", "source": clean(edge.source),
                                                "target": clean(edge.target)})
        _graphml_values(element, "e", keys[1][1], edge)
    return _xml(root)


def _graphml_values(element: ET.Element, prefix: str, attributes, item: AccountNode | AccountEdge) -> None:
    for name, _, _, get in attributes:
        value = get(item)
        if value is not None:
            ET.SubElement(element, "data", {"key": f"{prefix}_{name}"}).text = clean(value)


# format -> (writer, media type, file suffix)
FORMATS = {
    "gexf": (gexf, "application/gexf+xml", "gexf"),
    "graphml": (graphml, "application/graphml+xml", "graphml"),
}


def write(network: AccountNetwork, fmt: str) -> bytes:
    return FORMATS[fmt][0](network)
