"""Ensemble members read back from their JSON (src/ml/estimators.ts estimatorFromJSON): the kind
picks the class, nothing is evaluated. Each member answers class probabilities (n x K) or values (n)."""

import numpy as np

from ._errors import ModelOpsPyfuncError
from ._forest import Forest
from ._knn import Knn


class ForestMember:
    def __init__(self, json):
        self.forest = Forest(json)
        self.task = json.get("task")

    def predict_proba(self, X):
        return self.forest.mean_leaf_values(X)

    def predict_values(self, X):
        return self.forest.mean_leaf_values(X)[:, 0]


class DummyMember:
    def __init__(self, json):
        prior = json.get("prior")
        if not isinstance(prior, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in prior):
            raise ModelOpsPyfuncError("dummy payload: prior is missing")
        self.prior = np.array(prior, dtype=np.float64)

    def predict_proba(self, X):
        return np.tile(self.prior, (X.shape[0], 1))

    def predict_values(self, X):
        return np.full(X.shape[0], self.prior[0], dtype=np.float64)


def member_from_json(json, where):
    kind = json.get("kind") if isinstance(json, dict) else None
    if kind == "random-forest":
        return ForestMember(json)
    if kind == "decision-tree":
        tree = json.get("tree")
        if not isinstance(tree, dict) or tree.get("kind") != "random-forest":
            raise ModelOpsPyfuncError("decision tree payload: tree is missing")
        return ForestMember(tree)
    if kind == "knn":
        return Knn(json)
    if kind == "dummy":
        return DummyMember(json)
    if kind in ("mljs-random-forest", "mljs-knn"):
        raise ModelOpsPyfuncError(
            "%s: estimator '%s' (engine mljs) has no Python implementation; train the ensemble with the default engine "
            "(modelops) to use it from Python" % (where, kind)
        )
    raise ModelOpsPyfuncError("%s: unknown estimator kind '%s'" % (where, kind))
