"""Hostile feed servers, built here on 127.0.0.1: a trickle, a redirect loop, a broken gzip body, non-feed content,
redirects to loopback and a name resolving to loopback. Every poll ends by its deadline, refuses what the host
policy refuses before a byte is sent there, and is recorded on the feed (status, failures); `feeds poll` prints
one line and exits 1.
"""

import gzip
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from fixture_files import rss
from sqlalchemy import select

from devsupport.commands import call_cli
from devsupport.services import free_port
from smearwatch.db import get_engine
from smearwatch.models import Feed
from smearwatch.settings import get_settings
from worker import feeds, scoring
from worker.feeds import FeedError, HostPolicy, add_feed, address_refusal, fetch, poll_feed

# Generous: a poll must end by its deadline (2 s here); the bound only absorbs a loaded machine.
DEADLINE = 2.0
SLACK = 8.0
FEED = rss([("h-1", "Бюро защищает иностранцев")])


@pytest.fixture
def setting(monkeypatch):
    """`setting(FEED_DEADLINE="2")` sets SMEARWATCH_* variables for this test; the cached settings follow."""

    def put(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"SMEARWATCH_{name}", str(value))
        get_settings.cache_clear()

    monkeypatch.delenv("SMEARWATCH_FEED_ALLOW_PRIVATE", raising=False)
    monkeypatch.delenv("SMEARWATCH_FEED_ALLOW_HOSTS", raising=False)
    put(FEED_DEADLINE=DEADLINE, FEED_RETRIES=1, FEED_TIMEOUT=20)
    yield put
    get_settings.cache_clear()


class Hostile:
    """A ThreadingHTTPServer on a free port whose routes (path -> function of the handler) misbehave on purpose;
    `hits` lists the paths asked for, so a test can tell that nothing reached a server."""

    def __init__(self, routes: dict, host: str = "127.0.0.1"):
        self.routes = routes
        self.hits: list[str] = []
        self.stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits.append(self.path)
                outer.routes[urlsplit(self.path).path](self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.stop = self.stop  # trickling routes stop with the server
        self.host, self.port = host, self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str = "/feed.xml", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    """`serve(routes, host=...)` starts a Hostile server, closed after the test."""
    servers = []

    def start(routes: dict, host: str = "127.0.0.1") -> Hostile:
        servers.append(Hostile(routes, host))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def answer(status: int, body: bytes = b"", **headers):
    def route(handler):
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return route


def trickle(prefix: bytes, byte: bytes = b"a", every: float = 0.05):
    """Send `prefix`, then one byte every `every` seconds, forever (until the client or the test goes)."""

    def route(handler):
        try:
            handler.wfile.write(prefix)
            while not handler.server.stop.is_set():
                handler.wfile.write(byte)
                handler.wfile.flush()
                time.sleep(every)
        except OSError:  # the client hung up
            pass
    return route


TRICKLED_BODY = b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 10000\r\n\r\n<rss>"
TRICKLED_HEADERS = b"HTTP/1.0 200 OK\r\nX-Slow: "
BROKEN_GZIP = gzip.compress(FEED)[:12] + b"this is no deflate stream" * 20
HTML = b"<!doctype html><html><head><title>Welcome</title></head><body><p>Not a feed.</p></body></html>"


# --- the host policy --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("100.64.0.1", "not a globally reachable"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("::ffff:169.254.169.254", "link-local"),
    ("2002:7f00:1::", "loopback"), ("64:ff9b::a00:1", "private"),
])
def test_non_global_addresses_are_refused(address, kind):
    assert kind in address_refusal(ipaddress.ip_address(address))
    assert f"{address} is " in HostPolicy().refusal(address, address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_global_addresses_are_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) is None
    assert HostPolicy().refusal("news.example", address) is None


def test_settings_allow_private_addresses_listed_networks_and_listed_names(setting):
    setting(FEED_ALLOW_HOSTS="10.0.0.0/8, intranet.example, [fd00::1]")
    policy = HostPolicy.from_settings()
    assert policy.refusal("a.example", "10.9.8.7") is None
    assert policy.refusal("a.example", "::ffff:10.9.8.7") is None
    assert policy.refusal("a.example", "fd00::1") is None
    assert policy.refusal("intranet.example", "192.168.0.5") is None  # a listed name, whatever it resolves to
    assert "a.example resolves to 192.168.0.5, a private address" == policy.refusal("a.example", "192.168.0.5")
    assert "loopback" in policy.refusal("a.example", "127.0.0.1")
    setting(FEED_ALLOW_HOSTS="", FEED_ALLOW_PRIVATE="true")
    assert HostPolicy.from_settings().refusal("localhost", "127.0.0.1") is None
    setting(FEED_ALLOW_HOSTS="10.0.0.0/33", FEED_ALLOW_PRIVATE="false")
    with pytest.raises(FeedError, match="SMEARWATCH_FEED_ALLOW_HOSTS: '10.0.0.0/33'"):
        HostPolicy.from_settings()


