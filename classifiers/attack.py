"""Post-level "attack on reputation" scorer: pretrained word embeddings next to hashed character n-grams.

Two views of a text, then one logistic regression:
- `MeanEmbedding`: the mean of natasha's NewsEmbedding (navec news vectors, 300-d, shipped inside the natasha
  wheel) over the text's lower-cased words. It carries meaning beyond our own templates ("грантоед" and
  "предатель" sit near other insults; an unseen slur still lands near them). Words outside the vocabulary
  (most Kazakh words, rare names) are skipped; the share of words found is one more column, so the model knows
  when the mean is built from little.
- `TextHasher` (classifiers.text): hashed character n-grams of the Latin skeleton, which cover Kazakh in both
  scripts, English and transliteration, where the embedding has no words.

The embedding table is never saved into a model file: `MeanEmbedding` stores only the name of its source and
loads the vectors from the natasha package at first use (one copy per process, cached at module level). Its
vectors stay product-quantized (25 MB of codes); each chunk of texts dequantizes only the words it uses.

    model = train_attack(texts, labels)
    scores = attack_scores(model, texts)      # probability of an attack, one per text
"""

from __future__ import annotations

import re
import threading

import numpy as np
import scipy.sparse as sp
from natasha import NewsEmbedding
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from classifiers.text import TextHasher

# Type names this module's pipeline adds to classifiers.model.ALLOWED_TYPES (the rest are there already).
ATTACK_TYPES = frozenset({
    "classifiers.attack.MeanEmbedding",
    "sklearn.pipeline.FeatureUnion",
})

SCORE_CHUNK = 4096
EMBEDDING_SOURCES = ("natasha-news",)
# Letters (any script) with inner hyphens or apostrophes: "из-за", "по-русски", "qaz'aq". Digits and punctuation
# are left to the n-grams.
WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")

_tables: dict[str, _Table] = {}
_tables_lock = threading.Lock()


class _Table:
    """A product-quantized embedding table: word -> id, per-word codes, and the codebooks."""

    def __init__(self, word_ids: dict[str, int], indexes: np.ndarray, codebooks: np.ndarray, counts: np.ndarray):
        self.word_ids = word_ids
        self.indexes = indexes          # (words, subvectors) uint8: the centroid of each sub-vector
        self.codebooks = codebooks      # (subvectors, centroids, sub-dim) float32
        self.frequency = counts / max(counts.sum(), 1)  # share of the embedding's training corpus
        self.dim = codebooks.shape[0] * codebooks.shape[2]
        self._subvectors = np.arange(codebooks.shape[0])

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Dequantized vectors of `ids`, (len(ids), dim) float32."""
        return self.codebooks[self._subvectors, self.indexes[ids]].reshape(len(ids), self.dim)


def embedding_table(source: str = "natasha-news") -> _Table:
    """The vectors of `source`, loaded from its package once per process."""
    if source not in EMBEDDING_SOURCES:
        raise ValueError(f"unknown embedding source {source!r}; known: {', '.join(EMBEDDING_SOURCES)}")
    with _tables_lock:
        table = _tables.get(source)
        if table is None:
            navec = NewsEmbedding()
            table = _Table(navec.vocab.word_ids, navec.pq.indexes, np.asarray(navec.pq.codes, dtype=np.float32),
                           np.asarray(navec.vocab.counts, dtype=np.float64))
            _tables[source] = table
        return table


def _as_texts(X) -> list[str]:
    if isinstance(X, np.ndarray) and X.ndim == 2:
        X = X[:, 0]
    return ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in X]


class MeanEmbedding(TransformerMixin, BaseEstimator):
    """Texts -> mean pretrained word vector (dim columns) and the share of words found (one column).

    Stateless: the vectors come from `source` at first use and are never part of the fitted estimator.
    """

    def __init__(self, source: str = "natasha-news", smooth: float | None = None):
        self.source = source
        self.smooth = smooth

    def fit(self, X, y=None):
        embedding_table(self.source)
        self.is_fitted_ = True
        return self

    def transform(self, X):
        table = embedding_table(self.source)
        texts = _as_texts(X)
        out = np.zeros((len(texts), table.dim + 1), dtype=np.float32)
        for start in range(0, len(texts), SCORE_CHUNK):
            self._transform_chunk(table, texts[start:start + SCORE_CHUNK], out[start:start + SCORE_CHUNK], self.smooth)
        return out

    @staticmethod
    def _transform_chunk(table: _Table, texts: list[str], out: np.ndarray, smooth: float | None) -> None:
        get = table.word_ids.get
        ids: list[int] = []
        docs: list[int] = []
        for row, text in enumerate(texts):
            words = WORD_RE.findall(text.lower())
            if not words:
                continue
            found = [i for i in map(get, words) if i is not None]
            out[row, -1] = len(found) / len(words)
            ids.extend(found)
            docs.extend([row] * len(found))
        if not ids:
            return
        # Dequantize each distinct word once, then average with a sparse (texts x words) matrix.
        distinct, column = np.unique(np.asarray(ids, dtype=np.int64), return_inverse=True)
        rows = np.asarray(docs, dtype=np.int64)
        if smooth is None:
            weights = np.ones(len(rows))
        else:  # smooth inverse frequency: "и", "в" count little, rare evaluative words much
            weights = (smooth / (smooth + table.frequency[distinct]))[column]
        totals = np.bincount(rows, weights=weights, minlength=len(texts))
        weights = weights / totals[rows]
        mean = sp.csr_matrix((weights, (rows, column)), shape=(len(texts), len(distinct))) @ table.vectors(distinct)
        out[:, :-1] = mean

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags


def attack_pipeline(*, C: float = 1.0, class_weight="balanced", embedding_weight: float = 1.0,
                    ngram_weight: float = 1.0, smooth: float | None = 1e-3, seed: int = 0) -> Pipeline:
    """The unfitted scorer: [mean embedding | l2-normalized n-gram counts] -> logistic regression."""
    ngrams = Pipeline([
        ("hasher", TextHasher(ngram_range=(2, 4), n_features=2 ** 16, words=True)),
        ("tfidf", TfidfTransformer(use_idf=False, sublinear_tf=True)),  # log counts, rows of unit length
    ])
    features = FeatureUnion([("embedding", MeanEmbedding(smooth=smooth)), ("ngrams", ngrams)],
                            transformer_weights={"embedding": embedding_weight, "ngrams": ngram_weight})
    classifier = LogisticRegression(C=C, class_weight=class_weight, max_iter=2000, solver="liblinear",
                                    random_state=seed)
    return Pipeline([("features", features), ("clf", classifier)])


def train_attack(texts, labels, *, sample_weight=None, seed: int = 0, **params) -> Pipeline:
    """Fit the attack scorer on texts and 0/1 labels (1: the text attacks someone's reputation)."""
    texts = _as_texts(texts)
    y = np.asarray(labels, dtype=int)
    if len(texts) != len(y):
        raise ValueError(f"{len(texts)} texts but {len(y)} labels")
    if len(set(y.tolist())) < 2:
        raise ValueError("training needs both attacks (1) and other texts (0)")
    model = attack_pipeline(seed=seed, **params)
    fit_params = {} if sample_weight is None else {"clf__sample_weight": np.asarray(sample_weight, dtype=float)}
    model.fit(np.asarray(texts, dtype=object), y, **fit_params)
    return model


def attack_threshold(texts, labels, *, sample_weight=None, seed: int = 0, folds: int = 3, **params) -> float:
    """The F1-best threshold of out-of-fold scores on the training data (the model never saw what it scores)."""
    texts = _as_texts(texts)
    y = np.asarray(labels, dtype=int)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    oof = np.zeros(len(y))
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_rows, score_rows in split.split(np.zeros(len(y)), y):
        model = train_attack([texts[i] for i in fit_rows], y[fit_rows], seed=seed,
                             sample_weight=None if w is None else w[fit_rows], **params)
        oof[score_rows] = attack_scores(model, [texts[i] for i in score_rows])
    precision, recall, thresholds = precision_recall_curve(y, oof, sample_weight=w)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))])


