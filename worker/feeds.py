"""Feeds watched on a schedule: RSS/Atom and dump URLs (HTTP or local files) and folders of dump files.

- HTTP: conditional GET (If-None-Match / If-Modified-Since), a timeout per read, a size cap, and retries with
  exponential backoff on network errors, 429 and 5xx. A 304 ends the poll: nothing is read or stored.
  Hostile servers: one deadline bounds the whole fetch (every DNS lookup, connection, read, redirect, retry and
  backoff), and a host policy refuses loopback, private, link-local and other non-global addresses unless
  allowed: checked on every address a host resolves to, for the first URL and after every redirect (followed
  here, one hop at a time), and the connection goes to the very address checked.
- Local files (file:// URL or a path): unchanged size and modification time count as "not modified".
- Folders: every new file (by name) is ingested once, as a queued run of slices.
The scheduler claims due feeds atomically (`claim_due_feeds`), so two schedulers never dispatch a feed twice.
"""

import ipaddress
import logging
import os
import re
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpcore
import httpx
import psycopg
from kombu.exceptions import KombuError
from redis.exceptions import RedisError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from smearwatch.models import Feed, IngestRun, IngestSlice, utcnow
from smearwatch.settings import get_settings
from worker import service
from worker.ingest_runs import create_queued_run
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
MAX_REDIRECTS = 5
# Failures of the store or the broker are not the feed's: they propagate, so that the task retries them.
NOT_THE_FEEDS = (SQLAlchemyError, psycopg.Error, KombuError, RedisError, ConnectionError)


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
    except NOT_THE_FEEDS:
        raise
    except Exception as error:  # whatever a feed's content does to a reader, the poll is recorded, not lost
        result["outcome"] = f"error: {type(error).__name__}: {error}"
        changes["failures"] = (feed["failures"] or 0) + 1
        log.exception("feed %s: unexpected failure", feed["name"])
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
        run = _ingest_here(engine, feed, fetched.path, feed["location"] if fetched.temporary else str(fetched.path))
    finally:
        if fetched.temporary and fetched.path is not None:
            fetched.path.unlink(missing_ok=True)
    # Validators are kept only once the content is stored, so a failed store is fetched again next time.
    changes.update(etag=fetched.etag, last_modified=fetched.last_modified, last_run_id=run["run"])
    result["runs"].append(run["run"])
    result["stored"] += run["stored"]
    result["outcome"] = f"{fetched.status}: stored {run['stored']} new of {run['read']} read"


def _ingest_here(engine: Engine, feed: dict, path: Path, label: str) -> dict:
    """Store a fetched document in this process (the file is local to this worker), then score its few new posts
    here too rather than queue them behind bulk work. Errors name the document `label` (its URL), not `path`."""
    try:
        run_id, slice_ids = create_queued_run(engine, [path], fmt=feed["format"], options=ReadOptions(),
                                              feed_id=feed["id"])
    except SourceError as error:
        raise FeedError(str(error).replace(str(path), label)) from None
    finished = False
    for slice_id in slice_ids:
        outcome = store_slice(engine, slice_id)
        finished = finished or outcome.run_finished
    with engine.connect() as connection:
        run = connection.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().one()
    if run["status"] == "failed":
        raise FeedError((run["error"] or f"{path}: could not be read").replace(str(path), label))
    if run["stored"]:
        if finished:
            service.run_here(engine, "score_run", run_id)
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
    """GET a feed within the poll's deadline and the host policy; every failure ends as a FeedError."""
    settings = get_settings()
    deadline = Deadline(settings.feed_deadline)
    policy = HostPolicy.from_settings(settings)
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    suffix = "".join(Path(urlparse(url).path).suffixes[-2:])[:20] or ".feed"
    attempts = settings.feed_retries + 1
    last_error = ""
    transport = _GuardedTransport(_GuardedBackend(policy, deadline))
    with httpx.Client(transport=transport, timeout=settings.feed_timeout, follow_redirects=False) as client:
        for attempt in range(attempts):
            if attempt:
                pause = min(30.0, 0.5 * 2 ** (attempt - 1))
                if pause >= deadline.remaining():
                    raise FeedError(deadline.message(url, f"after {attempt} attempts, the last: {last_error}"))
                time.sleep(pause)
            try:
                return _get(client, url, headers, suffix, settings.feed_max_bytes)
            except _Retryable as error:  # 429, 5xx
                last_error = str(error)
            except DeadlinePassed as error:
                raise FeedError(deadline.message(url, str(error))) from None
            except httpx.TransportError as error:  # connection refused or reset, timeouts, protocol errors
                last_error = f"{type(error).__name__}: {error}"
            except httpx.HTTPError as error:  # not worth a retry: a body that cannot be decoded, ...
                raise FeedError(f"{url}: {type(error).__name__}: {error}") from None
    raise FeedError(f"{url}: {last_error} (after {attempts} attempts)")


