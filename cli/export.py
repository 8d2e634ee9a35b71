"""`smearwatch export network --cluster ID | --campaign ID [--format gexf|graphml] [--out FILE]`: the account network
of clusters or campaigns as a file for Gephi and other graph tools (to stdout without --out)."""

import argparse
import sys
from pathlib import Path

from sqlmodel import Session, select

from cli.errors import CommandError
from smearwatch.account_network import account_network
from smearwatch.db import get_engine
from smearwatch.models import Campaign, Cluster
from smearwatch.network_files import FORMATS, write


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True)
    network = sub.add_parser("network", help="the account network of clusters as GEXF 1.3 or GraphML",
                             description="One node per account, one edge per pair of accounts and signal with its "
                                         "weight (co-actions) and first and last co-action (UTC).")
    network.add_argument("--cluster", type=int, action="append", default=[], metavar="ID",
                         help="a cluster id (as in the review app); repeat it for one network of several clusters")
    network.add_argument("--campaign", type=int, action="append", default=[], metavar="ID",
                         help="a campaign id: the network of all its clusters; may be repeated and mixed with --cluster")
    network.add_argument("--format", choices=sorted(FORMATS), default="gexf",
                         help="gexf (default; Gephi) or graphml (Cytoscape, yEd, igraph, networkx)")
    network.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    if not args.cluster and not args.campaign:
        raise CommandError("name at least one --cluster or --campaign", 2)
    with Session(get_engine()) as session:
        found = set(session.exec(select(Cluster.id).where(Cluster.id.in_(args.cluster))))
        missing = sorted(set(args.cluster) - found)
        if missing:
            raise CommandError(f"no cluster {', '.join(map(str, missing))} in the store", 1)
        campaigns = set(session.exec(select(Campaign.id).where(Campaign.id.in_(args.campaign))))
        missing = sorted(set(args.campaign) - campaigns)
        if missing:
            raise CommandError(f"no campaign {', '.join(map(str, missing))} in the store", 1)
        parts = session.exec(select(Cluster.id).where(Cluster.campaign_id.in_(args.campaign),
                                                      Cluster.status != "superseded")).all()
        network = account_network(session, sorted(set(args.cluster) | set(parts)))
    data = write(network, args.format)
    if args.out is None:
        # The declared UTF-8 bytes, whatever the terminal's encoding (a captured stdout may have no buffer).
        buffer = getattr(sys.stdout, "buffer", None)
        sys.stdout.flush()
        buffer.write(data) if buffer is not None else sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
    else:
        args.out.write_bytes(data)
        print(f"{args.out}: {len(network.nodes)} accounts, {len(network.edges)} edges ({args.format})",
              file=sys.stderr)
    return 0
