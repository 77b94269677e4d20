"""The ensemble's preprocessing (src/ml/ensemble/preprocess.ts): raw columns to the float32 matrix
the members read. Numeric and boolean columns: the value, or the training median / most frequent
value when missing. Categorical columns: one-hot (missing or unseen: all zeros) or an ordinal code
(missing or unseen: one past the last training category)."""

import numpy as np

from ._cells import category_text, numeric_value
from ._errors import ModelOpsPyfuncError


class Preprocessor:
    def __init__(self, json):
        steps = json.get("steps") if isinstance(json, dict) else None
        if not isinstance(steps, list):
            raise ModelOpsPyfuncError("ensemble payload: preprocessing steps are missing")
        for s in steps:
            ok = isinstance(s, dict) and isinstance(s.get("name"), str)
            if ok and s.get("kind") == "categorical":
                ok = isinstance(s.get("categories"), list) and s.get("encoding") in ("onehot", "ordinal")
            elif ok:
                ok = s.get("kind") in ("numeric", "boolean") and isinstance(s.get("fill"), (int, float))
            if not ok:
                raise ModelOpsPyfuncError("ensemble payload: malformed preprocessing step %s" % str(s)[:80])
        self.steps = steps
        self.width = sum(len(s["categories"]) if s["kind"] == "categorical" and s["encoding"] == "onehot" else 1 for s in steps)

    def transform(self, df):
        """Rows of `df` (a pandas DataFrame holding every step's column) as an n x width float32 array."""
        n = len(df)
        out = np.zeros((n, self.width), dtype=np.float32)
        c = 0
        with np.errstate(over="ignore", invalid="ignore"):
            for s in self.steps:
                if s["name"] not in df.columns:
                    raise ModelOpsPyfuncError("input has no column '%s'" % s["name"])
                col = df[s["name"]]
                if s["kind"] != "categorical":
                    values = _numeric(s["kind"], col)
                    out[:, c] = np.where(np.isnan(values), float(s["fill"]), values)
                    c += 1
                    continue
                index = {v: i for i, v in enumerate(s["categories"])}
                codes = np.array([index.get(category_text(v), -1) for v in col.tolist()], dtype=np.int64)
                if s["encoding"] == "onehot":
                    known = np.nonzero(codes >= 0)[0]
                    out[known, c + codes[known]] = 1
                    c += len(s["categories"])
                else:
                    out[:, c] = np.where(codes >= 0, codes, len(s["categories"]))
                    c += 1
        return out


def _numeric(kind, col):
    """A column's values as float64, NaN where ModelOps reads a missing value."""
    dt = col.dtype
    if dt.kind in "fiu":
        x = col.to_numpy(dtype=np.float64, na_value=np.nan)
        if kind == "boolean":
            return np.where(x == 0, 0.0, np.where(x == 1, 1.0, np.nan))
        return x
    if dt.kind == "b":
        return col.to_numpy(dtype=np.float64)
    return np.array([numeric_value(kind, v) for v in col.tolist()], dtype=np.float64)
