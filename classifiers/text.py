"""Text normalization and hashed character n-grams for Russian, Kazakh (Cyrillic and Latin) and English.

`normalize_text` maps every script to one Latin "skeleton" (lower case, transliterated, Kazakh Latin diacritics
and Russian/English digraphs folded to one spelling, URLs/mentions/emoji/punctuation removed), so that
"Жаксылыков", "Zhaksylykov" and "ZHAKSYLYKOV!!! 😡" become the same string and a troll's small edits change few n-grams.

`ngram_hashes` turns many normalized texts into character n-gram hashes with vectorized numpy (no per-n-gram
Python loop), which the post scorer (`TextHasher`) and the near-duplicate MinHash share.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"@\w+")
NON_WORD_RE = re.compile(r"[^a-z0-9 ]+")
SPACE_RE = re.compile(r"\s+")
REPEAT_RE = re.compile(r"(.)\1{2,}")  # "ооочень" -> "очень"-ish: runs of 3+ collapse to 1

# Cyrillic (Russian + Kazakh) and Kazakh Latin (2018/2021) to one Latin skeleton.
_CHAR_MAP = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c", "ш": "s", "щ": "s", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "iu", "я": "ia",
    # Kazakh Cyrillic letters
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Kazakh Latin (2018 apostrophes are removed as punctuation; 2018/2021 diacritics)
    "á": "a", "ä": "a", "ǵ": "g", "ğ": "g", "ń": "n", "ñ": "n", "ó": "o", "ö": "o", "ú": "u", "ü": "u",
    "ū": "u", "ý": "u", "ı": "i", "ş": "s", "ç": "c", "q": "k", "w": "v", "x": "h", "y": "i",
    # digits used as letters by spammers and trolls
    "0": "o", "3": "e", "4": "a", "1": "i",
}
_TRANSLATE = str.maketrans(_CHAR_MAP)
# Latin digraphs (English/Russian romanization, Kazakh 2018 "sh"/"ch") folded after the char map.
_DIGRAPHS = (("shch", "s"), ("zh", "j"), ("kh", "h"), ("sh", "s"), ("ch", "c"), ("ts", "c"), ("ph", "f"),
             ("ck", "k"), ("ee", "i"), ("oo", "u"))


def normalize_text(text: str) -> str:
    """One Latin skeleton per text: the unit every text feature and target alias is compared in."""
    if not text:
        return ""
    text = URL_RE.sub(" ", text)
    text = MENTION_RE.sub(" ", text)
    text = unicodedata.normalize("NFC", text.lower()).translate(_TRANSLATE)
    text = unicodedata.normalize("NFKD", text)
    text = NON_WORD_RE.sub(" ", text)  # drops emoji, punctuation, combining marks left by NFKD
    for old, new in _DIGRAPHS:
        if old in text:
            text = text.replace(old, new)
    text = REPEAT_RE.sub(r"\1", text)
    return SPACE_RE.sub(" ", text).strip()


def normalize_url(url: str) -> str:
    """Scheme, www, tracking parameters, fragment and trailing slash removed; host lower-cased."""
    url = url.strip()
    url = re.sub(r"^[a-z]+://", "", url, flags=re.IGNORECASE)
    url = re.sub(r"^www\.", "", url, flags=re.IGNORECASE)
    url = url.split("#", 1)[0]
    if "?" in url:
        base, query = url.split("?", 1)
        keep = [p for p in query.split("&") if p and not re.match(r"(utm_|fbclid|gclid|ref=|s=|t=)", p)]
        url = base.rstrip("/") + ("?" + "&".join(sorted(keep)) if keep else "")
    host, _, path = url.partition("/")
    return (host.lower() + ("/" + path if path else "")).rstrip("/")


_SEP = "\x00"
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_MULT = np.uint64(0x9E3779B97F4A7C15)


def _codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts as one uint32 code point array, with NUL between texts; and each text's start offset."""
    joined = _SEP.join(texts) + _SEP
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        starts[1:] = np.cumsum(lengths[:-1] + 1)
    return codes, starts


