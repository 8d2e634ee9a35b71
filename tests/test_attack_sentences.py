"""The hand-labelled real sentences: the training rows agree with the committed labels and the rubric's mapping."""

import csv
import json

import pytest

from classifiers.labelled import read_labelled
from samples.attack_sentences import LABELS, OUT, TRAINING_LABEL, read_labels, sentence_id


def test_training_rows_match_the_labels_one_for_one():
    rows = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines()]
    labels = dict(read_labels())
    assert [r["id"] for r in rows] == sorted(labels)
    for row in rows:
        assert row["kind"] == labels[row["id"]]
        assert row["label"] == TRAINING_LABEL[row["kind"]]
        assert row["id"] == sentence_id(row["text"])


def test_training_rows_are_labelled_samples_with_both_labels():
    records = read_labelled([OUT])
    assert {r["label"] for r in records} == {0, 1}
    assert len(records) == sum(1 for _ in csv.DictReader(LABELS.open(encoding="utf-8")))


def test_an_unknown_label_names_its_line(tmp_path):
    bad = tmp_path / "labels.csv"
    bad.write_text("id,label\nrsne-0000000000,attack\nrsne-0000000001,smear\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":3: unknown label 'smear'$"):
        read_labels(bad)
