"""Ingest benchmark: generated dumps into SQLite (one core) and PostgreSQL; prints posts/s and peak RSS.

    .venv/bin/python bench/ingest.py                 # 100k and 1M posts, SQLite and PostgreSQL
    .venv/bin/python bench/ingest.py --sizes 100000  # quicker

Goals (issue 2): >= 20,000 posts/s into SQLite on one core, >= 30,000 posts/s into PostgreSQL,
peak RSS under 400 MB and flat in file size.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import run_measured

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def generate(posts: int, folder: Path) -> Path:
    subprocess.run([sys.executable, str(REPO / "samples" / "generate.py"), "--posts", str(posts), "--out",
                    str(folder)], check=True, stdout=subprocess.DEVNULL)
    found = sorted(folder.glob("*.jsonl*"), key=lambda p: p.stat().st_size, reverse=True)
    return found[0]


def ingest(dump: Path, url: str, one_core: bool) -> dict:
    subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], check=True,
                   env={"SMEARWATCH_DATABASE_URL": url, "PATH": "/usr/bin:/bin"})
    command = [sys.executable, "-m", "cli", "ingest", str(dump), "--json", "--no-score"]
    if one_core and shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    result = run_measured(command, env={"SMEARWATCH_DATABASE_URL": url})
    if result["returncode"] not in (0, 3):
        raise SystemExit(f"ingest failed: {result['stderr'].strip().splitlines()[-1:]}")
    counts = json.loads(result["stdout"])
    return {"posts": counts["stored"], "seconds": result["seconds"], "peak_rss_mb": result["peak_rss_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated dump sizes")
    parser.add_argument("--targets", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="smearwatch-bench-") as tmp:
        tmp = Path(tmp)
        for size in [int(s) for s in args.sizes.split(",")]:
            dump = generate(size, tmp / f"dump{size}")
            for target in args.targets.split(","):
                if target == "sqlite":
                    figures = ingest(dump, f"sqlite:///{tmp / f'bench{size}.db'}", one_core=True)
                else:
                    name = f"smearwatch_bench_{uuid.uuid4().hex[:8]}"
                    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                        admin.execute(f'CREATE DATABASE "{name}"')
                    try:
                        figures = ingest(dump, PG_ADMIN.rsplit("/", 1)[0] + "/" + name, one_core=False)
                    finally:
                        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                rows.append((target, size, figures))
                print(f"{target:10} {size:>9,} posts  {figures['seconds']:7.1f} s  "
                      f"{figures['posts'] / figures['seconds']:>9,.0f} posts/s  peak RSS {figures['peak_rss_mb']:6.0f} MB",
                      flush=True)
    print("\n| target | posts | seconds | posts/s | peak RSS MB |\n|---|---|---|---|---|")
    for target, size, f in rows:
        print(f"| {target} | {size:,} | {f['seconds']:.1f} | {f['posts'] / f['seconds']:,.0f} | {f['peak_rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
