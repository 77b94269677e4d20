"""k-nearest neighbours (src/ml/knn/): queries standardized with the training mean and scale in
float64 and stored as float32, squared Euclidean distances in float64 summed in groups of four
features (kd-tree.ts / simd-scan.ts order), the k nearest by (distance, training index) so equal
distances keep the lower training index, votes (or weighted means) accumulated neighbour by
neighbour in that order."""

import numpy as np

from ._codec import unpack
from ._errors import ModelOpsPyfuncError

# Query rows per distance block: the (queries x training rows x features) block stays ~32 MB.
BLOCK_ELEMENTS = 4_000_000


class Knn:
    def __init__(self, json):
        params = json.get("params") or {}
        self.k = params.get("nNeighbors", 5)
        self.weights = params.get("weights", "uniform")
        if not isinstance(self.k, int) or self.k < 1:
            raise ModelOpsPyfuncError("knn payload: nNeighbors must be an integer >= 1")
        if self.weights not in ("uniform", "distance"):
            raise ModelOpsPyfuncError("knn payload: weights must be 'uniform' or 'distance'")
        d = json.get("nFeatures")
        n = json.get("nTrain")
        if not isinstance(d, int) or d < 1 or not isinstance(n, int) or n < 1:
            raise ModelOpsPyfuncError("knn payload: nFeatures/nTrain are missing")
        self.task = json.get("task")
        self.n_classes = int(json.get("nClasses") or 0)
        self.n_features = d
        self.mean = unpack(json.get("mean"), "f8", "mean", "knn", d)
        self.scale = unpack(json.get("scale"), "f8", "scale", "knn", d)
        rows = unpack(json.get("rows"), "f4", "rows", "knn", n * d).reshape(n, d)
        self.train = rows.astype(np.float64)
        self.y = unpack(json.get("y"), "f8", "y", "knn", n)
        if self.k > n:
            raise ModelOpsPyfuncError("knn payload: nNeighbors (%d) is larger than the %d training rows" % (self.k, n))

    def _neighbours(self, X):
        """Indices (m x k) and distances (m x k) of every query's k nearest training rows."""
        if X.shape[1] != self.n_features:
            raise ModelOpsPyfuncError("knn: fitted on %d features, got %d" % (self.n_features, X.shape[1]))
        q = ((X.astype(np.float64) - self.mean) / self.scale).astype(np.float32).astype(np.float64)
        n, d = self.train.shape
        block = max(1, BLOCK_ELEMENTS // (n * d))
        idx = np.empty((q.shape[0], self.k), dtype=np.int64)
        dist = np.empty((q.shape[0], self.k), dtype=np.float64)
        for q0 in range(0, q.shape[0], block):
            s = _squared_distances(q[q0 : q0 + block], self.train)
            order = np.argsort(s, axis=1, kind="stable")[:, : self.k]
            idx[q0 : q0 + block] = order
            dist[q0 : q0 + block] = np.sqrt(np.take_along_axis(s, order, axis=1))
        return idx, dist

    def _weights(self, dist):
        if self.weights == "uniform":
            return np.ones_like(dist)
        # scikit-learn: with a zero distance, the exact matches get weight 1 and the others 0.
        zero = np.any(dist == 0, axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            return np.where(zero, (dist == 0).astype(np.float64), 1 / dist)

    def predict_proba(self, X):
        idx, dist = self._neighbours(X)
        w = self._weights(dist)
        m = X.shape[0]
        out = np.zeros((m, self.n_classes), dtype=np.float64)
        total = np.zeros(m, dtype=np.float64)
        rows = np.arange(m)
        labels = self.y[idx].astype(np.int64)
        for t in range(self.k):
            out[rows, labels[:, t]] += w[:, t]
            total += w[:, t]
        return out / total[:, None]

    def predict_values(self, X):
        idx, dist = self._neighbours(X)
        w = self._weights(dist)
        s = np.zeros(X.shape[0], dtype=np.float64)
        total = np.zeros(X.shape[0], dtype=np.float64)
        values = self.y[idx]
        for t in range(self.k):
            s += w[:, t] * values[:, t]
            total += w[:, t]
        return s / total


def _squared_distances(q, train):
    """q (m x d) against train (n x d), both float64 holding float32 values: m x n."""
    d = q.shape[1]
    diff = q[:, None, :] - train[None, :, :]
    sq = diff * diff
    s = np.zeros((q.shape[0], train.shape[0]), dtype=np.float64)
    d4 = d & ~3
    for c in range(0, d4, 4):
        s += ((sq[:, :, c] + sq[:, :, c + 1]) + sq[:, :, c + 2]) + sq[:, :, c + 3]
    for c in range(d4, d):
        s += sq[:, :, c]
    return s
