"""The loader on a small hand-built model: the envelope, the forest layout, the schema check."""

import base64
import hashlib
import json
import os
import shutil
import tempfile
import unittest
import zlib

import numpy as np
import pandas as pd

import modelops_pyfunc
from modelops_pyfunc import ModelOpsPyfuncError, _load_pyfunc


def pack(values, dtype):
    raw = np.asarray(values, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return base64.b64encode(c.compress(raw) + c.flush()).decode()


def stump(feature, edge, left, right):
    """One tree: the root splits feature `feature` at `edge`; two leaves with class weights."""
    return {
        "kind": "random-forest",
        "task": "classification",
        "nFeatures": 2,
        "nClasses": 2,
        "encoding": "deflate-raw+base64;le;preorder/1",
        "nodeCounts": pack([3], "u4"),
        "features": pack([feature, 0xFFFF, 0xFFFF], "u2"),
        "bins": pack([0], "u1"),
        "values": pack(left + right, "f4"),
        "importance": pack([1.0, 0.0], "f8"),
        "edgeCounts": pack([1, 1], "i4"),
        "edges": pack([edge, edge], "f4"),
    }


PAYLOAD = {
    "task": "classification",
    "target": "label",
    "classes": ["no", "yes"],
    "features": [{"name": "x", "kind": "numeric"}, {"name": "plan", "kind": "categorical"}],
    "preprocessing": {
        "steps": [
            {"name": "x", "kind": "numeric", "fill": 2.0},
            {"name": "plan", "kind": "categorical", "encoding": "ordinal", "categories": ["basic", "pro"]},
        ]
    },
    "members": [
        {"spec": {"type": "rf"}, "weight": 0.75, "estimator": stump(0, 1.5, [1, 0], [0, 1])},
        {"spec": {"type": "dummy"}, "weight": 0.25, "estimator": {"kind": "dummy", "task": "classification", "nClasses": 2, "nFeatures": 2, "prior": [0.5, 0.5]}},
    ],
}


def write_model(directory, payload, fmt="modelops.ensemble/1"):
    text = json.dumps(payload, separators=(",", ":"))
    sha = hashlib.sha256(text.encode()).hexdigest()
    with open(os.path.join(directory, "model.json"), "w") as f:
        f.write('{"format":%s,"modelops_version":"0.1.0","payload_sha256":"%s","payload":%s}\n' % (json.dumps(fmt), sha, text))
    return os.path.join(directory, "model.json")


class LoaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = write_model(self.dir, PAYLOAD)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def frame(self):
        return pd.DataFrame({"x": [1.0, 2.0, np.nan], "plan": ["basic", "platinum", None]})

    def test_predicts_labels_and_probabilities(self):
        model = _load_pyfunc(self.path)
        self.assertEqual(list(model.predict(self.frame())), ["no", "yes", "yes"])
        proba = model.predict(self.frame(), params={"predict_proba": True})
        self.assertEqual(list(proba.columns), ["no", "yes"])
        np.testing.assert_array_equal(proba.to_numpy(), [[0.875, 0.125], [0.125, 0.875], [0.125, 0.875]])

    def test_loads_from_the_model_directory_too(self):
        self.assertEqual(list(modelops_pyfunc.load(self.dir).predict(self.frame())), ["no", "yes", "yes"])

    def test_refuses_an_unknown_envelope_format(self):
        write_model(self.dir, PAYLOAD, fmt="modelops.ensemble/2")
        with self.assertRaisesRegex(ModelOpsPyfuncError, r"unsupported model format 'modelops.ensemble/2'; this loader reads modelops.ensemble/1"):
            _load_pyfunc(self.path)

    def test_refuses_a_payload_changed_after_saving(self):
        with open(self.path) as f:
            text = f.read()
        with open(self.path, "w") as f:
            f.write(text.replace('"weight":0.75', '"weight":0.95'))
        with self.assertRaisesRegex(ModelOpsPyfuncError, "payload checksum mismatch"):
            _load_pyfunc(self.path)

    def test_names_a_missing_column_as_mlflow_does(self):
        with self.assertRaisesRegex(ModelOpsPyfuncError, r"Model is missing inputs \['plan'\]\. Note that there were extra inputs: \['y'\]"):
            _load_pyfunc(self.path).predict(pd.DataFrame({"x": [1.0], "y": [2]}))

    def test_int64_is_not_a_safe_double_as_in_mlflow(self):
        with self.assertRaisesRegex(ModelOpsPyfuncError, "Incompatible input types for column x. Can not safely convert int64 to float64"):
            _load_pyfunc(self.path).predict(pd.DataFrame({"x": [1, 2], "plan": ["basic", "pro"]}))
        self.assertEqual(len(_load_pyfunc(self.path).predict(pd.DataFrame({"x": np.array([1, 2], dtype=np.int32), "plan": ["a", "b"]}))), 2)

    def test_records_and_params_are_checked(self):
        model = _load_pyfunc(self.path)
        self.assertEqual(list(model.predict([{"x": 3.0, "plan": "pro"}])), ["yes"])
        with self.assertRaisesRegex(ModelOpsPyfuncError, "predict_proba"):
            model.predict(self.frame(), params={"predict_proba": "yes"})

    def test_refuses_an_mljs_member_with_a_clear_message(self):
        payload = dict(PAYLOAD, members=[{"spec": {"type": "rf"}, "weight": 1, "estimator": {"kind": "mljs-random-forest"}}])
        write_model(self.dir, payload)
        with self.assertRaisesRegex(ModelOpsPyfuncError, "engine mljs"):
            _load_pyfunc(self.path)


if __name__ == "__main__":
    unittest.main()
