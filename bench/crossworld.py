#!/usr/bin/env python3
"""Cross-world accuracy: train on one synthetic world, test on a world written independently, both directions.

    .venv/bin/python bench/crossworld.py [--world2 DIR] [--seed 1]

World A is ours (`samples/`, `samples/labelled/train.jsonl` + `heldout.jsonl`); world B comes from the
independent generator `bench/world2/generate.py` (other targets, wording, languages and campaign shapes; written
without reading `samples/`), generated into the bench cache (SMEARWATCH_BENCH_CACHE) unless --world2 names a
directory holding its `posts.jsonl`. For each direction a model is trained on one world's labelled posts and
scored on the other's; the table is bench/accuracy.py's (campaigns found, hard negatives, account F1,
flagged-cluster precision, post average precision). Exit 1 when a bar is missed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import evaluate, read  # noqa: E402

from classifiers import PostFrame, detect, labelled_frame, parse_label, train  # noqa: E402
from smearwatch.settings import get_settings  # noqa: E402

SAMPLES = ROOT / "samples" / "labelled"


def world2_posts(directory: str | None, seed: int) -> Path:
    if directory:
        return Path(directory) / "posts.jsonl"
    out = Path(get_settings().bench_cache) / f"world2-seed{seed}"
    if not (out / "posts.jsonl").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "world2" / "generate.py"), "--seed", str(seed),
                        "--out", str(out)], check=True)
    return out / "posts.jsonl"


def run(name: str, train_frame: PostFrame, test_frame: PostFrame) -> tuple[bool, dict]:
    t0 = time.perf_counter()
    model = train(train_frame, [parse_label(v) for v in train_frame.extra["label"]])
    trained = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = detect(test_frame, model)
    m = evaluate(test_frame, result)
    print(f"\n## {name}: trained on {len(train_frame)} posts in {trained:.1f}s, scored {len(test_frame)} posts in "
          f"{time.perf_counter() - t0:.1f}s")
    print(f"{'campaign':34} {'kind':13} {'accounts':>8} {'flagged':>8}  ok")
    for camp, kind, n, share, ok in m["campaigns"]:
        if kind != "background":
            print(f"{camp[:34]:34} {kind[:13]:13} {n:8d} {share:8.0%}  {'yes' if ok else 'NO'}")
    bars = [
        ("smear campaigns found", f"{m['smear_found']}/{m['smear_total']}", m["smear_found"] == m["smear_total"]),
        ("hard-negative campaigns flagged", f"{m['negatives_flagged']}", m["negatives_flagged"] == 0),
        ("account F1 (>= 0.9)", f"{m['account_f1']:.3f}", m["account_f1"] >= 0.9),
        ("flagged-cluster precision (>= 0.9)", f"{m['cluster_precision']:.3f} of {m['flagged_clusters']}",
         m["cluster_precision"] >= 0.9),
        ("post average precision (>= 0.9)", f"{m['post_average_precision']:.3f}", m["post_average_precision"] >= 0.9),
    ]
    print(f"| {'metric':36} | {'value':>14} | pass |")
    print(f"|{'-' * 38}|{'-' * 16}|------|")
    for label, value, ok in bars:
        print(f"| {label:36} | {value:>14} | {'yes' if ok else 'NO':4} |")
    return all(ok for _, _, ok in bars), m


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world2", help="directory with the independent world's posts.jsonl (default: generate it)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the independent world")
    args = ap.parse_args(argv)
    ours_paths = [SAMPLES / "train.jsonl", SAMPLES / "heldout.jsonl"]
    theirs_path = world2_posts(args.world2, args.seed)
    ok_ab, _ = run("ours -> independent", labelled_frame(ours_paths), read(theirs_path))
    ok_ba, _ = run("independent -> ours", labelled_frame([theirs_path]), read_many(ours_paths))
    return 0 if ok_ab and ok_ba else 1


def read_many(paths: list[Path]) -> PostFrame:
    lines = b"".join(Path(p).read_bytes().rstrip(b"\n") + b"\n" for p in paths)
    tmp = Path(get_settings().bench_cache) / "crossworld-ours.jsonl"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(lines)
    return read(tmp)


if __name__ == "__main__":
    sys.exit(main())
