"""Peer for bench/predict: scikit-learn's predict on the same model type as ModelOps' default
ensemble (soft vote of a 100-tree random forest and a 5-nearest-neighbours classifier on
standardized inputs), same preprocessing (median / most-frequent imputation, one-hot categories).
Prints one JSON line with timings. Usage: peer_sklearn.py train.csv predict.csv out.csv target"""
import csv
import json
import sys
import time

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.impute import SimpleImputer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

train_path, data_path, out_path, target = sys.argv[1:5]


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def columns(header, rows, exclude):
    names = [h for h in header if h not in exclude]
    numeric, categorical = [], []
    for n in names:
        i = header.index(n)
        vals = [r[i] for r in rows if r[i] != ""]
        try:
            [float(v) for v in vals]
            numeric.append(n)
        except ValueError:
            categorical.append(n)
    return numeric, categorical


def matrix(header, rows, numeric, categorical):
    idx = [header.index(n) for n in numeric + categorical]
    X = np.empty((len(rows), len(idx)), dtype=object)
    for j, i in enumerate(idx):
        col = [r[i] for r in rows]
        if j < len(numeric):
            X[:, j] = [float(v) if v != "" else np.nan for v in col]
        else:
            X[:, j] = [v if v != "" else np.nan for v in col]
    return X


header, rows = read(train_path)
numeric, categorical = columns(header, rows, {target, "customer_id"})
X = matrix(header, rows, numeric, categorical)
y = [r[header.index(target)] for r in rows]
nn = list(range(len(numeric)))
cc = list(range(len(numeric), len(numeric) + len(categorical)))
pre = ColumnTransformer(
    [
        ("num", SimpleImputer(strategy="median"), nn),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cc),
    ]
)
model = Pipeline(
    [
        ("pre", pre),
        (
            "vote",
            VotingClassifier(
                [
                    ("rf", RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=1)),
                    ("knn", make_pipeline(StandardScaler(with_mean=False), KNeighborsClassifier(n_neighbors=5, n_jobs=1))),
                ],
                voting="soft",
            ),
        ),
    ]
)
model.fit(X, y)

t0 = time.perf_counter()
dh, drows = read(data_path)
DX = matrix(dh, drows, numeric, categorical)
t1 = time.perf_counter()
proba = model.predict_proba(DX)
t2 = time.perf_counter()
labels = model.classes_[proba.argmax(axis=1)]
with open(out_path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(dh + ["prediction"] + [f"probability_{c}" for c in model.classes_])
    for r, lab, p in zip(drows, labels, proba):
        w.writerow(r + [lab] + [round(float(x), 6) for x in p])
t3 = time.perf_counter()
print(json.dumps({"rows": len(drows), "score_s": t2 - t1, "end_to_end_s": t3 - t0, "read_s": t1 - t0, "write_s": t3 - t2}))
