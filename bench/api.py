"""API benchmark: 1,000,000 posts and 10,000 clusters in PostgreSQL, 20 concurrent clients; prints p50/p95.

    .venv/bin/python bench/api.py                       # 1M posts, 10k clusters, 20 clients
    .venv/bin/python bench/api.py --posts 100000 --clusters 1000 --requests 200

Measures the campaign queue (/), a campaign page (/campaigns/{id}, random flagged campaigns of 1 to 40 clusters)
and the campaigns API (/api/v1/campaigns, with filters), then the cluster queue (/queue/clusters), a cluster page
(/clusters/{id}) and the clusters API (/api/v1/clusters). Goal (issues 5 and 12): p95 < 100 ms each.
The data is generated inside PostgreSQL (generate_series), so setup is quick; campaigns are then made as scoring
makes them (worker.campaign_store.regroup_campaigns over all clusters), and every third flagged campaign is
decided. Measuring starts once the app's background preparer has rendered the evidence of every flagged cluster,
as it does after each scoring run (a cluster page whose evidence is not rendered yet renders it on the spot).
"""

import argparse
import asyncio
import itertools
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import uvloop

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from sqlmodel import Session  # noqa: E402

from api import campaign_views, cluster_views  # noqa: E402
from devsupport.services import ServerProcess  # noqa: E402
from smearwatch import migrate  # noqa: E402
from smearwatch.db import make_engine  # noqa: E402
from smearwatch.users import create_user  # noqa: E402
from worker.campaign_store import regroup_campaigns  # noqa: E402

