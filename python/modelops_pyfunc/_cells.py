"""Raw cells read exactly as the TypeScript side reads them (src/ml/dataset/schema.ts,
src/ml/ensemble/preprocess.ts): JavaScript's String.prototype.trim and String(number), decimal
numbers only (`0x10` is text), the same missing-value markers and true/false words. A cell that ModelOps reads as
missing is missing here too, so imputation and category codes agree bit for bit."""

import math
import re
from decimal import Decimal

import numpy as np

# ECMAScript WhiteSpace + LineTerminator: what String.prototype.trim removes (Python's str.strip
# removes a different set: \x1c-\x1f and \x85, but not \ufeff).
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
MISSING = frozenset(["", "na", "n/a", "nan", "null", "none", "?"])
TRUE = frozenset(["true", "yes", "t", "y", "1"])
FALSE = frozenset(["false", "no", "f", "n", "0"])

# A decimal number as a spreadsheet writes it (ASCII digits; not hex, octal, binary or Infinity).
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_NAN = float("nan")


def js_trim(s):
    return s.strip(JS_WHITESPACE)


def plain(v):
    """A DataFrame cell as the Python value JSON or a CSV reader would give: None, bool, int, float or str."""
    if v is None or isinstance(v, (str, bool, float, int)) and not isinstance(v, np.generic):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a requirement of the loader
        pass
    return str(v)


def is_missing(v):
    if v is None:
        return True
    if isinstance(v, bool):
        return False
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, int):
        return False
    return js_trim(v).lower() in MISSING


def parse_number(v):
    """A decimal number (parseNumber in schema.ts: `0x10` is text), NaN unless finite."""
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, int):
        try:
            return float(v)
        except OverflowError:
            return _NAN
    s = js_trim(v)
    x = float(s) if _DECIMAL.match(s) else _NAN
    return x if math.isfinite(x) else _NAN


def parse_boolean(v):
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return 0.0 if v == 0 else 1.0 if v == 1 else _NAN
    s = js_trim(v).lower()
    if s in TRUE:
        return 1.0
    if s in FALSE:
        return 0.0
    return _NAN


def numeric_value(kind, v):
    """A numeric or boolean feature's value; NaN when missing or unreadable (then imputed)."""
    v = plain(v)
    if is_missing(v):
        return _NAN
    if kind == "boolean":
        return parse_boolean(v)
    return parse_number(v)


def js_number_string(x):
    """String(x) for a JavaScript number."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign, digits, exp = Decimal(repr(float(x))).as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    k = len(digits)
    n = exp + k  # the decimal point sits after n digits
    ds = "".join(str(d) for d in digits)
    if k <= n <= 21:
        out = ds + "0" * (n - k)
    elif 0 < n <= 21:
        out = ds[:n] + "." + ds[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + ds
    else:
        e = n - 1
        out = ds[0] + ("." + ds[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return ("-" if sign else "") + out


def js_string(v):
    """String(v) for a cell as JSON carries it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v) if abs(v) < 2**53 else js_number_string(float(v))
    if isinstance(v, float):
        return js_number_string(v)
    return v


def category_text(v):
    """A categorical cell's text (trimmed), or None when missing."""
    v = plain(v)
    if v is None:
        return None
    s = js_trim(js_string(v))
    return None if is_missing(s) else s
