"""Small numeric estimators used inside the model Pipelines (scikit-learn contract, pass parametrize_with_checks)."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class MissingAwareScaler(TransformerMixin, BaseEstimator):
    """Standardize numeric behaviour columns that may be missing (NaN).

    Output per input column: the standardized value (0 where missing, clipped to +-`clip`) followed by one
    missing-indicator column per input column, so a model can tell "unknown" from "average".
    """

    def __init__(self, clip=5.0):
        self.clip = clip

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(np.where(np.isnan(X).all(axis=0), 0.0, X), axis=0) if len(X) else np.zeros(X.shape[1])
            std = np.nanstd(np.where(np.isnan(X).all(axis=0), 0.0, X), axis=0) if len(X) else np.ones(X.shape[1])
        self.mean_ = np.nan_to_num(mean)
        self.scale_ = np.where(np.nan_to_num(std) > 1e-12, np.nan_to_num(std), 1.0)
        return self

    def transform(self, X):
        check_is_fitted(self, "mean_")
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        missing = np.isnan(X)
        Z = (np.where(missing, self.mean_, X) - self.mean_) / self.scale_
        Z = np.clip(Z, -self.clip, self.clip)
        return np.hstack([Z, missing.astype(np.float64)])

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "mean_")
        names = input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray([*names, *(f"{n}_missing" for n in names)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class RangeClipper(TransformerMixin, BaseEstimator):
    """Clip each column to the range seen in training (NaN stays NaN).

    The cluster scorer is trained on clusters of a few hundred posts; a dump of millions of posts makes larger
    ones. A linear model would extrapolate size features far beyond anything it learned; clipping makes it
    judge an unusually large cluster like the largest it has seen.
    """

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column: no range, nothing clipped
            lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        self.min_ = np.where(np.isnan(lo), -np.inf, lo)
        self.max_ = np.where(np.isnan(hi), np.inf, hi)
        return self

    def transform(self, X):
        check_is_fitted(self, "min_")
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        return np.clip(X, self.min_, self.max_)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "min_")
        names = input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
