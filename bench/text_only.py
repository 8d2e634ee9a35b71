#!/usr/bin/env python3
"""Text-only labels on a world the labels never saw (issue 15, item 4 acceptance).

    .venv/bin/python bench/text_only.py [--seed 2] [--posts 15000] [--labels CSV]

Trains a model on text-only labelled posts (`smearwatch train CSV --out DIR`: the packaged post scorer is kept as
base), scores a bench/world2 world with it (`smearwatch score --model DIR`) and with the default model, and prints
the smear campaigns of the world each finds (a flagged cluster made mostly of one campaign's smear posts), and
whether the text-only model finds every campaign the default finds. Without --labels, the labels are 120 English
posts about other people (attacks and chatter, devsupport/foreign_labels.py, as the tests use them), as a researcher's
own labels of another language and domain are to this world.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from loop import world  # noqa: E402

from devsupport.foreign_labels import write_foreign_labels  # noqa: E402
from smearwatch.settings import get_settings  # noqa: E402


def campaigns_found(out: Path, folder: Path) -> tuple[set[str], int]:
    campaign = {}
    with open(folder / "posts.jsonl", "rb") as f:
        for line in f:
            p = orjson.loads(line)
            if p["label"] == 1:
                campaign[(p["platform"], str(p["id"]))] = p["campaign"]
    members: dict = {}
    for line in open(out / "scores.jsonl", "rb"):
        row = orjson.loads(line)
        members.setdefault(row["cluster"], []).append(campaign.get((row["platform"], str(row["id"]))))
    found, flagged = set(), 0
    for line in open(out / "clusters.jsonl", "rb"):
        cluster = orjson.loads(line)
        flagged += bool(cluster["flagged"])
        names = [c for c in members.get(cluster["cluster"], []) if c]
        if cluster["flagged"] and len(names) * 2 > len(members[cluster["cluster"]]):
            found.add(max(set(names), key=names.count))
    return found, flagged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2, help="world2 seed (default 2)")
    parser.add_argument("--posts", type=int, default=15000, help="posts of the world (default 15000)")
    parser.add_argument("--labels", type=Path, help="text-only labelled CSV (default: 120 English posts)")
    args = parser.parse_args()
    folder = world(args.seed, args.posts)
    work = Path(get_settings().bench_cache) / "text-only"
    work.mkdir(parents=True, exist_ok=True)
    labels = args.labels or write_foreign_labels(work / "foreign.csv")
    cli = str(Path(sys.executable).parent / "smearwatch")
    subprocess.run([cli, "train", str(labels), "--out", str(work / "model")], check=True, stdout=subprocess.DEVNULL)
    results = {}
    for name, extra in (("default", []), ("text-only", ["--model", str(work / "model")])):
        out = work / f"out-{name}"
        subprocess.run([cli, "score", str(folder / "posts.jsonl"), "--out", str(out), "--no-progress", *extra],
                       check=True, stdout=subprocess.DEVNULL)
        results[name] = campaigns_found(out, folder)
    smear = {c["id"] for c in json.loads((folder / "campaigns.json").read_text()) if c.get("kind") == "smear"}
    for name, (found, flagged) in results.items():
        print(f"{name:>9}: {flagged} flagged clusters, {len(found & smear)} of {len(smear)} smear campaigns found")
    missed = results["default"][0] - results["text-only"][0]
    print("text-only finds every campaign the default finds" if not missed
          else f"text-only misses {len(missed)}: {', '.join(sorted(missed))}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
