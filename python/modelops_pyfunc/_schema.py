"""The input check MLflow 2.10.2's PyFuncModel.predict runs before a model sees its input
(mlflow/models/utils.py `_enforce_schema`, `_enforce_mlflow_datatype`), for the ensemble's
column-based signature: the same conversions to a DataFrame, the same missing-column message, the
same type rules (e.g. int64 is not a safe double; object columns are inferred first), the same
params rules. Under MLflow this has already run; used directly, the loader checks the same way."""

import decimal

import numpy as np
import pandas as pd

from ._errors import ModelOpsPyfuncError

TYPE_OF_KIND = {"categorical": "string", "boolean": "boolean", "numeric": "double"}
NUMPY_TYPE = {"double": np.dtype("float64"), "boolean": np.dtype("bool"), "string": np.dtype("str")}
PARAMS = {"predict_proba": False}


def input_schema(features):
    """[(name, MLflow type)] from the payload's features, as signatureFor (signature.ts) writes them."""
    return [(f["name"], TYPE_OF_KIND[f["kind"]]) for f in features]


def schema_repr(schema):
    return "[%s]" % ", ".join("%r: %s (required)" % (name, t) for name, t in schema)


def _is_scalar(v):
    return np.isscalar(v) or v is None


def as_frame(data):
    if isinstance(data, pd.DataFrame):
        return data
    try:
        if isinstance(data, (str, bytes)):
            return pd.DataFrame([data])
        if isinstance(data, dict) and all(_is_scalar(v) for v in data.values()):
            return pd.DataFrame([data])
        if isinstance(data, (list, np.ndarray, dict, pd.Series)):
            return pd.DataFrame(data)
    except Exception as e:  # noqa: BLE001 - MLflow reports any failure to build the frame
        raise ModelOpsPyfuncError(
            "This model contains a column-based signature, which suggests a DataFrame input. "
            "There was an error casting the input data to a DataFrame: %s" % e
        )
    raise ModelOpsPyfuncError("Expected input to be DataFrame. Found: %s" % type(data).__name__)


def _enforce_type(name, values, t):
    if values.dtype == object and t != "string":
        values = values.infer_objects()
    if t == "string" and values.dtype == object:
        return values
    want = NUMPY_TYPE[t]
    if values.dtype == want or (t == "string" and isinstance(values.dtype, pd.StringDtype)):
        return values
    if t == "double" and values.dtype == decimal.Decimal:
        # MLflow 2.x (for Spark's decimals); numpy reads any object column as equal to Decimal here.
        try:
            return pd.to_numeric(values, errors="raise")
        except (ValueError, TypeError):
            raise ModelOpsPyfuncError("Failed to convert column %s from type %s to %s." % (name, values.dtype, t))
    kind, size = values.dtype.kind, values.dtype.itemsize
    if kind == want.kind:
        upcast = size <= want.itemsize
    elif kind in ("i", "u") and want == np.float64:
        upcast = size <= 6  # int64 does not fit a double's 53 bits: MLflow refuses it
    else:
        upcast = False
    if upcast:
        return values.astype(want, errors="raise")
    raise ModelOpsPyfuncError("Incompatible input types for column %s. Can not safely convert %s to %s." % (name, values.dtype, want))


def enforce(data, schema):
    """The input as a DataFrame of the signature's columns, or MLflow's error for it."""
    df = as_frame(data)
    names = [n for n, _ in schema]
    missing = [n for n in names if n not in df.columns]
    if missing:
        extra = [c for c in df.columns if c not in set(names)]
        message = "Model is missing inputs %s." % missing
        if extra:
            message += " Note that there were extra inputs: %s" % extra
        raise ModelOpsPyfuncError(message)
    return pd.DataFrame({n: _enforce_type(n, df[n], t) for n, t in schema}, index=df.index)


def enforce_params(params):
    """MLflow fills the params schema's defaults and refuses a value of the wrong type; unknown
    params are ignored (MLflow warns about them)."""
    out = dict(PARAMS)
    for key, value in (params or {}).items():
        if key not in PARAMS:
            continue
        if not isinstance(value, (bool, np.bool_)):
            raise ModelOpsPyfuncError("Failed to validate type and shape for '%s', error: expected a boolean, got %r" % (key, value))
        out[key] = bool(value)
    return out
