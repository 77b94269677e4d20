"""The random forest (src/ml/forest/): trees stored in preorder (forest-codec.ts) and walked as
forest-predict.ts walks them. A node goes left when `x <= threshold` in float32 (NaN goes right);
each row's leaf values are summed over the trees in tree order in float64, then divided by the
number of trees, so the sums are the TypeScript sums exactly."""

import numpy as np

from ._codec import unpack
from ._errors import ModelOpsPyfuncError

LEAF = 0xFFFF
ENCODING = "deflate-raw+base64;le;preorder/1"
# Rows walked together: the (rows x trees) node table stays a few MB.
CHUNK_ROWS = 4096


def _invalid(why):
    return ModelOpsPyfuncError("random forest payload: %s" % why)


class Forest:
    def __init__(self, json):
        if json.get("encoding") != ENCODING:
            raise _invalid("unknown encoding '%s'" % json.get("encoding"))
        d = json.get("nFeatures")
        if not isinstance(d, int) or d < 1:
            raise _invalid("nFeatures is missing")
        self.n_features = d
        self.n_classes = int(json.get("nClasses") or 0)
        self.V = max(1, self.n_classes)
        counts = unpack(json.get("nodeCounts"), "u4", "nodeCounts", "random forest")
        features = unpack(json.get("features"), "u2", "features", "random forest")
        bins = unpack(json.get("bins"), "u1", "bins", "random forest")
        values = unpack(json.get("values"), "f4", "values", "random forest")
        edge_counts = unpack(json.get("edgeCounts"), "i4", "edgeCounts", "random forest")
        edges = unpack(json.get("edges"), "f4", "edges", "random forest")
        if len(edge_counts) != d:
            raise _invalid("edges for %d features, expected %d" % (len(edge_counts), d))
        if int(edge_counts.sum()) != len(edges):
            raise _invalid("edge counts do not match the edges")
        self._build(counts, features, bins, values, edge_counts, edges)

    def _build(self, counts, features, bins, values, edge_counts, edges):
        total = len(features)
        if int(counts.sum()) != total:
            raise _invalid("stream lengths do not match the trees")
        internal = features != LEAF
        if int(internal.sum()) != len(bins):
            raise _invalid("fewer bins than internal nodes" if internal.sum() > len(bins) else "stream lengths do not match the trees")
        feat = np.where(internal, features.astype(np.int64), -1)
        if np.any(feat >= self.n_features):
            raise _invalid("a node uses a feature beyond the %d features" % self.n_features)
        bin_of = np.zeros(total, dtype=np.int64)
        bin_of[internal] = bins
        if np.any(bin_of[internal] >= edge_counts[feat[internal]]):
            raise _invalid("a node's bin is beyond its feature's edges")
        edge_start = np.concatenate([[0], np.cumsum(edge_counts)[:-1]]).astype(np.int64)
        thr = np.zeros(total, dtype=np.float32)
        thr[internal] = edges[edge_start[feat[internal]] + bin_of[internal]]
        # Leaves are numbered in preorder across all trees; their values follow that order.
        leaf_index = np.cumsum(~internal) - 1
        if int((~internal).sum()) * self.V != len(values):
            raise _invalid("fewer leaf values than leaves" if (~internal).sum() * self.V > len(values) else "stream lengths do not match the trees")
        self.roots = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.right = _right_children(feat, counts)
        self.feat = feat
        self.thr = thr
        self.leaf_index = leaf_index
        self.values = values.reshape(-1, self.V)
        self.n_trees = len(counts)

    def mean_leaf_values(self, X):
        """Per-row mean over the trees of the leaf values reached: n x V float64."""
        if X.shape[1] != self.n_features:
            raise ModelOpsPyfuncError("random forest: fitted on %d features, got %d" % (self.n_features, X.shape[1]))
        out = np.empty((X.shape[0], self.V), dtype=np.float64)
        for r0 in range(0, X.shape[0], CHUNK_ROWS):
            out[r0 : r0 + CHUNK_ROWS] = self._chunk(X[r0 : r0 + CHUNK_ROWS])
        return out

    def _chunk(self, X):
        n = X.shape[0]
        node = np.broadcast_to(self.roots, (n, self.n_trees)).copy()
        rows = np.broadcast_to(np.arange(n)[:, None], (n, self.n_trees))
        active = np.ones(node.shape, dtype=bool)
        while True:
            idx = np.nonzero(active)
            if len(idx[0]) == 0:
                break
            at = node[idx]
            f = self.feat[at]
            go_left = X[rows[idx], f] <= self.thr[at]  # float32 against float32; NaN is False: right
            nxt = np.where(go_left, at + 1, self.right[at])
            node[idx] = nxt
            active[idx] = self.feat[nxt] >= 0
        leaves = self.values[self.leaf_index[node]]  # n x trees x V, float32
        acc = np.zeros((n, self.V), dtype=np.float64)
        for t in range(self.n_trees):
            acc += leaves[:, t, :]
        return acc / self.n_trees


def _right_children(feat, counts):
    """Right-child index of every internal node, rebuilt from preorder: a subtree ends where its
    leaves balance its splits (forest-codec.ts), computed backwards without recursion."""
    total = len(feat)
    right = np.full(total, -1, dtype=np.int64)
    end = np.zeros(total + 1, dtype=np.int64)
    start = 0
    f = feat.tolist()
    for t, m in enumerate(counts.tolist()):
        stop = start + m
        for j in range(stop - 1, start - 1, -1):
            if f[j] < 0:
                end[j] = j + 1
                continue
            if j + 1 >= stop:
                raise _invalid("tree %d is truncated" % t)
            r = end[j + 1]
            if r >= stop:
                raise _invalid("tree %d is truncated" % t)
            right[j] = r
            end[j] = end[r]
        if m == 0 or end[start] != stop:
            raise _invalid("tree %d has trailing nodes" % t)
        start = stop
    return right
