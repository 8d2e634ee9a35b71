"""`smearwatch score/train/evaluate` per DESIGN.md's contracts, run in-process through the CLI's main(argv)."""

import json

import orjson
import pytest

from classifiers.synthetic import world
from devsupport.commands import main


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    d = tmp_path_factory.mktemp("dump")
    path = d / "posts.jsonl"
    with open(path, "wb") as f:
        for p in world(1, "Ashyq Alan Bureau"):
            f.write(orjson.dumps({k: v for k, v in p.items() if k not in ("label", "campaign", "kind")}) + b"\n")
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_score_writes_the_four_outputs(dump, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["score", str(dump), "--out", str(out), "--target", "AshyqAlan=Ashyq Alan Bureau,бюро Ашык Алан"])
    assert code == 0
    scores = read_jsonl(out / "scores.jsonl")
    posts = read_jsonl(dump)
    assert [s["id"] for s in scores] == [p["id"] for p in posts]  # exactly one line per input post
    assert all(set(s) == {"id", "platform", "score", "cluster"} and 0 <= s["score"] <= 1 for s in scores)
    clusters = read_jsonl(out / "clusters.jsonl")
    keys = {c["cluster"] for c in clusters}
    assert {s["cluster"] for s in scores} - {None} == keys
    for c in clusters:
        assert {"cluster", "score", "flagged", "kind", "accounts", "posts", "start", "end", "signals"} <= set(c)
    flagged = [c for c in clusters if c["flagged"]]
    assert flagged and all(c["evidence"] for c in flagged)
    assert any("AshyqAlan" in [t["name"] for t in c["targets"]] for c in flagged)
    assert (out / "rejected.jsonl").read_text() == ""
    summary = json.loads((out / "summary.json").read_text())
    assert summary["read"] == summary["scored"] == len(posts)
    assert summary["rejected"] == 0 and summary["clusters"] == len(clusters) and summary["flagged"] == len(flagged)
    assert summary["model"]["version"]


def test_bad_records_are_rejected_with_exit_3(dump, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = dump.read_bytes().splitlines()
    lines.insert(3, b"{not json")
    lines.insert(5, b'{"id": "x", "created_at": "2020-04-28T00:00:00Z", "text": "no author"}')
    bad.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out"
    assert main(["score", str(bad), "--out", str(out)]) == 3
    rejected = read_jsonl(out / "rejected.jsonl")
    assert [r["line"] for r in rejected] == [4, 6]
    assert all(r["source"] == str(bad) and r["reason"] for r in rejected)
    assert len(read_jsonl(out / "scores.jsonl")) == len(lines) - 2


def test_unreadable_input_and_bad_model_exit_2(tmp_path, capsys):
    assert main(["score", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.pkl").write_bytes(b"\x80\x04.")
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "author_id": "a", "created_at": "2020-04-28T00:00:00Z", "text": "x"}\n')
    assert main(["score", str(dump), "--out", str(tmp_path / "o"), "--model", str(tmp_path / "m")]) == 2
    assert "pickle" in capsys.readouterr().err
    assert main(["score", str(dump), "--out", str(tmp_path / "o"), "--target", "=x"]) == 2


def test_train_text_only_csv_then_evaluate(tmp_path, capsys):
    csv_path = tmp_path / "train.csv"
    rows = ["text,label"] + [f'"{p["text"]}",{"smear" if p["label"] else "not_smear"}' for p in world(0)]
    csv_path.write_text("\n".join(rows) + "\n")
    model_dir = tmp_path / "model"
    assert main(["train", str(csv_path), "--out", str(model_dir)]) == 0
    card = json.loads((model_dir / "model-card.json").read_text())
    assert card["behaviour"] is False and "threshold" in card
    assert not (model_dir / "cluster_scorer.skops").exists()
    capsys.readouterr()
    test_path = tmp_path / "test.jsonl"
    test_path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in world(2, "Ashyq Alan Bureau")))
    assert main(["evaluate", str(test_path), "--model", str(model_dir)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"precision", "recall", "f1", "average_precision", "n"}
    assert result["average_precision"] > 0.8


def test_train_jsonl_with_campaigns_trains_the_cluster_scorer(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in world(0)))
    assert main(["train", str(path), "--out", str(tmp_path / "m")]) == 0
    assert (tmp_path / "m" / "cluster_scorer.skops").exists()
    assert main(["train", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "m2")]) == 2
