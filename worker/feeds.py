"""Feeds watched on a schedule: RSS/Atom and dump URLs (HTTP or local files) and folders of dump files.

- HTTP: conditional GET (If-None-Match / If-Modified-Since), a timeout per request, a size cap, and retries with
  exponential backoff on network errors, 429 and 5xx. A 304 ends the poll: nothing is read or stored.
- Local files (file:// URL or a path): unchanged size and modification time count as "not modified".
- Folders: every new file (by name) is ingested once, as a queued run of slices.
The scheduler claims due feeds atomically (`claim_due_feeds`), so two schedulers never dispatch a feed twice.
"""

import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx
from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Engine

from smearwatch.models import Feed, IngestRun, IngestSlice, utcnow
from smearwatch.settings import get_settings
from worker import service
from worker.ingest_runs import create_queued_run
from worker.scoring import score_run
from worker.slices import store_slice
from worker.sources import ReadOptions, SourceError, format_module

log = logging.getLogger(__name__)
FEEDS, RUNS, SLICES = Feed.__table__, IngestRun.__table__, IngestSlice.__table__
KINDS = ("rss", "url", "folder")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Files still being written are left for the next poll: hidden, partial names, or modified this recently.
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", "~")
SETTLE_SECONDS = 1.0
USER_AGENT = "smearwatch feed monitor"


class FeedError(Exception):
    """A feed that cannot be added or polled; reported as one line."""


