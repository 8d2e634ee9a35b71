"""`smearwatch serve [--host H] [--port P] [--workers N]`: the review app and JSON API (uvicorn)."""

import argparse
import ctypes
import multiprocessing
import signal
import socket
import time

import uvicorn

from smearwatch.settings import get_settings

APP = "api.main:create_app"
STARTUP_SECONDS = 10
PR_SET_PDEATHSIG = 1  # linux/prctl.h


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
        _serve(args.host, args.port, reuse_port=False)
    elif hasattr(socket, "SO_REUSEPORT"):
        _supervise(args.workers, args.host, args.port)
    else:  # no per-worker sockets on this system: uvicorn's workers share one
        uvicorn.run(APP, factory=True, host=args.host, port=args.port, workers=args.workers, log_level="warning",
                    access_log=False, proxy_headers=False)
    return 0


def _config(host: str, port: int):
    return uvicorn.Config(APP, factory=True, host=host, port=port, log_level="warning", access_log=False,
                          proxy_headers=False)


def _listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def _check_free(host: str, port: int) -> None:
    """Fail with one line when the address is taken (also by another smearwatch: its workers would share it)."""
    try:
        _listening_socket(host, port, reuse_port=False).close()
    except OSError as error:
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def _serve(host: str, port: int, *, reuse_port: bool) -> None:
    server = uvicorn.Server(_config(host, port))
    server.run(sockets=[_listening_socket(host, port, reuse_port=reuse_port)])


def _worker(host: str, port: int) -> None:
    _exit_with_parent()
    _serve(host, port, reuse_port=True)


def _exit_with_parent() -> None:
    """Ask Linux to stop this worker when the supervisor dies, even by SIGKILL: an orphan would hold the port."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's normal exit still stops its workers
        pass


def _supervise(workers: int, host: str, port: int) -> None:
    """Run `workers` processes, each with its own SO_REUSEPORT socket, and replace any that dies.

    With one socket shared by all workers (uvicorn's own --workers), whichever process wakes first accepts most
    new connections, and kept-alive clients stay on it while the others idle; with a socket each, the kernel
    spreads connections evenly over the workers.
    """
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> tuple[multiprocessing.Process, float]:
        process = context.Process(target=_worker, args=(host, port), name="smearwatch-serve", daemon=True)
        process.start()
        return process, time.monotonic()

    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.5)
            for i, (process, started) in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if process.exitcode > 0 and time.monotonic() - started < STARTUP_SECONDS:
                    # it failed to start (not killed): starting it again would fail the same way
                    raise RuntimeError(f"a worker exited at start-up (exit code {process.exitcode})")
                processes[i] = start()  # a worker that died after serving is replaced
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            process.join(10)
