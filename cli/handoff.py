"""Least-connections balancing for `serve --workers N`: the supervisor accepts each connection and hands it to the
worker that holds the fewest open ones.

Why not let the kernel spread them: with a SO_REUSEPORT socket per worker, each connection goes to a worker by a
hash of its addresses, so 20 kept-alive clients split 7/13 or 15/5 as often as 10/10, and the busier worker's
clients wait (bench/api.py: p95 87 ms at 10/10, 120 ms at 15/5). With one socket shared by all workers, whichever
process wakes first accepts a whole burst. Handing accepted sockets over a Unix socket (SCM_RIGHTS) costs the
supervisor one accept and one sendmsg per connection, not per request.
"""

import asyncio
import ctypes
import multiprocessing
import socket
from dataclasses import dataclass

import uvicorn

HANDED = b"c"  # the one byte that carries each connection's descriptor
READY = b"r"  # a worker's one message: it serves from now on


def channel_pair() -> tuple[socket.socket, socket.socket]:
    """(supervisor end, worker end): SEQPACKET keeps one connection per message."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


@dataclass
class WorkerSlot:
    """The supervisor's view of one worker: its process, its channel, whether it has started serving, and its
    connections handed minus closed."""
    process: multiprocessing.Process
    channel: socket.socket
    closed: ctypes.c_longlong  # shared memory, written by the worker only
    started: float
    ready: bool = False
    handed: int = 0

    def open_connections(self) -> int:
        return self.handed - self.closed.value

    def hear(self) -> bool:
        """Read the worker's message (it is ready) or the end of its channel (it died); False once it has gone."""
        try:
            message = self.channel.recv(1)
        except OSError:
            message = b""
        self.ready = message == READY
        return bool(message)


def hand_over(connection: socket.socket, slots: list[WorkerSlot]) -> bool:
    """Send `connection` to the ready worker with the fewest open connections (to one still starting only when
    none is ready: the connection waits for it); False when no worker took it."""
    live = [slot for slot in slots if slot.process.is_alive()]
    for slot in sorted(live, key=lambda slot: (not slot.ready, slot.open_connections())):
        try:
            socket.send_fds(slot.channel, [HANDED], [connection.fileno()])
        except OSError:  # the worker has just died; its replacement gets the next connections
            continue
        slot.handed += 1
        return True
    return False


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server that listens on nothing: it serves the connections the supervisor hands it, and counts
    the ones that close in `closed` so the supervisor knows its load."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket, closed: ctypes.c_longlong) -> None:
        super().__init__(config)
        self._channel = channel
        self._closed = closed

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        counted = _counting_closes(self.config.http_protocol_class, self._closed)

        def protocol() -> asyncio.Protocol:
            return counted(config=self.config, server_state=self.server_state, app_state=self.lifespan.state)

        loop = asyncio.get_running_loop()
        self._channel.setblocking(False)
        loop.add_reader(self._channel.fileno(), self._take, loop, protocol)
        self._channel.send(READY)

    def _take(self, loop: asyncio.AbstractEventLoop, protocol) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(self._channel, 1, 1)
        except BlockingIOError:
            return
        if not data:  # the supervisor has gone: stop, as a signal would
            loop.remove_reader(self._channel.fileno())
            self.should_exit = True
            return
        for fd in fds:
            connection = socket.socket(fileno=fd)
            connection.setblocking(False)
            loop.create_task(loop.connect_accepted_socket(protocol, connection))


def _counting_closes(protocol_class: type, closed: ctypes.c_longlong) -> type:
    """uvicorn's HTTP protocol, adding one to `closed` whenever a connection ends."""

    class CountingCloses(protocol_class):
        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            closed.value += 1  # one writer (this worker's loop): no lock needed

    return CountingCloses
