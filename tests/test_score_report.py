"""`smearwatch score --out DIR` writes a human-readable DIR/report.html: the flagged clusters with their evidence
in words, self-contained (no script, no outside request), the same bytes for the same input."""

import json
import re

import orjson
import pytest

from classifiers.synthetic import world
from devsupport.commands import main


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    d = tmp_path_factory.mktemp("scored")
    dump = d / "posts.jsonl"
    with open(dump, "wb") as f:
        for p in world(1, "Ashyq Alan Bureau"):
            f.write(orjson.dumps({k: v for k, v in p.items() if k not in ("label", "campaign", "kind")}) + b"\n")
    outs = [d / "one", d / "two"]
    for out in outs:
        assert main(["score", str(dump), "--out", str(out)]) in (0, 3)
    return outs


def test_report_tells_the_flagged_clusters_in_words(scored):
    out = scored[0]
    html = (out / "report.html").read_text()
    summary = json.loads((out / "summary.json").read_text())
    clusters = [json.loads(line) for line in (out / "clusters.jsonl").read_text().splitlines()]
    flagged = [c for c in clusters if c["flagged"]]
    assert flagged
    # the cover: what, which model and threshold, which files
    assert f"model {summary['model']['version']}, threshold {summary['model']['threshold']:.2f}" in html
    assert "posts.jsonl" in html and f"{summary['scored']} posts scored" in html
    assert f"{len(flagged)} flagged as coordinated smear" in html
    # every flagged cluster has its section, told in words with weights, and no raw feature dump
    for c in flagged[:200]:
        assert f'id="{c["cluster"]}"' in html
    assert html.count("Why it was flagged") == min(len(flagged), 200)
    assert "by chance one would expect" in html and "weight 0." in html
    assert "None" not in re.sub(r"<[^>]+>", "", html).replace("none identified", "")
    assert "log_creation_iqr_days" not in html and "UTC" in html
    # self-contained
    assert "<script" not in html and 'src="http' not in html and "<link" not in html


def test_report_is_the_same_bytes_for_the_same_input(scored):
    assert (scored[0] / "report.html").read_bytes() == (scored[1] / "report.html").read_bytes()
