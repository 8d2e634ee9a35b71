"""`smearwatch serve --workers N`: the supervisor listens and hands each connection to the worker with the fewest
open ones; a killed worker is replaced while the port keeps answering; a taken port is one line of error."""

import os
import signal
import socket
import subprocess

from devsupport.services import SMEARWATCH, free_port, http_ok, wait_for


def tcp_sockets(port: int, state: str) -> dict[int, str]:
    """Inode -> local:remote of the IPv4 sockets in `state` on 127.0.0.1:port (/proc/net/tcp: 0A LISTEN,
    01 ESTABLISHED)."""
    wanted = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return {int(row[9]): f"{row[1]}-{row[2]}" for row in rows if row[1] == wanted and row[3] == state}


def listening_sockets(port: int) -> int:
    return len(tcp_sockets(port, "0A"))


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


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


def kept_alive(port: int, count: int) -> list[socket.socket]:
    """`count` connections that each made one request and stay open (as browsers and API clients keep them)."""
    connections = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        connection.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        connections.append(connection)
    return connections


def connections_per_worker(port: int, workers: list[int]) -> list[int]:
    served = tcp_sockets(port, "01")
    return [len(served.keys() & socket_inodes(pid)) for pid in workers]


def both_serving(port: int, workers: list[int]) -> bool:
    """Whether two new connections land on two workers (while one is still starting, all go to the other)."""
    probes = kept_alive(port, 2)
    try:
        return sorted(connections_per_worker(port, workers)) == [1, 1]
    finally:
        for probe in probes:
            probe.close()


def test_workers_share_connections_evenly_and_are_replaced(tmp_path, migrated_sqlite):
    url = migrated_sqlite(tmp_path / "serve.db")
    port = free_port()
    env = {**os.environ, "SMEARWATCH_DATABASE_URL": url}
    server = subprocess.Popen([*SMEARWATCH, "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(base) and len(children(server.pid)) == 2, 60, what="two workers")
        assert listening_sockets(port) == 1 and tcp_sockets(port, "0A").keys() <= socket_inodes(server.pid)
        workers = children(server.pid)
        wait_for(lambda: both_serving(port, workers), 60, what="both workers serving")
        wait_for(lambda: connections_per_worker(port, workers) == [0, 0], 10, what="the probes closed")

        # 20 kept-alive connections: 10 on each worker (the kernel's hash split them 7/13 or 15/5 as often as not)
        connections = kept_alive(port, 20)
        assert connections_per_worker(port, workers) == [10, 10]
        for connection in connections[:8]:  # 8 of the first 20 close: 4 on each worker
            connection.close()
        wait_for(lambda: connections_per_worker(port, workers) == [6, 6], 10, what="closed connections gone")
        connections = connections[8:] + kept_alive(port, 8)
        assert connections_per_worker(port, workers) == [10, 10]
        for connection in connections:
            connection.close()

        # a worker killed by the system is replaced; the port keeps answering meanwhile (the other worker serves
        # everything until the new one is ready: a connection handed to a starting worker would wait seconds)
        os.kill(workers[0], signal.SIGKILL)
        wait_for(lambda: not os.path.exists(f"/proc/{workers[0]}/fd/0"), 10, what="the worker dead")
        assert all(healthy(base) for _ in range(20))
        wait_for(lambda: len(children(server.pid)) == 2 and workers[0] not in children(server.pid), 60,
                 what="the killed worker replaced")
        wait_for(lambda: healthy(base), 60, what="answers")
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
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}") and len(children(server.pid)) == 2, 60,
                 what="two workers")
        workers = children(server.pid)
    finally:
        server.kill()
        server.wait(10)
    wait_for(lambda: listening_sockets(port) == 0, 30, what="the port freed")
    wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in workers), 30, what="no orphan worker")
