"""A hostile upload costs the review app one record, not its memory: a small .zst that expands to a GiB without a
newline is stored as its good lines and one rejected line, and the app process stays under 500 MB."""

import time
from pathlib import Path

import httpx
import orjson
import pytest
import zstandard
from sqlmodel import Session

from devsupport.services import ServerProcess, wait_for
from smearwatch import migrate
from smearwatch.db import make_engine
from smearwatch.users import create_user

pytestmark = pytest.mark.integration
MiB = 1024 * 1024


def line(i: int) -> bytes:
    return orjson.dumps({"id": str(i), "author_id": "a", "text": f"post {i}",
                         "created_at": "2020-04-28T10:00:00Z"}) + b"\n"


def bomb() -> bytes:
    """One valid line, then 1 GiB of letters without a newline, then one more valid line: about 30 KB as .zst."""
    filler = zstandard.ZstdCompressor(level=3).compressobj()
    frame = b"".join(filler.compress(b"a" * MiB) for _ in range(16)) + filler.flush()
    return (zstandard.ZstdCompressor().compress(line(1)) + frame * 64
            + zstandard.ZstdCompressor().compress(b"\n" + line(2)))


def peak_rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_decompression_bomb_upload_costs_one_record_and_bounded_memory(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        token = create_user(session, username="uploader", role="reviewer").token
    engine.dispose()
    server = ServerProcess({"SMEARWATCH_DATABASE_URL": url}, tmp_path / "serve.log", cwd=tmp_path,
                           unset=("SMEARWATCH_BROKER_URL",)).start()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.base, headers=headers, timeout=60) as client:
            before = peak_rss_mb(server.process.pid)
            answer = client.post("/api/v1/uploads", params={"filename": "bomb.jsonl.zst"}, content=bomb())
            assert answer.status_code == 202, answer.text
            run_id = answer.json()["run_id"]

            def finished() -> dict | None:
                run = client.get(f"/api/v1/runs/{run_id}").json()
                return run if run["status"] in ("done", "failed") else None

            wait_for(finished, 300, interval=0.5, what="the upload's run to finish")
            time.sleep(0.5)
            run = finished()
            peak = peak_rss_mb(server.process.pid)
        print(f"app process peak RSS: {before:.0f} MB before the upload, {peak:.0f} MB after")
        assert run["status"] == "done" and (run["stored"], run["rejected"]) == (2, 1), run
        assert "longer than" in run["rejections"][0]["reason"]
        assert peak < 500, f"the app process peaked at {peak:.0f} MB (before the upload: {before:.0f} MB)"
    finally:
        server.stop()