def test_loopback_is_refused_by_default_before_any_request(setting, serve):
    server = serve({"/feed.xml": answer(200, FEED)})
    with pytest.raises(FeedError, match=r"127\.0\.0\.1 is a loopback address, refused by the host policy"):
        fetch(server.url())
    assert server.hits == []
    setting(FEED_ALLOW_PRIVATE="true")
    assert fetch(server.url()).changed and server.hits == ["/feed.xml"]


def test_a_name_resolving_to_loopback_is_refused(setting, serve):
    server = serve({"/feed.xml": answer(200, FEED)})
    with pytest.raises(FeedError, match=r"localhost resolves to (127\.0\.0\.1|::1), a loopback address"):
        fetch(server.url(host="localhost"))
    assert server.hits == []
    setting(FEED_ALLOW_HOSTS="localhost")  # allowed by name
    fetched = fetch(server.url(host="localhost"))
    assert fetched.changed and fetched.path.read_bytes() == FEED
    fetched.path.unlink()


@pytest.mark.parametrize("target, allowable", [
    ("http://127.0.0.1:{port}/feed.xml", True), ("http://localhost:{port}/feed.xml", True),
    ("http://[::ffff:127.0.0.1]:{port}/feed.xml", False), ("http://169.254.169.254/latest/meta-data/", False),
    ("file:///etc/passwd", False),
])
def test_a_redirect_is_checked_before_it_is_followed(setting, serve, target, allowable):
    """The feed's own host is allowed (127.0.0.2, by network); where it redirects to is checked anew."""
    inner = serve({"/feed.xml": answer(200, FEED)})
    try:
        outer = serve({"/feed.xml": answer(302, Location=target.format(port=inner.port))}, host="127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here (Linux routes all of 127.0.0.0/8 to loopback)")
    setting(FEED_ALLOW_HOSTS="127.0.0.2/32")
    with pytest.raises(FeedError) as raised:
        fetch(outer.url())
    message = str(raised.value)
    assert message.startswith(f"{outer.url()} (redirected to ")
    assert "refused by the host policy" in message or "only http and https" in message
    assert outer.hits == ["/feed.xml"] and inner.hits == []  # not retried, and nothing reached the target
    if allowable:  # and once allowed, followed
        setting(FEED_ALLOW_HOSTS="127.0.0.2/32, 127.0.0.1/32, localhost")
        fetched = fetch(outer.url())
        assert fetched.changed and fetched.path.read_bytes() == FEED and inner.hits == ["/feed.xml"]
        fetched.path.unlink()


# --- the deadline -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [TRICKLED_BODY, TRICKLED_HEADERS], ids=["body", "headers"])
def test_a_trickling_server_is_left_at_the_deadline(setting, serve, prefix):
    server = serve({"/feed.xml": trickle(prefix)})
    setting(FEED_ALLOW_PRIVATE="true")
    started = time.monotonic()
    with pytest.raises(FeedError, match=r"the feed deadline of 2 s passed \(SMEARWATCH_FEED_DEADLINE\)"):
        fetch(server.url())
    assert time.monotonic() - started < DEADLINE + SLACK
    assert server.hits == ["/feed.xml"]  # a deadline is not retried


def test_the_deadline_covers_every_attempt_and_backoff(setting, serve):
    server = serve({"/feed.xml": answer(503, b"busy")})
    setting(FEED_ALLOW_PRIVATE="true", FEED_RETRIES=10)
    started = time.monotonic()
    with pytest.raises(FeedError, match=r"deadline of 2 s passed .*the last: HTTP 503"):
        fetch(server.url())
    assert time.monotonic() - started < DEADLINE + SLACK
    assert 1 <= len(server.hits) < 11


