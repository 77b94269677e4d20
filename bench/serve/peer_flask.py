"""Peer for bench/serve: a Flask scoring server (as `mlflow models serve` is, in MLflow 2.x) of the
scikit-learn ensemble equivalent to ModelOps' default one (soft vote of a 100-tree random forest and
5-nearest-neighbours on standardized inputs; median / most-frequent imputation, one-hot categories),
trained on the same CSV. It answers MLflow's protocol as MLflow's scoring server does: POST
/invocations with {"dataframe_split": ...} parsed into a pandas DataFrame, {"predictions": [...]}.

usage: peer_flask.py train.csv target port [gunicorn]
Prints "ready <port>" once it listens. Flask's own threaded server by default; with `gunicorn`,
gunicorn's sync worker (1 worker, MLflow's default) when python3-gunicorn is there."""

import json
import sys

import numpy as np
import pandas as pd
from flask import Flask, Response, request
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.impute import SimpleImputer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

train_path, target, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
mode = sys.argv[4] if len(sys.argv) > 4 else "flask"

df = pd.read_csv(train_path)
features = [c for c in df.columns if c not in (target, "customer_id")]
numeric = [c for c in features if pd.api.types.is_numeric_dtype(df[c])]
categorical = [c for c in features if c not in numeric]
pre = ColumnTransformer(
    [
        ("num", SimpleImputer(strategy="median"), numeric),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), categorical),
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
model.fit(df[features], df[target])
dtypes = {c: ("float64" if c in numeric else object) for c in features}

app = Flask(__name__)


@app.route("/ping", methods=["GET"])
def ping():
    return Response("\n", status=200, mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def invocations():
    doc = json.loads(request.get_data())
    split = doc["dataframe_split"]
    frame = pd.DataFrame(data=split["data"], columns=split["columns"]).astype(dtypes)
    if (doc.get("params") or {}).get("predict_proba"):
        proba = model.predict_proba(frame)
        out = [dict(zip(model.classes_, map(float, p))) for p in proba]
    else:
        out = np.asarray(model.predict(frame)).tolist()
    return Response(json.dumps({"predictions": out}), status=200, mimetype="application/json")


if mode == "gunicorn":
    from gunicorn.app.base import BaseApplication

    class Standalone(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", "127.0.0.1:%d" % port)
            self.cfg.set("workers", 1)
            self.cfg.set("loglevel", "warning")

        def load(self):
            return app

    print("ready %d" % port, flush=True)
    Standalone().run()
else:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print("ready %d" % port, flush=True)
    app.run(host="127.0.0.1", port=port, threaded=True)
