"""The ensemble (src/ml/ensemble/ensemble.ts): preprocessing, members, weighted soft vote
(classification) or weighted mean (regression), label decoding."""

import numpy as np
import pandas as pd

from ._envelope import read_payload
from ._errors import ModelOpsPyfuncError
from ._members import member_from_json
from ._preprocess import Preprocessor
from ._schema import enforce, enforce_params, input_schema, schema_repr


class EnsembleModel:
    """What `mlflow.pyfunc.load_model` wraps: `predict(model_input, params=None)`."""

    def __init__(self, payload, source="model.json"):
        bad = lambda why: ModelOpsPyfuncError("%s: ensemble payload: %s" % (source, why))  # noqa: E731
        task = payload.get("task")
        if task not in ("classification", "regression"):
            raise bad("unknown task '%s'" % task)
        classes = payload.get("classes")
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise bad("classes are missing")
        if task == "classification" and len(classes) < 2:
            raise bad("a classifier needs at least two classes")
        features, members = payload.get("features"), payload.get("members")
        if not isinstance(features, list) or not isinstance(members, list) or not members:
            raise bad("features or members are missing")
        if not all(isinstance(f, dict) and isinstance(f.get("name"), str) and f.get("kind") in ("numeric", "categorical", "boolean") for f in features):
            raise bad("malformed features")
        self.task = task
        self.target = payload.get("target")
        self.classes = classes
        self.features = features
        self.schema = input_schema(features)
        self.pre = Preprocessor(payload.get("preprocessing"))
        self.members = []
        for i, m in enumerate(members):
            weight = m.get("weight") if isinstance(m, dict) else None
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not weight >= 0:
                raise bad("member %d: weight is invalid" % i)
            self.members.append((float(weight), member_from_json(m.get("estimator"), "%s: member %d" % (source, i))))

    def _combined(self, df):
        X = self.pre.transform(df)
        out = None
        for weight, member in self.members:
            o = member.predict_proba(X) if self.task == "classification" else member.predict_values(X)
            out = weight * o if out is None else out + weight * o
        return out

    def _checked(self, model_input):
        try:
            return enforce(model_input, self.schema)
        except ModelOpsPyfuncError as e:
            raise ModelOpsPyfuncError("Failed to enforce schema of data with schema '%s'. Error: %s" % (schema_repr(self.schema), e))

    def predict(self, model_input, params=None):
        """Labels (classification) or values (regression) as a numpy array; with
        params={"predict_proba": True}, a DataFrame of class probabilities (one column per class)."""
        p = enforce_params(params)
        df = self._checked(model_input)
        if p["predict_proba"]:
            return self.predict_proba(df)
        out = self._combined(df)
        if self.task == "regression":
            return out
        return np.array(self.classes, dtype=object)[np.argmax(out, axis=1)] if len(out) else np.array([], dtype=object)

    def predict_proba(self, model_input):
        if self.task != "classification":
            raise ModelOpsPyfuncError("predict_proba is for classification models; this model predicts '%s' (regression)" % self.target)
        df = self._checked(model_input)
        return pd.DataFrame(self._combined(df), columns=self.classes, index=df.index)


def load(path):
    payload, file = read_payload(path)
    return EnsembleModel(payload, file)
