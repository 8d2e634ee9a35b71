"""Text-only labels (issue 15, item 4): `smearwatch train LABELLED --out DIR` retrains only the smear judgement and
keeps the packaged post scorer as its base, so the model still finds the smear campaigns the default finds; a model
that cannot flag clusters (here: trained `--alone` on labels of another language and domain) is refused by
`smearwatch score --model` with one line and exit 2, never used silently."""

import csv
import json
from pathlib import Path

import pytest

from cli import main
from devsupport.foreign_labels import write_foreign_labels

WORLD = Path(__file__).resolve().parents[1] / "samples" / "world"


@pytest.fixture(scope="module")
def foreign_labels(tmp_path_factory) -> Path:
    """English text-only labels about other people (as a researcher's SemEval paragraphs are to our world)."""
    return write_foreign_labels(tmp_path_factory.mktemp("labels") / "foreign.csv")


def smear_campaigns_found(out: Path) -> set[str]:
    """Smear campaigns of the sample world with a flagged cluster made mostly of their posts."""
    with open(WORLD / "truth_posts.csv", newline="") as f:
        campaign = {(r["platform"], r["id"]): r["campaign"] for r in csv.DictReader(f) if r["kind"] == "smear"}
    members: dict[str, list] = {}
    for line in open(out / "scores.jsonl"):
        row = json.loads(line)
        members.setdefault(row["cluster"], []).append(campaign.get((row["platform"], row["id"])))
    found = set()
    for line in open(out / "clusters.jsonl"):
        cluster = json.loads(line)
        names = [c for c in members[cluster["cluster"]] if c]
        if cluster["flagged"] and len(names) * 2 > len(members[cluster["cluster"]]):
            found.add(max(set(names), key=names.count))
    return found


def test_text_only_labels_keep_what_they_did_not_label(foreign_labels, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["train", str(foreign_labels), "--out", str(model)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["base"]["rule"].startswith("attack score = max") and printed["flag_check"]["can_flag"]
    assert (model / "base_scorer.skops").is_file()
    assert main(["score", str(WORLD / "posts.jsonl"), "--out", str(tmp_path / "own"), "--model", str(model),
                 "--no-progress"]) == 0
    assert main(["score", str(WORLD / "posts.jsonl"), "--out", str(tmp_path / "default"), "--no-progress"]) == 0
    default = smear_campaigns_found(tmp_path / "default")
    assert len(default) >= 8 and default <= smear_campaigns_found(tmp_path / "own")


def test_a_model_that_cannot_flag_clusters_is_refused(foreign_labels, tmp_path, capsys):
    model = tmp_path / "alone"
    assert main(["train", str(foreign_labels), "--out", str(model), "--alone"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["flag_check"]["can_flag"] is False
    assert "cannot flag clusters" in captured.err
    out = tmp_path / "out"
    assert main(["score", str(WORLD / "posts.jsonl"), "--out", str(out), "--model", str(model), "--no-progress"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "refused: this model cannot flag clusters" in error
    assert not (out / "scores.jsonl").exists()
    card = json.loads((model / "model-card.json").read_text())  # a card without its check is checked again
    del card["flag_check"]
    (model / "model-card.json").write_text(json.dumps(card))
    assert main(["score", str(WORLD / "posts.jsonl"), "--out", str(out), "--model", str(model), "--no-progress"]) == 2
    assert main(["train", "--from-decisions", "--alone"]) == 2
