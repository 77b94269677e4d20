"""Peer for bench/ml: scikit-learn's RandomForest (100 trees, defaults) and KNeighbors (k=5 on
standardized features) on the exact matrix and 5-fold indices ModelOps used. Prints one JSON line.
Usage: peer_sklearn.py data.json folds.json n_jobs"""
import json
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler

data_path, folds_path, n_jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(data_path) as f:
    d = json.load(f)
with open(folds_path) as f:
    folds = json.load(f)
X = np.asarray(d["X"], dtype=np.float32)
y = np.asarray(d["y"])
cls = d["task"] == "classification"


def score(truth, pred):
    if cls:
        return float(np.mean(truth == pred))
    return float(1 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2))


# One untimed warm-up on 500 rows, as the ModelOps side does (imports, first-call costs).
_tr, _te = np.asarray(folds[0]["train"][:500]), np.asarray(folds[0]["test"][:200])
(RandomForestClassifier if cls else RandomForestRegressor)(n_estimators=10, n_jobs=n_jobs, random_state=0).fit(X[_tr], y[_tr]).predict(X[_te])
(KNeighborsClassifier if cls else KNeighborsRegressor)(n_neighbors=5, n_jobs=n_jobs).fit(X[_tr], y[_tr]).predict(X[_te])

out = {"rf": {"score": [], "fit": [], "predict": []}, "knn": {"score": [], "fit": [], "predict": []}}
for fold in folds:
    tr, te = np.asarray(fold["train"]), np.asarray(fold["test"])
    rf = (RandomForestClassifier if cls else RandomForestRegressor)(n_estimators=100, n_jobs=n_jobs, random_state=0)
    t = time.perf_counter()
    rf.fit(X[tr], y[tr])
    out["rf"]["fit"].append(time.perf_counter() - t)
    t = time.perf_counter()
    p = rf.predict(X[te])
    out["rf"]["predict"].append(time.perf_counter() - t)
    out["rf"]["score"].append(score(y[te], p))

    t = time.perf_counter()
    scaler = StandardScaler().fit(X[tr])
    knn = (KNeighborsClassifier if cls else KNeighborsRegressor)(n_neighbors=5, n_jobs=n_jobs).fit(scaler.transform(X[tr]), y[tr])
    out["knn"]["fit"].append(time.perf_counter() - t)
    t = time.perf_counter()
    p = knn.predict(scaler.transform(X[te]))
    out["knn"]["predict"].append(time.perf_counter() - t)
    out["knn"]["score"].append(score(y[te], p))
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