class _Retryable(Exception):
    """An answer worth another attempt (429, 5xx)."""


def _get(client: httpx.Client, url: str, headers: dict, suffix: str, cap: int) -> Fetched:
    """One attempt: GET `url`, following at most MAX_REDIRECTS redirects one hop at a time, each checked."""
    hop = url
    for _ in range(MAX_REDIRECTS + 1):
        where = url if hop == url else f"{url} (redirected to {hop})"
        if urlparse(hop).scheme not in ("http", "https"):
            raise FeedError(f"{where}: only http and https URLs are followed")
        try:
            with client.stream("GET", hop, headers=headers) as response:
                if response.next_request is not None:  # a redirect with a Location
                    hop = str(response.next_request.url)
                    continue
                status = response.status_code
                if status == 304:
                    return Fetched(changed=False, status="304 not modified")
                if status == 429 or status >= 500:
                    raise _Retryable(f"HTTP {status}")
                if status >= 300:
                    raise FeedError(f"{where}: HTTP {status}")
                path = _save_body(response, suffix, cap, where)
                return Fetched(changed=True, path=path, etag=response.headers.get("etag"),
                               last_modified=response.headers.get("last-modified"), temporary=True,
                               status=f"{status}")
        except HostRefused as error:
            raise FeedError(f"{where}: {error}, refused by the host policy (allow it with "
                            "SMEARWATCH_FEED_ALLOW_HOSTS or SMEARWATCH_FEED_ALLOW_PRIVATE)") from None
        except httpx.DecodingError as error:
            raise FeedError(f"{where}: the body cannot be decoded "
                            f"(Content-Encoding {response.headers.get('content-encoding')}): {error}") from None
        except httpx.InvalidURL as error:
            raise FeedError(f"{where}: {error}") from None
    raise FeedError(f"{url}: more than {MAX_REDIRECTS} redirects (a redirect loop?), the last to {hop}")


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
    except DeadlinePassed:
        Path(name).unlink(missing_ok=True)
        raise DeadlinePassed(f"HTTP {response.status_code}, {response.num_bytes_downloaded} bytes of the body "
                             "received") from None
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


# --- the deadline and the host policy, enforced under httpx (httpcore's network backend) -------------------------


class DeadlinePassed(Exception):
    """The poll's deadline passed during a DNS lookup, a connection, a read or a write (or a backoff)."""


class HostRefused(Exception):
    """A host the policy refuses: it resolves to an address that is not global and not allowed."""


class Deadline:
    """The moment by which a whole fetch ends; `bound` shortens each blocking step so that none outlasts it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def bound(self, timeout: float | None) -> tuple[float, bool]:
        """The timeout of the next step, and whether the deadline (rather than `timeout`) set it."""
        left = self.remaining()
        if left <= 0:
            raise DeadlinePassed
        if timeout is None or left < timeout:
            return left, True
        return timeout, False

    def message(self, url: str, detail: str = "") -> str:
        return (f"{url}: the feed deadline of {self.seconds:g} s passed (SMEARWATCH_FEED_DEADLINE)"
                + (f"; {detail}" if detail else ""))


NAT64 = ipaddress.ip_network("64:ff9b::/96")
HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv6 one: IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16), NAT64 (64:ff9b::/96)."""
    if address.version == 4:
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: Address) -> str | None:
    """Why no feed may be fetched from `address` ("a loopback address"); None for a global unicast address."""
    address = embedded_ipv4(address) or address
    for kind, test in (("an unspecified", address.is_unspecified), ("a loopback", address.is_loopback),
                       ("a link-local", address.is_link_local), ("a multicast", address.is_multicast),
                       ("a reserved", address.is_reserved), ("a private", address.is_private)):
        if test:
            return f"{kind} address"
    return None if address.is_global else "not a globally reachable address"


