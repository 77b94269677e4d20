"""Loads saved ModelOps models the way MLflow 2.10.2's mlflow.pyfunc.load_model does (MLmodel read
with PyYAML, the python_function flavor's code/ put first on sys.path, loader_module imported,
_load_pyfunc(<model>/<data>) called) and scores JSON rows with .predict(df), as pyfunc passes them:
a pandas DataFrame whose double columns are float64 (MLflow's scoring server casts JSON that way).

usage: pyfunc_harness.py jobs.json out.json
  jobs.json: [{"model": dir, "columns": [...], "data": [[...]]}, ...]
  out.json:  [{"predictions": [...], "probabilities": [[...]] | null, "signature": [[name, type]]}, ...]
"""

import importlib
import json
import os
import sys

import numpy as np
import pandas as pd
import yaml


def load_pyfunc(model_dir):
    with open(os.path.join(model_dir, "MLmodel")) as f:
        conf = yaml.safe_load(f)["flavors"]["python_function"]
    code = os.path.join(model_dir, conf["code"])
    sys.path.insert(0, code)
    for name in [m for m in sys.modules if m == conf["loader_module"] or m.startswith(conf["loader_module"] + ".")]:
        del sys.modules[name]  # each model its own copy of the loader
    data_path = os.path.join(model_dir, conf["data"]) if "data" in conf else model_dir
    impl = importlib.import_module(conf["loader_module"])._load_pyfunc(data_path)
    sys.path.remove(code)
    return impl


def signature(model_dir):
    with open(os.path.join(model_dir, "MLmodel")) as f:
        sig = yaml.safe_load(f)["signature"]
    return [[c["name"], c["type"]] for c in json.loads(sig["inputs"])]


def frame(job, sig):
    types = dict((n, t) for n, t in sig)
    cols = {}
    for j, name in enumerate(job["columns"]):
        values = [row[j] for row in job["data"]]
        cols[name] = pd.Series(values, dtype="float64") if types.get(name) == "double" else pd.Series(values, dtype=object)
    return pd.DataFrame(cols)


def main():
    jobs_path, out_path = sys.argv[1:3]
    with open(jobs_path) as f:
        jobs = json.load(f)
    out = []
    for job in jobs:
        model = load_pyfunc(job["model"])
        sig = signature(job["model"])
        df = frame(job, sig)
        pred = model.predict(df)
        proba = None
        if model.task == "classification":
            proba = model.predict(df, params={"predict_proba": True}).to_numpy().tolist()
        out.append({"predictions": np.asarray(pred).tolist(), "probabilities": proba, "signature": sig, "schema": [list(s) for s in model.schema]})
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
