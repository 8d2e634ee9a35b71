"""Model directories: skops files plus model-card.json, loaded only through an explicit type allowlist."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import skops.io as sio

DEFAULT_MODEL_DIR = Path(__file__).parent / "models" / "default"
POST_SCORER_FILE = "post_scorer.skops"
CLUSTER_SCORER_FILE = "cluster_scorer.skops"
# A model trained on text-only labels keeps the post scorer it was built on (the packaged default): a post's
# attack score is the higher of the two, so what the researcher did not label is still judged as before.
BASE_SCORER_FILE = "base_scorer.skops"
CARD_FILE = "model-card.json"
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pck", ".sav")

# Every non-builtin type our model files may contain. Anything else in a file refuses the load.
ALLOWED_TYPES = frozenset({
    "classifiers.text.TextHasher",
    "classifiers.attack.MeanEmbedding",
    "sklearn.pipeline.FeatureUnion",
    "classifiers.estimators.MissingAwareScaler",
    "classifiers.estimators.RangeClipper",
    "sklearn.pipeline.Pipeline",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.utils._bunch.Bunch",
    "builtins.slice",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "numpy.ndarray",
})


class ModelError(Exception):
    """A model directory that cannot be loaded safely (missing, pickle, unexpected types)."""


@dataclass
class Model:
    post_scorer: object
    cluster_scorer: object | None
    card: dict
    path: Path | None = None
    base_scorer: object | None = None  # see BASE_SCORER_FILE

    @property
    def version(self) -> str:
        return str(self.card.get("version", "unknown"))

    @property
    def threshold(self) -> float:
        return float(self.card.get("threshold", 0.5))


def _safe_load(path: Path):
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise ModelError(f"{path}: refusing to load a pickle/joblib file; models are skops files")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as error:  # not a skops zip (maybe a renamed pickle)
        raise ModelError(f"{path}: not a skops model file ({type(error).__name__}); pickle files are never loaded") from None
    unexpected = sorted(set(untrusted) - ALLOWED_TYPES)
    if unexpected:
        raise ModelError(f"{path}: contains types outside the allowlist: {', '.join(unexpected)}")
    return sio.load(path, trusted=list(untrusted))


def load_model(path: str | Path | None = None) -> Model:
    """Load a model directory (default: the packaged classifiers/models/default/)."""
    directory = Path(path) if path is not None else DEFAULT_MODEL_DIR
    if directory.is_file():
        if directory.suffix.lower() in PICKLE_SUFFIXES:
            raise ModelError(f"{directory}: refusing to load a pickle/joblib file; models are skops files")
        raise ModelError(f"{directory}: a model is a directory with {POST_SCORER_FILE} and {CARD_FILE}")
    if not directory.is_dir():
        raise ModelError(f"{directory}: model directory not found")
    pickles = [p.name for p in directory.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES]
    if pickles:
        raise ModelError(f"{directory}: refusing to load pickle/joblib files ({', '.join(sorted(pickles))}); "
                         "models are skops files")
    card_path = directory / CARD_FILE
    if not card_path.exists() or not (directory / POST_SCORER_FILE).exists():
        raise ModelError(f"{directory}: not a model directory (needs {POST_SCORER_FILE} and {CARD_FILE})")
    try:
        card = json.loads(card_path.read_text())
    except ValueError as error:
        raise ModelError(f"{card_path}: invalid JSON ({error})") from None
    post_scorer = _safe_load(directory / POST_SCORER_FILE)
    cluster_path = directory / CLUSTER_SCORER_FILE
    cluster_scorer = _safe_load(cluster_path) if cluster_path.exists() else None
    base_path = directory / BASE_SCORER_FILE
    base_scorer = _safe_load(base_path) if base_path.exists() else None
    return Model(post_scorer, cluster_scorer, card, directory, base_scorer)


def save_model(model: Model, path: str | Path) -> Path:
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    sio.dump(model.post_scorer, directory / POST_SCORER_FILE, compression=8)
    cluster_path = directory / CLUSTER_SCORER_FILE
    if model.cluster_scorer is not None:
        sio.dump(model.cluster_scorer, cluster_path, compression=8)
    elif cluster_path.exists():
        cluster_path.unlink()
    base_path = directory / BASE_SCORER_FILE
    if model.base_scorer is not None:
        sio.dump(model.base_scorer, base_path, compression=8)
    elif base_path.exists():
        base_path.unlink()
    (directory / CARD_FILE).write_text(json.dumps(model.card, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return directory