@dataclass(frozen=True)
class HostPolicy:
    """Which hosts a feed may be fetched from: global addresses, plus what Settings allow."""

    allow_private: bool = False
    hosts: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_settings(cls, settings=None) -> "HostPolicy":
        settings = settings or get_settings()
        hosts, networks = set(), []
        for entry in (settings.feed_allow_hosts or "").split(","):
            entry = entry.strip().lower().rstrip(".")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                if not HOST_NAME.fullmatch(entry):
                    raise FeedError(f"SMEARWATCH_FEED_ALLOW_HOSTS: {entry!r} is neither a host name nor an address "
                                    "or network (CIDR)") from None
                hosts.add(entry)
        return cls(settings.feed_allow_private, frozenset(hosts), tuple(networks))

    def refusal(self, host: str, address: str) -> str | None:
        """Why `host`, resolved to `address`, may not be fetched from; None if it may."""
        if self.allow_private or host.lower().rstrip(".") in self.hosts:
            return None
        ip = ipaddress.ip_address(address)
        reason = address_refusal(ip)
        if reason is None:
            return None
        if any(candidate in network for candidate in (ip, embedded_ipv4(ip)) if candidate is not None
               for network in self.networks):
            return None
        return f"{address} is {reason}" if host == address else f"{host} resolves to {address}, {reason}"


def _resolve(host: str, port: int, deadline: Deadline, timeout: float | None) -> list[str]:
    """The addresses of `host`, looked up in a thread so that a slow resolver cannot outlast the deadline."""
    limit, by_deadline = deadline.bound(timeout)
    found: list = []

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as error:
            found.append(error)

    thread = threading.Thread(target=lookup, name="smearwatch-feed-dns", daemon=True)
    thread.start()
    thread.join(limit)
    if not found:
        if by_deadline:
            raise DeadlinePassed(f"looking up {host}")
        raise httpcore.ConnectTimeout(f"no address for {host} within {limit:g} s")
    if isinstance(found[0], Exception):
        raise httpcore.ConnectError(f"cannot resolve {host}: {found[0]}")
    return list(dict.fromkeys(info[4][0] for info in found[0]))


class _GuardedStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline):
        self.inner, self.deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit, by_deadline = self.deadline.bound(timeout)
        try:
            return self.inner.read(max_bytes, limit)
        except httpcore.ReadTimeout:
            if by_deadline:
                raise DeadlinePassed from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limit, by_deadline = self.deadline.bound(timeout)
        try:
            self.inner.write(buffer, limit)
        except httpcore.WriteTimeout:
            if by_deadline:
                raise DeadlinePassed from None
            raise

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        limit, by_deadline = self.deadline.bound(timeout)
        try:
            return _GuardedStream(self.inner.start_tls(ssl_context, server_hostname, limit), self.deadline)
        except httpcore.ConnectTimeout:
            if by_deadline:
                raise DeadlinePassed from None
            raise

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sockets with the host policy on every address a host resolves to, connecting to the very
    address checked (a second DNS answer cannot swap in another), and the deadline on every step."""

    def __init__(self, policy: HostPolicy, deadline: Deadline):
        self.policy, self.deadline = policy, deadline
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        addresses = _resolve(host, port, self.deadline, timeout)
        for address in addresses:
            refusal = self.policy.refusal(host, address)
            if refusal:
                raise HostRefused(refusal)
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            limit, by_deadline = self.deadline.bound(timeout)
            try:
                stream = self.inner.connect_tcp(address, port, timeout=limit, local_address=local_address,
                                                socket_options=socket_options)
            except httpcore.ConnectTimeout as exc:
                if by_deadline:
                    raise DeadlinePassed(f"connecting to {host}") from None
                error = exc
            except httpcore.ConnectError as exc:
                error = exc
            else:
                return _GuardedStream(stream, self.deadline)
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        raise HostRefused(f"{path}: a Unix socket")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(min(seconds, max(0.0, self.deadline.remaining())))


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport over the guarded backend. HTTPTransport takes no backend, so its pool is made here
    (its other methods only use `_pool`); tests/test_feeds_hostile.py fails if the guard stops taking effect."""

    def __init__(self, backend: _GuardedBackend):  # no super().__init__(): it would build a pool to throw away
        self._pool = httpcore.ConnectionPool(ssl_context=_ssl_context(), network_backend=backend)


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


__all__ = ["FeedError", "HostPolicy", "KINDS", "SLICES", "add_feed", "address_refusal", "claim_due_feeds", "fetch",
           "list_feeds", "parse_every", "poll_feed", "register_demo_feeds", "remove_feed"]
