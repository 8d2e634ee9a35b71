"""`smearwatch serve [--host H] [--port P] [--workers N]`: the review app and JSON API (uvicorn)."""

import argparse
import ctypes
import multiprocessing
import selectors
import signal
import socket
import time

import uvicorn

from cli.handoff import HandedConnectionsServer, WorkerSlot, channel_pair, hand_over
from smearwatch.settings import get_settings

APP = "api.main:create_app"
STARTUP_SECONDS = 10
PR_SET_PDEATHSIG = 1  # linux/prctl.h
BACKLOG = 2048  # uvicorn's default


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")


def run(args: argparse.Namespace) -> int:
    get_settings()  # refuse a placeholder secret before listening
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    _check_free(args.host, args.port)
    print(f"smearwatch: review app on http://{args.host}:{args.port}/ (health: /api/v1/health)", flush=True)
    if args.workers == 1:
        _serve(args.host, args.port)
    elif hasattr(socket, "send_fds"):
        _supervise(args.workers, args.host, args.port)
    else:  # no descriptor passing on this system: uvicorn's workers share one socket
        uvicorn.run(APP, factory=True, host=args.host, port=args.port, workers=args.workers, log_level="warning",
                    access_log=False, proxy_headers=False)
    return 0


def _config(host: str, port: int):
    return uvicorn.Config(APP, factory=True, host=host, port=port, log_level="warning", access_log=False,
                          proxy_headers=False)


def _listening_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    return sock


def _check_free(host: str, port: int) -> None:
    """Fail with one line when the address is taken."""
    try:
        _listening_socket(host, port).close()
    except OSError as error:
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def _serve(host: str, port: int) -> None:
    server = uvicorn.Server(_config(host, port))
    server.run(sockets=[_listening_socket(host, port)])


def _worker(channel: socket.socket, closed: ctypes.c_longlong) -> None:
    _exit_with_parent()
    HandedConnectionsServer(_config("127.0.0.1", 0), channel, closed).run()


def _exit_with_parent() -> None:
    """Ask Linux to stop this worker when the supervisor dies, even by SIGKILL: an orphan would idle on with its
    database connections."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's normal exit still stops its workers
        pass


def _supervise(workers: int, host: str, port: int) -> None:
    """Accept on one socket, hand each connection to the worker with the fewest open ones (cli/handoff.py), and
    replace any worker that dies."""
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> WorkerSlot:
        ours, theirs = channel_pair()
        closed = context.Value("q", 0, lock=False)
        process = context.Process(target=_worker, args=(theirs, closed), name="smearwatch-serve", daemon=True)
        process.start()
        theirs.close()
        return WorkerSlot(process, ours, closed, time.monotonic())

    listener = _listening_socket(host, port)
    listener.listen(BACKLOG)
    listener.setblocking(False)
    slots = [start() for _ in range(workers)]
    with selectors.DefaultSelector() as selector:
        selector.register(listener, selectors.EVENT_READ)
        for slot in slots:
            selector.register(slot.channel, selectors.EVENT_READ, slot)
        try:
            while not stopping:
                for key, _ in selector.select(timeout=0.5):
                    if key.fileobj is listener:
                        _accept_all(listener, slots)
                    elif not key.data.hear():  # its channel closed: it died, so no more connections for it
                        selector.unregister(key.fileobj)
                for i, slot in enumerate(slots):
                    if slot.process.is_alive() or stopping:
                        continue
                    if slot.process.exitcode > 0 and time.monotonic() - slot.started < STARTUP_SECONDS:
                        # it failed to start (not killed): starting it again would fail the same way
                        raise RuntimeError(f"a worker exited at start-up (exit code {slot.process.exitcode})")
                    if slot.channel.fileno() in selector.get_map():  # not unregistered when its end was heard
                        selector.unregister(slot.channel)
                    slot.channel.close()
                    slots[i] = start()  # a worker that died after serving is replaced
                    selector.register(slots[i].channel, selectors.EVENT_READ, slots[i])
        finally:
            listener.close()
            for slot in slots:
                slot.process.terminate()
            for slot in slots:
                slot.process.join(10)


def _accept_all(listener: socket.socket, slots: list[WorkerSlot]) -> None:
    while True:
        try:
            connection, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # e.g. the client reset before we accepted, or out of descriptors for a moment
            return
        with connection:  # the worker holds its own copy once handed over
            hand_over(connection, slots)
