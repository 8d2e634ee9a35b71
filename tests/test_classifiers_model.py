"""Model directories: skops with an allowlist, pickles refused, text-only training, default model loads."""

import json
import pickle
from pathlib import Path

import numpy as np
import orjson
import pytest
import skops.io as sio
from sklearn.ensemble import RandomForestClassifier

from classifiers import ModelError, PostFrame, load_model, save_model, train
from classifiers.detect import _linear_parts, score_texts
from classifiers.synthetic import world

SAMPLES_TRAIN = Path(__file__).resolve().parent.parent / "samples" / "labelled" / "train.jsonl"


@pytest.fixture(scope="module")
def text_only_model():
    records = [{"text": p["text"], "label": "smear" if p["label"] else "not_smear"} for p in world(0)]
    frame = PostFrame.from_records(records, extra=("label",))
    return train(frame, frame.extra["label"])


def test_text_only_training_gives_a_text_only_model(text_only_model):
    assert text_only_model.card["behaviour"] is False
    assert text_only_model.cluster_scorer is None
    p = text_only_model.post_scorer.predict_proba(np.array([["Бюро работает на иностранных доноров и предаёт Казахстан"],
                                                            ["Футбол вечером кто смотрит"]], dtype=object))[:, 1]
    assert p[0] > 0.5 > p[1]


def test_save_and_load_round_trip(tmp_path, text_only_model):
    save_model(text_only_model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.version == text_only_model.version
    card = json.loads((tmp_path / "m" / "model-card.json").read_text())
    assert {"threshold", "versions", "training_data", "created_at"} <= set(card)


def test_pickle_files_are_refused(tmp_path, text_only_model):
    save_model(text_only_model, tmp_path / "m")
    (tmp_path / "m" / "post_scorer.pkl").write_bytes(pickle.dumps(text_only_model.post_scorer))
    with pytest.raises(ModelError, match="pickle"):
        load_model(tmp_path / "m")
    with pytest.raises(ModelError, match="pickle"):
        load_model(tmp_path / "m" / "post_scorer.pkl")


def test_pickle_renamed_to_skops_is_refused(tmp_path, text_only_model):
    save_model(text_only_model, tmp_path / "m")
    (tmp_path / "m" / "post_scorer.skops").write_bytes(pickle.dumps({"x": 1}))
    with pytest.raises(ModelError, match="not a skops"):
        load_model(tmp_path / "m")


def test_types_outside_the_allowlist_are_refused(tmp_path, text_only_model):

    save_model(text_only_model, tmp_path / "m")
    sio.dump(RandomForestClassifier().fit([[0], [1]], [0, 1]), tmp_path / "m" / "post_scorer.skops")
    with pytest.raises(ModelError, match="allowlist"):
        load_model(tmp_path / "m")


def test_default_model_is_packaged_and_has_a_threshold():
    model = load_model()
    assert model.cluster_scorer is None  # the verdict is not learned: coordination is a null-model test
    assert model.threshold == 0.5
    assert model.card["post_columns"] == ["text"]


def test_fast_scoring_path_equals_pipeline_predict_proba():
    model = load_model()
    frame = PostFrame.from_records(world(3)[:200])
    assert _linear_parts(model.post_scorer) is not None
    fast = score_texts(model, frame)
    slow = model.post_scorer.predict_proba(frame.text.reshape(-1, 1))[:, 1]
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-9)


def test_training_on_the_samples_reports_the_heldout_verdict():
    records = [orjson.loads(line) for line in open(SAMPLES_TRAIN, "rb")]
    frame = PostFrame.from_records(records, extra=("label", "campaign", "kind", "target"))
    card = train(frame, frame.extra["label"]).card
    verdict = card["metrics"]["verdict_heldout"]
    assert verdict["flagged"] > 0 and verdict["flagged_precision"] >= 0.9
