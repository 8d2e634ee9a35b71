"""Running the `smearwatch` command from tests: as a separate process, or in this process through its `main(argv)`.

`run_cli` starts the command as a separate process (`python -m cli`, SMEARWATCH in services.py), as a user would;
use it when the test is about the real process (the console script, signals, kill -9, several processes, an
environment of its own). `call_cli` calls the CLI's `main(argv)` in this process with the same arguments and the
same result, without the cost of starting Python and importing the stack again.

`call_cli` is not for a command that hands work to a broker: the Celery app of a process takes its broker URL
when it is first imported, so an in-process call would send the work to that broker, not to SMEARWATCH_BROKER_URL
in `env`. Commands that only read or write the database are fine with a broker set.
"""

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

# The CLI's entry point, argument parser and command table: the one place that says where the CLI lives.
from cli import COMMANDS, build_parser, main
from smearwatch.db import get_engine
from smearwatch.settings import get_settings

from .services import REPO, SMEARWATCH

__all__ = ["COMMANDS", "build_parser", "call_cli", "main", "run_cli"]


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, input: str | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `smearwatch ARGS` as a separate process with `env` added to this process's environment."""
    return subprocess.run(
        [*SMEARWATCH, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
        cwd=cwd or REPO, input=input, timeout=timeout,
    )


def call_cli(*args: str, env: dict | None = None, cwd: Path | None = None,
             input: str | None = None) -> subprocess.CompletedProcess:
    """Run `smearwatch ARGS` in this process: `main(argv)` with `env` added to the environment, `cwd` as the
    working directory, `input` as stdin and stdout/stderr captured; everything is restored afterwards.

    Returns what `run_cli` returns (returncode, stdout, stderr), so a test can switch between the two. The cached
    settings and engine are dropped before and after, as a new process would start without them.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    with _environment(env or {}), contextlib.chdir(cwd or REPO), _fresh_settings(), \
            contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), \
            _stdin(input or ""):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse: usage errors, --help, --version
            code = _exit_status(exit_.code, stderr)
    return subprocess.CompletedProcess(["smearwatch", *args], code, stdout.getvalue(), stderr.getvalue())


def _exit_status(code, stderr: io.StringIO) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)  # sys.exit("message") prints the message and exits 1
    return 1


@contextlib.contextmanager
def _environment(env: dict):
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _fresh_settings():
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield
    finally:
        if get_engine.cache_info().currsize:
            get_engine().dispose()  # the engine of the call: its pooled connections, before the cache lets go of it
        get_engine.cache_clear()
        get_settings.cache_clear()


@contextlib.contextmanager
def _stdin(text: str):
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved
