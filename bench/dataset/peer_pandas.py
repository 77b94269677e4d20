"""Peer for bench/dataset: pandas reads the same CSV and scikit-learn fits the same forest
(10 trees, depth 10) on a one-hot float64 matrix, as a Python user would. Prints one JSON line:
peak resident memory (KB) and seconds. Usage: peer_pandas.py data.csv target"""
import json
import resource
import sys
import time

import pandas as pd
from sklearn.ensemble import RandomForestClassifier

path, target = sys.argv[1:3]
t0 = time.perf_counter()
df = pd.read_csv(path)
y = df.pop(target)
X = pd.get_dummies(df).to_numpy(dtype="float64")
del df
RandomForestClassifier(n_estimators=10, max_depth=10, random_state=0, n_jobs=2).fit(X, y)
print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "seconds": time.perf_counter() - t0}))
