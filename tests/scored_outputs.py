"""What batch scoring writes, read back for comparison: the sample world's in-memory output (a module-scoped
fixture) and an exact comparison of two runs (scores to 1e-6; clusters, campaigns and report as written).
Shared by the streamed, partitioned and queued scoring tests."""

from pathlib import Path

import orjson
import pytest

from worker.batch_scoring import score_dumps

WORLD = Path(__file__).resolve().parent.parent / "samples" / "world" / "posts.jsonl"


def outputs(out: Path) -> dict:
    """Scores (by platform and id: streamed scores come in time order), clusters and campaigns as written."""
    read = {name: [orjson.loads(line) for line in (out / f"{name}.jsonl").read_bytes().splitlines()]
            for name in ("scores", "clusters", "campaigns")}
    read["scores"].sort(key=lambda r: (r["platform"], r["id"]))
    read["report"] = (out / "report.html").read_text()
    return read


def assert_same(a: dict, b: dict) -> None:
    assert len(a["scores"]) == len(b["scores"])
    for x, y in zip(a["scores"], b["scores"], strict=True):
        assert (x["id"], x["platform"], x["cluster"]) == (y["id"], y["platform"], y["cluster"])
        assert abs(x["score"] - y["score"]) <= 1e-6
    assert a["clusters"] == b["clusters"]
    assert a["campaigns"] == b["campaigns"]
    assert a["report"] == b["report"]


@pytest.fixture(scope="module")
def world_in_memory(tmp_path_factory):
    out = tmp_path_factory.mktemp("memory")
    result = score_dumps([WORLD], out=out, stream=False)
    assert result.summary()["flagged"] > 0  # the comparison means something: there are flagged clusters
    return outputs(out)
