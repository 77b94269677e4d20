"""Typed arrays in payloads (src/ml/codec.ts, src/ml/forest/forest-codec.ts): raw-deflated
little-endian bytes in base64."""

import base64
import binascii
import zlib

import numpy as np

from ._errors import ModelOpsPyfuncError


def unpack(value, dtype, field, owner, length=None):
    if not isinstance(value, str):
        raise ModelOpsPyfuncError("%s payload: %s is missing" % (owner, field))
    try:
        raw = zlib.decompress(base64.b64decode(value, validate=False), -15)
    except (binascii.Error, zlib.error, ValueError) as e:
        raise ModelOpsPyfuncError("%s payload: %s is corrupt (%s)" % (owner, field, e))
    dt = np.dtype(dtype).newbyteorder("<")
    if len(raw) % dt.itemsize != 0 or (length is not None and len(raw) != length * dt.itemsize):
        raise ModelOpsPyfuncError("%s payload: %s has the wrong length" % (owner, field))
    return np.frombuffer(raw, dtype=dt).astype(dt.newbyteorder("="), copy=True)
