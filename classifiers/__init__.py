"""Detection of coordinated smear campaigns: pure numpy/scipy/scikit-learn, nothing else of smearwatch.

    frame = PostFrame.from_records(posts)
    model = load_model()            # the packaged default model
    result = detect(frame, model, window=None, targets={"Bureau": ["Бюро", "AshyqAlan"]})
"""

from classifiers.detect import DetectConfig, DetectedCluster, DetectResult, detect
from classifiers.frame import PostFrame
from classifiers.labelled import LabelledDataError, labelled_frame, read_labelled
from classifiers.model import DEFAULT_MODEL_DIR, Model, ModelError, load_model, save_model
from classifiers.signals import SIGNALS, Edge
from classifiers.train import evaluate_posts, parse_label, post_metrics, train

__all__ = [
    "DEFAULT_MODEL_DIR", "SIGNALS", "DetectConfig", "DetectResult", "DetectedCluster", "Edge", "LabelledDataError", "Model",
    "ModelError", "PostFrame", "detect", "evaluate_posts", "labelled_frame", "load_model", "parse_label",
    "post_metrics", "read_labelled", "save_model", "train",
]