def parse_every(text: str | int) -> int:
    """'90', '90s', '5m', '2h', '1d' -> seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", str(text))
    if not match or int(match.group(1)) <= 0:
        raise FeedError(f"cannot read interval {text!r}; use e.g. 30s, 5m, 2h or 1d")
    return int(match.group(1)) * UNITS[match.group(2) or "s"]


def format_every(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _normalize_location(kind: str, location: str) -> str:
    if kind == "folder":
        path = Path(location).expanduser().resolve()
        if not path.is_dir():
            raise FeedError(f"{location}: not a folder")
        return str(path)
    parsed = urlparse(location)
    if parsed.scheme in ("http", "https"):
        if not parsed.netloc:
            raise FeedError(f"{location}: not a URL")
        return location
    path = Path(unquote(parsed.path) if parsed.scheme == "file" else location).expanduser().resolve()
    if parsed.scheme not in ("", "file"):
        raise FeedError(f"{location}: only http, https and file URLs (or a local path) can be polled")
    if not path.is_file():
        raise FeedError(f"{location}: no such file")
    return path.as_uri()


def add_feed(engine: Engine, *, name: str, kind: str, location: str, every: str | int = "5m",
             fmt: str | None = None) -> dict:
    if kind not in KINDS:
        raise FeedError(f"unknown kind {kind!r}; choose one of: {', '.join(KINDS)}")
    if not name or len(name) > 200:
        raise FeedError("a feed needs a name of at most 200 characters")
    if fmt is not None:
        try:
            format_module(fmt)
        except SourceError as error:
            raise FeedError(str(error)) from None
    every_seconds = parse_every(every)
    location = _normalize_location(kind, location)
    with engine.begin() as connection:
        if connection.execute(select(FEEDS.c.id).where(FEEDS.c.name == name)).first():
            raise FeedError(f"a feed named {name!r} exists already (remove it first)")
        feed_id = connection.execute(
            FEEDS.insert().values(
                name=name, kind=kind, location=location, format=fmt or ("rss" if kind == "rss" else None),
                every_seconds=every_seconds, enabled=True, next_due_at=utcnow(), seen_files=[], failures=0,
                created_at=utcnow(),
            ).returning(FEEDS.c.id)
        ).scalar_one()
    return get_feed(engine, feed_id)


def get_feed(engine: Engine, feed_id: int) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(select(FEEDS).where(FEEDS.c.id == feed_id)).mappings().first()
    return _view(row) if row else None


def list_feeds(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        return [_view(row) for row in connection.execute(select(FEEDS).order_by(FEEDS.c.name)).mappings()]


def _view(row) -> dict:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": row["id"], "name": row["name"], "kind": row["kind"], "location": row["location"],
        "format": row["format"], "every": format_every(row["every_seconds"]), "every_seconds": row["every_seconds"],
        "enabled": row["enabled"], "next_due_at": iso(row["next_due_at"]), "last_polled_at": iso(row["last_polled_at"]),
        "last_status": row["last_status"], "failures": row["failures"], "files_seen": len(row["seen_files"] or []),
        "last_run": row["last_run_id"],
    }


def remove_feed(engine: Engine, name: str) -> bool:
    """Stop watching a feed; the posts it brought stay (their runs forget the feed)."""
    with engine.begin() as connection:
        feed_id = connection.execute(select(FEEDS.c.id).where(FEEDS.c.name == name)).scalar()
        if feed_id is None:
            return False
        connection.execute(update(RUNS).where(RUNS.c.feed_id == feed_id).values(feed_id=None))
        connection.execute(delete(FEEDS).where(FEEDS.c.id == feed_id))
    return True


def claim_due_feeds(engine: Engine, *, now: datetime | None = None, lease: timedelta | None = None) -> list[int]:
    """Atomically claim every enabled feed that is due and not claimed; returns their ids.

    One UPDATE ... RETURNING: on PostgreSQL a second scheduler's UPDATE waits for the first and then finds the
    rows claimed; SQLite has one writer at a time. A claim expires (`lease`) if its poll never finishes.
    """
    now = now or utcnow()
    lease = lease or timedelta(seconds=get_settings().task_time_limit + 60)
    with engine.begin() as connection:
        return sorted(connection.execute(
            update(FEEDS).where(
                FEEDS.c.enabled.is_(True),
                or_(FEEDS.c.next_due_at.is_(None), FEEDS.c.next_due_at <= now),
                or_(FEEDS.c.claimed_until.is_(None), FEEDS.c.claimed_until < now),
            ).values(claimed_until=now + lease).returning(FEEDS.c.id)
        ).scalars())


# --- polling ------------------------------------------------------------------------------------------------


@dataclass
class Fetched:
    changed: bool
    path: Path | None = None
    etag: str | None = None
    last_modified: str | None = None
    temporary: bool = False
    status: str = ""


def poll_feed(engine: Engine, feed_id: int) -> dict:
    """The `poll_feed` task: fetch the feed if changed, store its new posts and score them. Returns what happened."""
    with engine.connect() as connection:
        feed = connection.execute(select(FEEDS).where(FEEDS.c.id == feed_id)).mappings().first()
    if feed is None:
        return {"feed": feed_id, "outcome": "missing"}
    feed = dict(feed)
    result: dict = {"feed": feed_id, "name": feed["name"], "outcome": "", "runs": [], "stored": 0}
    changes: dict = {}
    try:
        if feed["kind"] == "folder":
            _poll_folder(engine, feed, result, changes)
        else:
            _poll_document(engine, feed, result, changes)
        changes["failures"] = 0
    except FeedError as error:
        result["outcome"] = f"error: {error}"
        changes["failures"] = (feed["failures"] or 0) + 1
        log.warning("feed %s: %s", feed["name"], error)
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(update(FEEDS).where(FEEDS.c.id == feed_id).values(
            last_polled_at=now, last_status=result["outcome"][:500], claimed_until=None,
            next_due_at=now + timedelta(seconds=feed["every_seconds"]), **changes,
        ))
    return result


def _poll_document(engine: Engine, feed: dict, result: dict, changes: dict) -> None:
    fetched = fetch(feed["location"], etag=feed["etag"], last_modified=feed["last_modified"])
    if not fetched.changed:
        result["outcome"] = fetched.status or "not modified"
        return
    try:
        run = _ingest_here(engine, feed, fetched.path)
    finally:
        if fetched.temporary and fetched.path is not None:
            fetched.path.unlink(missing_ok=True)
    # Validators are kept only once the content is stored, so a failed store is fetched again next time.
    changes.update(etag=fetched.etag, last_modified=fetched.last_modified, last_run_id=run["run"])
    result["runs"].append(run["run"])
    result["stored"] += run["stored"]
    result["outcome"] = f"{fetched.status}: stored {run['stored']} new of {run['read']} read"


def _ingest_here(engine: Engine, feed: dict, path: Path) -> dict:
    """Store a fetched document in this process (the file is local to this worker), then score its few new posts
    here too rather than queue them behind bulk work."""
    try:
        run_id, slice_ids = create_queued_run(engine, [path], fmt=feed["format"], options=ReadOptions(),
                                              feed_id=feed["id"])
    except SourceError as error:
        raise FeedError(str(error)) from None
    finished = False
    for slice_id in slice_ids:
        outcome = store_slice(engine, slice_id)
        finished = finished or outcome.run_finished
    with engine.connect() as connection:
        run = connection.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().one()
    if run["status"] == "failed":
        raise FeedError(run["error"] or "could not be read")
    if run["stored"]:
        if finished:
            score_run(engine, run_id)
    else:  # nothing new: nothing to score
        with engine.begin() as connection:
            connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(scored_at=utcnow()))
    return {"run": run_id, "stored": run["stored"], "read": run["read"]}


def fetch(location: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return _fetch_file(Path(unquote(parsed.path)), etag)
    return _fetch_http(location, etag, last_modified)


def _fetch_file(path: Path, etag: str | None) -> Fetched:
    try:
        stat = path.stat()
    except OSError as error:
        raise FeedError(f"{path}: {error.strerror or error}") from None
    validator = f"file:{stat.st_mtime_ns}:{stat.st_size}"
    if validator == etag:
        return Fetched(changed=False, status="not modified")
    if stat.st_size > get_settings().feed_max_bytes:
        raise FeedError(f"{path}: larger than the feed size cap ({get_settings().feed_max_bytes} bytes)")
    return Fetched(changed=True, path=path, etag=validator, status="changed")


def _fetch_http(url: str, etag: str | None, last_modified: str | None) -> Fetched:
    settings = get_settings()
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    suffix = "".join(Path(urlparse(url).path).suffixes[-2:])[:20] or ".feed"
    last_error = ""
    for attempt in range(settings.feed_retries + 1):
        if attempt:
            time.sleep(min(30.0, 0.5 * 2 ** (attempt - 1)))
        try:
            with httpx.Client(timeout=settings.feed_timeout, follow_redirects=True, max_redirects=5) as client:
                with client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 304:
                        return Fetched(changed=False, status="304 not modified")
                    if response.status_code == 429 or response.status_code >= 500:
                        last_error = f"HTTP {response.status_code}"
                        continue
                    if response.status_code >= 400:
                        raise FeedError(f"{url}: HTTP {response.status_code}")
                    path = _save_body(response, suffix, settings.feed_max_bytes, url)
                    return Fetched(changed=True, path=path, etag=response.headers.get("etag"),
                                   last_modified=response.headers.get("last-modified"), temporary=True,
                                   status=f"{response.status_code}")
        except httpx.TransportError as error:  # connect/read timeouts, refused, reset
            last_error = f"{type(error).__name__}: {error}"
    raise FeedError(f"{url}: {last_error} (after {settings.feed_retries + 1} attempts)")


def _save_body(response: httpx.Response, suffix: str, cap: int, url: str) -> Path:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise FeedError(f"{url}: {declared} bytes is larger than the feed size cap ({cap} bytes)")
    fd, name = tempfile.mkstemp(prefix="smearwatch-feed-", suffix=suffix)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_bytes(64 * 1024):
                size += len(chunk)
                if size > cap:
                    raise FeedError(f"{url}: body larger than the feed size cap ({cap} bytes)")
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _poll_folder(engine: Engine, feed: dict, result: dict, changes: dict) -> None:
    folder = Path(feed["location"])
    if not folder.is_dir():
        raise FeedError(f"{folder}: folder is gone")
    seen = set(feed["seen_files"] or [])
    now = time.time()
    new = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name in seen or name.startswith(".") or name.endswith(PARTIAL_SUFFIXES) or not path.is_file():
            continue
        if now - path.stat().st_mtime < SETTLE_SECONDS:
            continue
        new.append(path)
    errors = []
    for path in new:
        try:
            queued = service.start_ingest(engine, [path], fmt=feed["format"], feed_id=feed["id"])
            result["runs"].append(queued["run"])
            changes["last_run_id"] = queued["run"]
        except service.ServiceError as error:
            errors.append(str(error))
        # Marked seen after its run is recorded (and queued): a crash in between ingests it twice (stored
        # once), never zero times.
        seen.add(path.name)
        with engine.begin() as connection:
            connection.execute(update(FEEDS).where(FEEDS.c.id == feed["id"]).values(seen_files=sorted(seen)))
    result["outcome"] = f"{len(new)} new files" + (f"; {len(errors)} unreadable: {errors[0]}" if errors else "")


# --- the demo -------------------------------------------------------------------------------------------------


def register_demo_feeds(engine: Engine, samples_dir: str | Path) -> dict:
    """Register the sample feeds (a folder feed of Atom files, a local RSS feed per outlet) and poll them once here.

    `samples_dir` is the repository's samples/ folder (or its feeds/ subfolder). Idempotent: feeds that exist
    are kept; a second call polls them again (unchanged files cost nothing).
    """
    samples_dir = Path(samples_dir)
    feeds_dir = samples_dir / "feeds" if (samples_dir / "feeds").is_dir() else samples_dir
    wanted: list[tuple[str, str, Path]] = []
    if (feeds_dir / "outlets_atom").is_dir():
        wanted.append(("demo-atom-folder", "folder", feeds_dir / "outlets_atom"))
    for path in sorted((feeds_dir / "outlets_rss").glob("*.xml")) if (feeds_dir / "outlets_rss").is_dir() else []:
        wanted.append((f"demo-rss-{path.stem}", "rss", path))
    existing = {feed["name"]: feed for feed in list_feeds(engine)}
    ids = []
    for name, kind, location in wanted:
        feed = existing.get(name) or add_feed(engine, name=name, kind=kind, location=str(location), every="5m")
        ids.append(feed["id"])
    polls = [_poll_in_process(engine, feed_id) for feed_id in ids]
    return {"feeds": len(ids), "stored": sum(p.get("stored", 0) for p in polls),
            "runs": [run for p in polls for run in p.get("runs", [])], "polls": polls}


def _poll_in_process(engine: Engine, feed_id: int) -> dict:
    """Poll with every step in this process, whatever SMEARWATCH_BROKER_URL says (the demo needs no service)."""
    result = service.start_feed_poll(engine, feed_id, here=True)
    if result.get("runs"):
        with engine.connect() as connection:
            stored = connection.execute(
                select(RUNS.c.stored).where(RUNS.c.id.in_(result["runs"]))
            ).scalars().all()
        result["stored"] = sum(stored)
    return result


__all__ = ["FeedError", "KINDS", "SLICES", "add_feed", "claim_due_feeds", "fetch", "list_feeds", "parse_every",
           "poll_feed", "register_demo_feeds", "remove_feed"]
