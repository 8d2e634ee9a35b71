"""`score --jobs N` reads uncompressed JSON Lines and CSV dumps in byte ranges over processes
(worker/parallel_read.py): the output, the rejected records (file, line, reason) and the order of duplicates are
those of one reader; a compressed file is read by one process."""

import gzip
import json
import shutil

import pytest
import scored_outputs
from scored_outputs import WORLD, assert_same, outputs

from worker import parallel_read
from worker.batch_scoring import score_dumps
from worker.sources import open_source

world_in_memory = scored_outputs.world_in_memory  # fixture


@pytest.fixture
def small_pieces(monkeypatch):
    """Ranges of about 40 KB, so that the sample world (1.3 MB) is read in dozens of pieces."""
    monkeypatch.setattr(parallel_read, "MIN_PIECE_BYTES", 40_000)


def test_the_world_read_in_pieces_gives_the_output_of_one_reader(world_in_memory, small_pieces, tmp_path):
    pieces = parallel_read.pieces_of([open_source(WORLD)], jobs=2)
    assert len(pieces) >= 8 and [p.number for p in pieces] == list(range(len(pieces)))
    assert pieces[0].plan.start == 0 and sum(p.size for p in pieces) == WORLD.stat().st_size
    result = score_dumps([WORLD], out=tmp_path, jobs=2, partition_posts=400)
    assert result.read == sum(1 for _ in WORLD.open()) and not result.rejected
    assert_same(world_in_memory, outputs(tmp_path))


def test_rejected_records_and_duplicates_come_back_as_one_reader_finds_them(small_pieces, tmp_path):
    """Two files with bad lines spread over many ranges, and posts repeated across ranges (the first read is
    kept): the same rejections, in the same order with the same line numbers, and the same output."""
    lines = WORLD.read_text().splitlines()
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    damaged = []
    for i, line in enumerate(lines[:2000]):
        if i % 97 == 5:
            damaged.append("{not json")
        elif i % 89 == 7:
            record = json.loads(line)
            del record["author_id"]
            damaged.append(json.dumps(record, ensure_ascii=False))
        damaged.append(line)
    first.write_text("\n".join(damaged) + "\n")
    repeated = [json.loads(line) for line in lines[2000:] + lines[:400]]
    for k, record in enumerate(repeated[-400:]):  # the same ids again, with other texts
        record["text"] = f"repeated {k}: " + record["text"]
    second.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in repeated) + "\n")

    one = score_dumps([first, second], out=tmp_path / "one", stream=True)
    many = score_dumps([first, second], out=tmp_path / "many", jobs=2)
    assert len(parallel_read.pieces_of([open_source(first), open_source(second)], jobs=2)) >= 8
    assert len(one.rejected) == len(damaged) - 2000 > 30
    assert many.rejected == one.rejected and many.read == one.read
    assert_same(outputs(tmp_path / "one"), outputs(tmp_path / "many"))


def test_a_compressed_file_is_read_by_one_process(small_pieces, tmp_path):
    packed = tmp_path / "posts.jsonl.gz"
    with WORLD.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert parallel_read.pieces_of([open_source(packed)], jobs=2) is None
    assert parallel_read.pieces_of([open_source(WORLD), open_source(packed)], jobs=2) is None
