"""`smearwatch serve --workers N`: N processes, each listening on the port with its own socket; a killed worker is
replaced; a taken port is one line of error."""

import os
import signal
import subprocess

from devsupport.services import SMEARWATCH, free_port, http_ok, wait_for


def listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:port (from /proc/net/tcp: state 0A is LISTEN)."""
    wanted = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        return sum(1 for line in table.readlines()[1:] if line.split()[1] == wanted and line.split()[3] == "0A")


def children(pid: int) -> list[int]:
    """The worker processes of `pid` (multiprocessing also starts a resource tracker)."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        pids = [int(x) for x in f.read().split()]
    workers = []
    for child in pids:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                if b"resource_tracker" not in f.read():
                    workers.append(child)
        except FileNotFoundError:  # it has just exited
            pass
    return workers


def healthy(base: str) -> bool:
    return http_ok(base + "/api/v1/health", timeout=2)


def test_workers_listen_each_on_their_own_socket_and_are_replaced(tmp_path, migrated_sqlite):
    url = migrated_sqlite(tmp_path / "serve.db")
    port = free_port()
    env = {**os.environ, "SMEARWATCH_DATABASE_URL": url}
    server = subprocess.Popen([*SMEARWATCH, "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(base) and listening_sockets(port) == 2, 60, what="two listening workers")
        workers = children(server.pid)
        assert len(workers) == 2

        # a worker killed by the system is replaced, and the port keeps answering
        os.kill(workers[0], signal.SIGKILL)
        wait_for(lambda: len(children(server.pid)) == 2 and workers[0] not in children(server.pid), 60,
                 what="the killed worker replaced")
        wait_for(lambda: listening_sockets(port) == 2 and healthy(base), 60, what="two listening workers")
        assert all(healthy(base) for _ in range(20))

        taken = subprocess.run([*SMEARWATCH, "serve", "--port", str(port)], env=env,
                               capture_output=True, text=True, timeout=60)
        assert taken.returncode == 1
        assert taken.stderr.strip().count("\n") == 0 and f"cannot listen on 127.0.0.1:{port}" in taken.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert server.returncode == 0
    assert listening_sockets(port) == 0


def test_workers_stop_when_the_supervisor_is_killed(tmp_path, migrated_sqlite):
    url = migrated_sqlite(tmp_path / "serve.db")
    port = free_port()
    server = subprocess.Popen([*SMEARWATCH, "serve", "--port", str(port), "--workers", "2"],
                              env={**os.environ, "SMEARWATCH_DATABASE_URL": url}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}") and listening_sockets(port) == 2, 60,
                 what="two listening workers")
    finally:
        server.kill()
        server.wait(10)
    wait_for(lambda: listening_sockets(port) == 0, 30, what="the port freed")  # no orphan keeps the port
