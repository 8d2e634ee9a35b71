"""Run a command as a child process and measure its wall time and its own peak RSS (from os.wait4)."""

import os
import subprocess
import tempfile
import time


def run_measured(command: list[str], env: dict | None = None) -> dict:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # CPU seconds (user + system) next to wall time: on a machine shared with other work, wall time
        # measures the neighbours too, CPU time mostly our own cost
        return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "peak_rss_mb": usage.ru_maxrss / 1024, "returncode": process.returncode,
                "stdout": out.read(), "stderr": err.read()}
