"""Real services for the integration tests and the benchmarks: a private Redis, `smearwatch worker`, `beat` and
`serve` processes, a private PostgreSQL, and the small helpers they need (a free port, waiting for a condition).

Never touches the shared Redis on 6379 or the shared PostgreSQL server: every process here is started on a free
port by its caller and stopped by it. Imported by tests/ and bench/; not part of the installed package.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import redis

REPO = Path(__file__).resolve().parents[1]
# The `smearwatch` command as a separate process; the one place that says how to start it.
SMEARWATCH = [sys.executable, "-m", "cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def http_ok(url: str, timeout: float = 1.0) -> bool:
    """True when a GET of `url` answers 200 (False when nothing listens yet or the request fails)."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class RedisServer:
    """redis-server on a free port with an append-only file fsynced on every write (nothing acknowledged is lost)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction",
             "--protected-mode", "no"],
            stdout=open(self.directory / "redis.log", "ab"), stderr=subprocess.STDOUT,
        )
        wait_for(self._ping, 15, what="redis-server")
        return self

    def _ping(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(15)

    def restart(self, sig: int = signal.SIGKILL) -> None:
        self.stop(sig)
        self.start()


class WorkerProcess:
    """`smearwatch worker` in its own process group, so kill -9 takes the main process and its pool together."""

    def __init__(self, env: dict, log: Path, queues: str = "ingest,score", concurrency: int = 1, name: str = "w"):
        self.env, self.log, self.queues, self.concurrency, self.name = env, log, queues, concurrency, name
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.process = subprocess.Popen(
            [*SMEARWATCH, "worker", f"--queues={self.queues}",
             f"--concurrency={self.concurrency}", f"--name={self.name}-{time.monotonic_ns()}@%h", "--loglevel=INFO"],
            env={**os.environ, **self.env}, cwd=REPO, start_new_session=True,
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
        )
        return self

    def kill9(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


class BeatProcess(WorkerProcess):
    def start(self) -> "BeatProcess":
        self.process = subprocess.Popen(
            [*SMEARWATCH, "beat", "--interval=0.5", "--loglevel=INFO"],
            env={**os.environ, **self.env}, cwd=REPO, start_new_session=True,
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
        )
        return self


class ServerProcess:
    """`smearwatch serve` on a free port in its own process group; start() returns once /api/v1/health answers."""

    def __init__(self, env: dict, log: Path, *, cwd: Path = REPO, args: tuple[str, ...] = (),
                 unset: tuple[str, ...] = ()):
        """`env` is added to this process's environment, minus the variables named in `unset`."""
        self.env, self.log, self.cwd, self.args, self.unset = env, log, cwd, args, unset
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "ServerProcess":
        env = {key: value for key, value in os.environ.items() if key not in self.unset}
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [*SMEARWATCH, "serve", "--port", str(self.port), *self.args], env={**env, **self.env}, cwd=self.cwd,
                start_new_session=True, stdout=out, stderr=subprocess.STDOUT,
            )
        try:
            wait_for(lambda: self.process.poll() is not None or http_ok(self.base + "/api/v1/health"), timeout,
                     interval=0.1, what="smearwatch serve")
        except AssertionError:
            self.stop()
            raise AssertionError(f"smearwatch serve did not answer within {timeout} s:\n{self.output()}") from None
        if self.process.poll() is not None:
            raise AssertionError(f"smearwatch serve exited with {self.process.returncode}:\n{self.output()}")
        return self

    def output(self, tail: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-tail:] if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM to the server (with --workers, its supervisor stops the workers), then SIGKILL to whatever of
        its process group is left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:  # the whole group is gone
            pass
        self.process.wait(5)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb into a temp dir) on a free port, trust authentication."""

    def __init__(self):
        # Not under pytest's tmp dir: when the tests run as root, the server runs as `postgres`, which cannot
        # enter root's private pytest directories.
        self.directory = Path(tempfile.mkdtemp(prefix="smearwatch-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if os.geteuid() == 0:  # initdb and pg_ctl refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> "PostgresCluster":
        if not self.data.exists():
            if os.geteuid() == 0:
                user = pwd.getpwnam("postgres")
                os.chown(self.directory, user.pw_uid, user.pw_gid)
            self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--no-sync")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "pg.log"), "-w", "start",
                  "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off")
        wait_for(self._ready, 30, what="postgres")
        return self

    def _ready(self) -> bool:
        try:
            with psycopg.connect(self.admin_url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def restart(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        time.sleep(1.0)
        self.start()

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"