def test_a_silent_server_is_left_at_the_deadline_whatever_the_timeout(setting):
    """A server that accepts and never answers: the per-read timeout (20 s) is longer than the deadline."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        setting(FEED_ALLOW_PRIVATE="true")
        started = time.monotonic()
        with pytest.raises(FeedError, match="deadline of 2 s passed"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml")
        assert time.monotonic() - started < DEADLINE + SLACK
    finally:
        listener.close()


# --- redirects and bodies -----------------------------------------------------------------------------------------


def test_a_redirect_loop_ends_after_a_few_hops(setting, serve):
    server = serve({"/a": answer(302, Location="/b"), "/b": answer(301, Location="/a")})
    setting(FEED_ALLOW_PRIVATE="true")
    with pytest.raises(FeedError, match=r"more than 5 redirects \(a redirect loop\?\)"):
        fetch(server.url("/a"))
    assert len(server.hits) == 6  # the first request and 5 redirects, not retried


def test_a_broken_gzip_body_is_a_feed_error(setting, serve):
    server = serve({"/feed.xml": answer(200, BROKEN_GZIP, Content_Encoding="gzip")})
    setting(FEED_ALLOW_PRIVATE="true")
    with pytest.raises(FeedError, match=r"the body cannot be decoded \(Content-Encoding gzip\)"):
        fetch(server.url())


# --- every failure recorded on the feed ----------------------------------------------------------------------------


CASES = {  # name -> (kind, routes, feed path, what the error says)
    "trickle": ("rss", {"/feed.xml": trickle(TRICKLED_BODY)}, "/feed.xml", "deadline of 2 s passed"),
    "redirect-loop": ("rss", {"/loop": answer(302, Location="/loop")}, "/loop", "more than 5 redirects"),
    "broken-gzip": ("rss", {"/feed.xml": answer(200, BROKEN_GZIP, Content_Encoding="gzip")}, "/feed.xml",
                    "cannot be decoded"),
    "html-as-rss": ("rss", {"/feed.xml": answer(200, HTML, Content_Type="text/html")}, "/feed.xml",
                    "not a readable RSS/Atom feed"),
    "html-as-dump": ("url", {"/dump.jsonl": answer(200, HTML, Content_Type="text/html")}, "/dump.jsonl",
                     "unknown format"),
    "http-404": ("rss", {"/feed.xml": answer(404, b"gone")}, "/feed.xml", "HTTP 404"),
    "redirect-to-loopback": ("rss", {"/feed.xml": answer(302, Location="http://127.0.0.1:9/feed.xml")},
                             "/feed.xml", "127.0.0.1 is a loopback address"),
    "loopback": ("rss", {"/feed.xml": answer(200, FEED)}, "/feed.xml", "refused by the host policy"),
    "refused": ("rss", {}, None, "ConnectError"),
}


@pytest.fixture
def feed_store(engine, database_url, monkeypatch, setting):
    monkeypatch.setenv("SMEARWATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("SMEARWATCH_BROKER_URL", raising=False)
    monkeypatch.setattr(scoring, "score_run", lambda engine, run_id: None)
    get_engine.cache_clear()
    yield engine
    get_engine.cache_clear()


@pytest.mark.parametrize("case", list(CASES))
def test_every_failure_is_recorded_on_the_feed_and_the_cli_prints_one_line(feed_store, setting, serve, case):
    kind, routes, path, says = CASES[case]
    # The loopback cases keep the default policy; the others poll this machine's server, so allow it.
    if case == "redirect-to-loopback":
        setting(FEED_ALLOW_HOSTS="localhost")
    elif case != "loopback":
        setting(FEED_ALLOW_PRIVATE="true")
    server = serve(routes)
    url = server.url(path, host="localhost" if case == "redirect-to-loopback" else None) if path else \
        f"http://127.0.0.1:{free_port()}/feed.xml"
    feed = add_feed(feed_store, name=case, kind=kind, location=url, every="1m")
    started = time.monotonic()
    result = poll_feed(feed_store, feed["id"])
    assert result["outcome"].startswith("error: ") and says in result["outcome"], result["outcome"]
    assert url in result["outcome"] and "smearwatch-feed-" not in result["outcome"]  # the URL, no temporary file
    assert result["runs"] == [] and result["stored"] == 0
    assert time.monotonic() - started < DEADLINE + SLACK

    polled = call_cli("feeds", "poll", case)
    assert polled.returncode == 1, polled
    assert polled.stdout.count("\n") == 1 and polled.stdout.startswith(f"feed {case}: error: ") and says in polled.stdout
    assert polled.stderr == ""

    with feed_store.connect() as connection:
        row = connection.execute(select(Feed).where(Feed.id == feed["id"])).mappings().one()
    assert row["failures"] == 2
    assert row["last_status"].startswith("error: ") and says in row["last_status"]
    assert row["claimed_until"] is None and row["last_polled_at"] is not None and row["next_due_at"] is not None
    if case == "redirect-to-loopback":
        assert server.hits == ["/feed.xml", "/feed.xml"]  # the feed itself, once per poll; never 127.0.0.1:9
    elif case == "loopback":
        assert server.hits == []


def test_a_feed_that_recovers_counts_no_failure(feed_store, setting, serve):
    setting(FEED_ALLOW_PRIVATE="true")
    server = serve({"/feed.xml": answer(302, Location="/feed.xml")})
    feed = add_feed(feed_store, name="flaky", kind="rss", location=server.url(), every="1m")
    assert poll_feed(feed_store, feed["id"])["outcome"].startswith("error: ")
    server.routes["/feed.xml"] = answer(200, FEED)
    assert poll_feed(feed_store, feed["id"])["stored"] == 1
    assert feeds.get_feed(feed_store, feed["id"])["failures"] == 0