def ngram_hashes(texts: list[str], n: int, pad: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every character n-gram of every (normalized) text, and the text each belongs to.

    Texts are padded with a space on each side so that word starts and ends form n-grams. N-grams never
    cross two texts. Returns (doc index int64, hash uint64) arrays, in text order.
    """
    return multi_ngram_hashes(texts, (n,), pad)[0]


def multi_ngram_hashes(texts: list[str], ns=(2, 3, 4), pad: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
    """`ngram_hashes` for several n at once, sharing the work (n-gram hashes are built incrementally)."""
    if pad:
        texts = [f" {t} " for t in texts]
    if not texts:
        return [(np.zeros(0, np.int64), np.zeros(0, np.uint64)) for _ in ns]
    codes, starts = _codepoints(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    total = len(codes)
    doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    # chars left in the text from this position (0 at the separator)
    left = (np.repeat(starts + lengths, lengths + 1) - np.arange(total, dtype=np.int64))
    c64 = codes.astype(np.uint64)
    out = {}
    h = np.zeros(total, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(max(ns)):
            width = total - k
            h = h[:width] * np.uint64(1_000_003) + (c64[k:] + np.uint64(0x51ED27))
            n = k + 1
            if n in ns:
                valid = left[:width] >= n
                hv = h[valid] * _MULT
                hv ^= hv >> np.uint64(29)
                hv += np.uint64(n) * np.uint64(0x9E3779B1)
                out[n] = (doc_of[:width][valid], hv)
    return [out[n] for n in ns]


def hashed_counts(texts: list[str], ngram_range=(2, 4), n_features: int = 2 ** 17,
                  words: bool = True) -> sp.csr_matrix:
    """Sparse counts of character n-grams (and words) of already normalized texts.

    Each n (and the words) gets its own block of `n_features` columns (a power of two), so the result has
    `n_features * (number of n + words)` columns.
    """
    if n_features & (n_features - 1):
        raise ValueError("n_features must be a power of two")
    mask = np.uint64(n_features - 1)
    parts = multi_ngram_hashes(texts, tuple(range(ngram_range[0], ngram_range[1] + 1)))
    if words:
        parts.append(word_hashes(texts))
    blocks = []
    for docs, hashes in parts:
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(docs, minlength=len(texts)), out=indptr[1:])
        block = sp.csr_matrix((np.ones(len(docs), dtype=np.float32), (hashes & mask).astype(np.int32), indptr),
                              shape=(len(texts), n_features))
        block.sum_duplicates()
        blocks.append(block)
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def word_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every space-separated word (a word n-gram of length 1), with its text index."""
    # A word is the n-gram between two spaces: hash by a rolling hash over code points, reset at spaces.
    padded = [f" {t} " for t in texts]
    codes, starts = _codepoints(padded)
    if len(codes) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64)
    is_break = (codes == 32) | (codes == 0)
    # word id for every code point: count of breaks so far; hash by summing position-mixed codes per word
    with np.errstate(over="ignore"):
        pos = np.arange(len(codes), dtype=np.int64) - np.maximum.accumulate(
            np.where(is_break, np.arange(len(codes)), 0))
        mixed = (codes.astype(np.uint64) + np.uint64(7)) * (pos.astype(np.uint64) * _MULT + np.uint64(0x2545F491))
        mixed = np.where(is_break, np.uint64(0), mixed)
        word_starts = np.nonzero(np.r_[True, is_break[:-1]])[0]
        hashes = np.add.reduceat(mixed, word_starts)
        lengths = np.diff(np.r_[word_starts, len(codes)])
    # a segment starts at a break and is "break + word"; it is a word when it has more than the break char
    keep = lengths > 1
    seg_pos = word_starts[keep]
    docs = np.searchsorted(starts, seg_pos, side="right") - 1
    with np.errstate(over="ignore"):
        h = hashes[keep] * _MULT
        h ^= h >> np.uint64(31)
    return docs.astype(np.int64), h


class TextHasher(TransformerMixin, BaseEstimator):
    """Texts -> sparse hashed character n-gram (and word) counts, after `normalize_text`.

    Stateless apart from `n_features_in_`-like bookkeeping; input is a 1-D sequence of strings (or a 2-D
    array whose first column is the text). Follows scikit-learn's estimator contract.
    """

    def __init__(self, ngram_range=(3, 4), n_features=2 ** 17, words=True, normalize=True):
        self.ngram_range = ngram_range
        self.n_features = n_features
        self.words = words
        self.normalize = normalize

    def fit(self, X, y=None):
        self._texts(X)
        self.is_fitted_ = True
        return self

    def transform(self, X):
        texts = self._texts(X)
        return hashed_counts(texts, tuple(self.ngram_range), int(self.n_features), bool(self.words))

    def _texts(self, X) -> list[str]:
        if isinstance(X, np.ndarray) and X.ndim == 2:
            X = X[:, 0]
        texts = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in X]
        return [normalize_text(t) for t in texts] if self.normalize else texts

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags
