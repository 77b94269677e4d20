"""model.json, the versioned envelope (src/ml/ensemble/model-package.ts):
`{"format": "modelops.ensemble/1", "modelops_version": ..., "payload_sha256": ..., "payload": {...}}`.
Only JSON is parsed; a format this loader does not know is refused before anything else is read."""

import hashlib
import json
import os

from ._errors import ModelOpsPyfuncError

FORMAT = "modelops.ensemble/1"
DATA_FILE = "model.json"
_PAYLOAD_KEY = b',"payload":'


def payload_path(path):
    """`_load_pyfunc` gets MLmodel's `data` (the model.json file); a model directory works too."""
    return os.path.join(path, DATA_FILE) if os.path.isdir(path) else path


def read_payload(path):
    file = payload_path(path)
    try:
        with open(file, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ModelOpsPyfuncError("%s: cannot read the model payload (%s); is this a ModelOps model directory?" % (file, e.strerror or e))
    try:
        env = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ModelOpsPyfuncError("%s: truncated or not JSON (%s)" % (file, e))
    if not isinstance(env, dict):
        raise ModelOpsPyfuncError("%s: not a ModelOps model envelope" % file)
    if env.get("format") != FORMAT:
        raise ModelOpsPyfuncError(
            "%s: unsupported model format %r; this loader reads %s only (the model was saved by ModelOps %s: "
            "load it with the modelops_pyfunc that model carries in its code/ folder)" % (file, env.get("format"), FORMAT, env.get("modelops_version", "?"))
        )
    payload = env.get("payload")
    if not isinstance(payload, dict):
        raise ModelOpsPyfuncError("%s: payload is missing" % file)
    # The checksum covers the payload's bytes as written (between `"payload":` and the closing brace).
    at = raw.find(_PAYLOAD_KEY)
    body = raw[at + len(_PAYLOAD_KEY) :].rstrip(b"\n") if at >= 0 else b""
    if not body.endswith(b"}") or hashlib.sha256(body[:-1]).hexdigest() != env.get("payload_sha256"):
        raise ModelOpsPyfuncError("%s: payload checksum mismatch: the model was modified after it was saved" % file)
    return payload, file