def attack_scores(estimator, texts, normalized=None) -> np.ndarray:
    """Probability that each text attacks a reputation. Each distinct text is scored once, in chunks.

    `normalized` (the texts after classifiers.text.normalize_text, parallel to `texts`) saves the n-gram view from
    normalizing them again; the scores are the same."""
    texts = _as_texts(texts)
    if not texts:
        return np.zeros(0)
    index: dict[str, int] = {}
    inverse = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts))
    distinct = list(index)
    views = _views(estimator) if normalized is not None else None
    if views is None:
        scores = np.concatenate([
            estimator.predict_proba(np.asarray(distinct[i:i + SCORE_CHUNK], dtype=object))[:, 1]
            for i in range(0, len(distinct), SCORE_CHUNK)])
        return scores[inverse]
    first = np.zeros(len(distinct), np.int64)
    first[inverse[::-1]] = np.arange(len(texts))[::-1]  # a row of each distinct text, for its normalized form
    norm = [normalized[i] for i in first]
    scores = np.concatenate([_score_views(estimator, views, distinct[i:i + SCORE_CHUNK], norm[i:i + SCORE_CHUNK])
                             for i in range(0, len(distinct), SCORE_CHUNK)])
    return scores[inverse]


def _views(estimator):
    """(embedding, n-gram pipeline, their weights) of an attack_pipeline; None for any other estimator."""
    try:
        union = estimator.named_steps["features"]
        parts = dict(union.transformer_list)
        embedding, ngrams = parts["embedding"], parts["ngrams"]
        weights = union.transformer_weights or {}
        if list(parts) != ["embedding", "ngrams"] or not isinstance(embedding, MeanEmbedding):
            return None
        ngrams.named_steps["hasher"]
        return embedding, ngrams, weights.get("embedding", 1.0), weights.get("ngrams", 1.0)
    except (AttributeError, KeyError, TypeError):
        return None


def _score_views(estimator, views, raw: list[str], norm: list[str]) -> np.ndarray:
    """FeatureUnion's [embedding | n-grams] built by hand: the embedding reads the raw text, the n-grams the
    already normalized one (the hasher's own normalizing skipped)."""
    embedding, ngrams, w_embedding, w_ngrams = views
    hasher = ngrams.named_steps["hasher"]
    saved = hasher.normalize
    hasher.normalize = False
    try:
        grams = ngrams.transform(np.asarray(norm, dtype=object))
    finally:
        hasher.normalize = saved
    X = sp.hstack([sp.csr_matrix(embedding.transform(np.asarray(raw, dtype=object)) * w_embedding),
                   grams * w_ngrams], format="csr")
    return estimator.named_steps["clf"].predict_proba(X)[:, 1]