PG_ADMIN = os.environ.get("SMEARWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SIGNALS = "ARRAY['co_repost','near_duplicate','co_link','co_hashtag','co_reply','burst']"


# Smear clusters come in campaigns of these sizes, in turn (the demo's largest is 8 clusters; one unseen world
# gave 16); a 40-cluster campaign holds 2,000 posts. Coordinated and organic clusters stand alone.
CAMPAIGN_SIZES = (1, 1, 2, 1, 3, 1, 2, 5, 1, 2, 8, 1, 3, 16, 1, 2, 40)


def cluster_plan(clusters: int) -> list[tuple[int, str, str]]:
    """(cluster number, label, group) per cluster: a smear campaign's clusters share a group, so a target and a
    narrative, and follow one another 15 minutes apart; every other cluster is its own group."""
    plan, group, left, sizes = [], 0, 0, itertools.cycle(CAMPAIGN_SIZES)
    for c in range(clusters):
        label = ("smear", "coordinated", "organic")[c % 3]
        if label == "smear":
            if left == 0:
                group, left = group + 1, next(sizes)
            left -= 1
            plan.append((c, label, f"g{group}"))
        else:
            plan.append((c, label, f"c{c}"))
    return plan


def populate(url: str, posts: int, clusters: int, per_cluster: int) -> None:
    accounts = max(posts // 10, 1)
    stride = max(posts // clusters, per_cluster)
    author = f"1 + abs(hashtext('p' || g)) % {accounts}"  # scattered: clusters share accounts only by chance
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE UNLOGGED TABLE bench_plan (c int PRIMARY KEY, label text, grp text)")
        with db.cursor().copy("COPY bench_plan (c, label, grp) FROM STDIN") as copy:
            for row in cluster_plan(clusters):
                copy.write_row(row)
        db.execute(f"""INSERT INTO account (platform, account_id, name, created_at, followers, profile_at)
            SELECT 'twitter', 'a' || g, 'user ' || g, timestamptz '2015-01-01' + g * interval '17 minutes',
                   g % 5000, timestamptz '2020-04-28' FROM generate_series(1, {accounts}) g""")
        # A cluster's posts repeat its group's narrative (five wordings); the other posts are all different.
        db.execute(f"""INSERT INTO post (platform, post_id, author_id, author_name, text, created_at, lang, urls, hashtags)
            SELECT 'twitter', 'p' || g, 'a' || ({author}), 'user ' || ({author}),
                   CASE WHEN b.grp IS NULL
                        THEN 'post ' || g || ' about the bureau and foreign donors, variant ' || (g % 7)
                        ELSE 'campaign ' || b.grp || ': the bureau lives on foreign donors, wording ' || (g % 5) END,
                   timestamptz '2020-04-01' + g * interval '3 seconds', 'ru',
                   json_build_array('https://example.kz/' || (g % 500)), json_build_array('tag' || (g % 300))
            FROM generate_series(1, {posts}) g
            LEFT JOIN bench_plan b ON b.c = (g - 1) / {stride} AND (g - 1) % {stride} < {per_cluster}
            ORDER BY g""")  # post ids are 1..N in g order
        db.execute(f"""INSERT INTO cluster (key, score, flagged, label, kind, n_posts, n_accounts, start, "end",
                                            status, targets, signals, created_at, updated_at)
            SELECT 'c-bench-' || c, round((random())::numeric, 3), label = 'smear', label, 'smear', {per_cluster},
                   {per_cluster},
                   timestamptz '2020-04-01' + (c * {stride}) * interval '3 seconds',
                   timestamptz '2020-04-01' + (c * {stride} + {per_cluster}) * interval '3 seconds', 'open',
                   json_build_array(json_build_object('name', CASE WHEN label = 'smear' THEN 'Person ' || grp
                                                                   ELSE 'Person c' || (c % 20) END,
                                                      'aliases', json_build_array(), 'type', 'person')),
                   json_build_object('near_duplicate', json_build_object('pairs', 40, 'median_seconds', 300,
                                     'similarity', 0.82), 'account_creation', json_build_object('batch_share', 0.7)),
                   now(), now()
            FROM bench_plan ORDER BY c""")
        db.execute(f"""INSERT INTO clustermember (cluster_id, post_id)
            SELECT c.id, 1 + substr(c.key, 9)::int * {stride} + k  -- post ids are 1..N in insertion order
            FROM cluster c CROSS JOIN generate_series(0, {per_cluster - 1}) k""")
        db.execute(f"""INSERT INTO evidence (cluster_id, signal, post_a, post_b, seconds, similarity)
            SELECT m1.cluster_id, ({SIGNALS})[1 + (m1.post_id % 6)], m1.post_id, m1.post_id + 1, 3, 0.9
            FROM clustermember m1 WHERE EXISTS (SELECT 1 FROM clustermember m2
                WHERE m2.cluster_id = m1.cluster_id AND m2.post_id = m1.post_id + 1)""")
        db.execute("DROP TABLE bench_plan")
    # Campaigns as scoring makes them: the worker's regrouping of the stored clusters.
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        grouped = regroup_campaigns(connection)
    engine.dispose()
    print(f"campaigns: {grouped['campaigns']:,}, {grouped['flagged_campaigns']:,} flagged "
          f"(regrouped in {time.perf_counter() - started:.0f} s)", file=sys.stderr)


def decide_some(url: str, username: str) -> None:
    """A store in use: every third flagged campaign decided as a whole (one decision row per cluster)."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("""CREATE TEMP TABLE decided AS SELECT id FROM campaign WHERE flagged AND id % 3 = 0""")
        db.execute("""INSERT INTO decision (cluster_id, user_id, answer, campaign_id, created_at)
            SELECT c.id, u.id, 'smear', c.campaign_id, now() FROM cluster c JOIN decided d ON d.id = c.campaign_id
            CROSS JOIN (SELECT id FROM "user" WHERE username = %s) u""", (username,))
        db.execute("UPDATE cluster SET status = 'reviewed' WHERE campaign_id IN (SELECT id FROM decided)")
        db.execute("UPDATE campaign SET status = 'reviewed' WHERE id IN (SELECT id FROM decided)")
        db.execute("VACUUM ANALYZE")  # a settled store: autovacuum would have visited these tables by now


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one GET on a kept-alive connection and read the whole answer; its HTTP status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return status


async def measure(port: int, paths: list[str], clients: int, requests: int, headers: dict) -> list[float]:
    """`clients` connections, each sending its share of `requests` one after another (a closed loop).

    A bare HTTP/1.1 client: the load generator shares the machine's two cores with the server, and an
    HTTP library would spend about a millisecond of them per request.
    """
    latencies: list[float] = []
    per_client = max(requests // clients, 1)
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    async def worker(n: int) -> None:
        rng = random.Random(n)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(per_client):
                path = rng.choice(paths)
                request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()
                started = time.perf_counter()
                status = await _exchange(reader, writer, request)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"{path}: HTTP {status}")
        finally:
            writer.close()

    await asyncio.gather(*(worker(n) for n in range(clients)))
    return latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--clusters", type=int, default=10_000)
    parser.add_argument("--per-cluster", type=int, default=50, help="posts per cluster (default 50)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint (default 1000)")
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 8), help="uvicorn workers")
    parser.add_argument("--keep", metavar="DATABASE",
                        help="generate the store into this database and keep it; a later run naming it measures it "
                             "again without generating (the generation takes minutes at 1M posts)")
    args = parser.parse_args()

    name = args.keep or f"smearwatch_bench_api_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        fresh = not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if fresh:
            admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    server = None
    try:
        migrate.upgrade(url)
        if fresh:
            started = time.perf_counter()
            populate(url, args.posts, args.clusters, args.per_cluster)
            print(f"data: {args.posts:,} posts, {args.clusters:,} clusters x {args.per_cluster} posts "
                  f"({time.perf_counter() - started:.0f} s to generate)", file=sys.stderr)
        else:
            print(f"data: the store kept in {name}", file=sys.stderr)
        engine = make_engine(url)
        username = f"bench-{uuid.uuid4().hex[:6]}"
        with Session(engine) as session:
            credentials = create_user(session, username=username, role="reviewer")
        if fresh:
            decide_some(url, username)
        with psycopg.connect(url) as db:
            flagged = [r[0] for r in db.execute("SELECT id FROM cluster WHERE flagged ORDER BY random() LIMIT 500")]
            campaigns = db.execute("SELECT id, n_clusters FROM campaign WHERE flagged ORDER BY random() LIMIT 500").fetchall()
            campaign_pages = db.execute("SELECT count(*) FROM campaign WHERE flagged").fetchone()[0] // 50 + 1
        engine.dispose()

        # The server's own errors go to a file named on stderr, so a stalled benchmark can be explained.
        server_log = tempfile.NamedTemporaryFile("w", prefix="smearwatch-bench-api-", suffix=".log", delete=False)
        print(f"server log: {server_log.name}", file=sys.stderr)
        server = ServerProcess({"SMEARWATCH_DATABASE_URL": url, "PYTHONPATH": str(REPO)}, Path(server_log.name),
                               args=("--workers", str(args.workers)))
        server.start(timeout=120)
        port, base = server.port, server.base
        # The app renders the evidence of flagged clusters, then the narratives and accounts of flagged campaigns,
        # in the background; measure once it has caught up.
        started = time.perf_counter()
        kept_sections = {
            "flagged clusters' evidence": (
                "SELECT count(*) FROM cluster WHERE flagged",
                "SELECT count(*) FROM clusterview v JOIN cluster c ON c.id = v.cluster_id WHERE c.flagged "
                "AND v.version = %s AND v.cluster_updated_at = c.updated_at", cluster_views.VERSION),
            "flagged campaigns' narratives and accounts": (
                "SELECT count(*) FROM campaign WHERE flagged",
                "SELECT count(*) FROM campaignview v JOIN campaign c ON c.id = v.campaign_id WHERE c.flagged "
                "AND v.version = %s AND v.campaign_updated_at = c.updated_at", campaign_views.VERSION),
        }
        with psycopg.connect(url, autocommit=True) as db:
            for what, (count_all, count_fresh, version) in kept_sections.items():
                total = db.execute(count_all).fetchone()[0]
                while (done := db.execute(count_fresh, (version,)).fetchone()[0]) < total:
                    if time.perf_counter() - started > 1800 or server.process.poll() is not None:
                        raise RuntimeError(f"the app rendered only {done} of {total} {what}")
                    time.sleep(1)
                print(f"{what}: {total:,} rendered by the app in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)
        with httpx.Client(base_url=base) as client:
            page = client.get("/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            client.post("/login", data={"username": username, "password": credentials.password, "csrf_token": csrf})
            cookies = dict(client.cookies)
        bearer = {"Authorization": f"Bearer {credentials.token}"}
        session_cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        flagged_pages = max(1, len(flagged) // 50)
        sizes = sorted(n for _, n in campaigns)
        print(f"campaign pages: {len(campaigns)} flagged campaigns of {sizes[0]} to {sizes[-1]} clusters "
              f"(median {statistics.median(sizes):.0f}; {sum(n >= 16 for n in sizes)} of 16 or more)", file=sys.stderr)
        cases = {
            "campaign queue": (["/"] + [f"/?page={p}" for p in range(2, min(campaign_pages, 20) + 1)],
                               session_cookie),
            "campaign page": ([f"/campaigns/{cid}" for cid, _ in campaigns], session_cookie),
            "campaigns API": ([f"/api/v1/campaigns?flagged=true&limit=50&offset={50 * p}" for p in range(10)]
                              + ["/api/v1/campaigns?status=open&min_score=0.5&limit=50",
                                 "/api/v1/campaigns?label=coordinated&sort=-n_accounts&limit=50",
                                 "/api/v1/campaigns?target=Person%20g7&limit=50",
                                 "/api/v1/campaigns?since=2020-04-10T00:00:00Z&until=2020-04-12T00:00:00Z&limit=50"],
                              bearer),
            "cluster queue": (["/queue/clusters"] + [f"/queue/clusters?page={p}"
                                                     for p in range(2, min(flagged_pages, 20) + 1)], session_cookie),
            "cluster page": ([f"/clusters/{cid}" for cid in flagged], session_cookie),
            "clusters API": ([f"/api/v1/clusters?flagged=true&limit=50&offset={50 * p}" for p in range(20)]
                             + ["/api/v1/clusters?limit=50&sort=-start", "/api/v1/clusters?min_score=0.9&limit=50"],
                             bearer),
        }
        print(f"{args.clients} concurrent clients, {args.requests} requests per endpoint, "
              f"{args.workers} uvicorn workers, {os.cpu_count()} CPUs")
        for label, (paths, headers) in cases.items():
            # warm up: each worker's statement and template caches, each pooled connection's prepared statements
            uvloop.run(measure(port, paths, args.clients, args.clients * 10, headers))
            latencies = uvloop.run(measure(port, paths, args.clients, args.requests, headers))
            print(f"  {label:15} p50 {statistics.median(latencies):6.1f} ms   p95 {p95(latencies):6.1f} ms   "
                  f"({len(latencies)} requests)")
        # A page whose evidence is not rendered yet renders it on the spot: unflagged clusters, which the
        # preparer leaves alone, each opened once by one client.
        with psycopg.connect(url) as db:
            unflagged = [r[0] for r in db.execute("SELECT id FROM cluster WHERE NOT flagged ORDER BY random() LIMIT 200")]
        cold = [uvloop.run(measure(port, [f"/clusters/{cid}"], 1, 1, session_cookie))[0] for cid in unflagged]
        print(f"  cluster page, evidence rendered on request (1 client): p50 {statistics.median(cold):.1f} ms   "
              f"p95 {p95(cold):.1f} ms   ({len(cold)} requests)")
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
