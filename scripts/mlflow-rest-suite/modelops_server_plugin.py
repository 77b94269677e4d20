"""
pytest plugin: run MLflow 2.10.2's own REST integration tests against `modelops server`.

Load with `-p modelops_server_plugin` (this folder on PYTHONPATH). It replaces
`tests.tracking.integration_test_utils._init_server` before the test modules are collected
(they do `from tests.tracking.integration_test_utils import _init_server`, so the name they bind
is this one). The test code itself is unchanged.

The replacement starts `node <repo>/dist/cli.js server --port 0 --json ...` (below) and
yields its URL, exactly like MLflow's `_init_server` yields the URL of a `flask run` server; the
server is stopped (by pid: SIGTERM, then SIGKILL after 10 s) when the context exits, also when the
body raised.

How MLflow's own `_init_server` is mapped (it runs `flask run` with MLFLOW_BACKEND_STORE_URI and
MLFLOW_DEFAULT_ARTIFACT_ROOT, so its server has no artifact proxy and roots new experiments at the test's URI):
  * root_artifact_uri -> `--no-serve-artifacts --default-artifact-root <root_artifact_uri>`;
  * backend_uri: a sqlite:// URI is passed as `--backend-store-uri`; a file:// one (MLflow's FileStore, which
    modelops does not implement) becomes a fresh SQLite store in a temp folder;
  * extra_env / app: passed through as environment / ignored.
(This is the copy in the modelops repository, scripts/mlflow-rest-suite/; the one in ../shared/tools predates
`--default-artifact-root`.)
"""
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

CLI = os.environ["MODELOPS_CLI"]  # the project's dist/cli.js
NODE = os.environ.get("MODELOPS_NODE", "node")
LOG_DIR = os.environ.get("MODELOPS_SERVER_LOG_DIR")  # per-server request logs (stderr), optional
# Optional HTTP trace (every requests.Session.request: method, URL, body, status, response), one
# JSON-lines file per test, for diagnosing failures. Observes only; changes no request.
TRACE_DIR = os.environ.get("MODELOPS_TRACE_DIR")
# MODELOPS_PLUGIN_MODE=mlflow: keep MLflow's own _init_server (baseline), only trace.
MODE = os.environ.get("MODELOPS_PLUGIN_MODE", "modelops")

_started = []  # (pid, cmd) of every server started, for the session summary


def _log_name():
    cur = os.environ.get("PYTEST_CURRENT_TEST", "unknown").rsplit(" ", 1)[0]
    safe = "".join(c if c.isalnum() or c in "-_.[]" else "_" for c in cur.split("::", 1)[-1])
    return f"{safe}.{len(_started)}.log"


@contextlib.contextmanager
def _init_server(backend_uri, root_artifact_uri, extra_env=None, app="mlflow.server:app"):
    import mlflow

    mlflow.set_tracking_uri(None)
    if backend_uri and backend_uri.startswith("sqlite:"):
        store = backend_uri
    else:
        store = os.path.join(tempfile.mkdtemp(prefix="modelops-store-"), "mlflow.db")
    # MLflow 2.10.2's tests expect its schema's limits (a new store would otherwise get the newest head).
    cmd = [NODE, CLI, "server", "--port", "0", "--json", "--schema", "2.10.2", "--backend-store-uri", store, "--no-serve-artifacts"]
    if root_artifact_uri:
        cmd += ["--default-artifact-root", root_artifact_uri]
    if LOG_DIR:
        os.makedirs(LOG_DIR, exist_ok=True)
        err = open(os.path.join(LOG_DIR, _log_name()), "w")
    else:
        cmd.append("--quiet")
        err = subprocess.DEVNULL
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=err,
        env={**os.environ, **(extra_env or {})},
        text=True,
    )
    _started.append((proc.pid, " ".join(cmd)))
    try:
        # `--json` prints {"url": ..., "store": ...} (pretty-printed) once it listens.
        buf = ""
        deadline = time.time() + 30
        url = None
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                if proc.poll() is not None:
                    raise Exception(f"modelops server exited with {proc.returncode}: {cmd}")
                continue
            buf += line
            try:
                url = json.loads(buf)["url"]
                break
            except ValueError:
                continue
        if not url:
            raise Exception(f"modelops server did not report its URL within 30 s: {cmd}")
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()
        if err is not subprocess.DEVNULL:
            err.close()


def _install_trace():
    import requests.sessions

    orig = requests.sessions.Session.request

    def request(self, method, url, *args, **kwargs):
        resp = orig(self, method, url, *args, **kwargs)
        try:
            cur = os.environ.get("PYTEST_CURRENT_TEST", "unknown").rsplit(" ", 1)[0]
            safe = "".join(c if c.isalnum() or c in "-_.[]" else "_" for c in cur.split("::", 1)[-1])
            body = kwargs.get("json", kwargs.get("data"))
            if body is not None and not isinstance(body, (str, dict, list)):
                body = repr(body)[:200]
            rec = {
                "m": method,
                "url": url,
                "params": kwargs.get("params"),
                "body": body,
                "status": resp.status_code,
                "resp": resp.text[:100000] if "json" in resp.headers.get("Content-Type", "") or resp.status_code != 200 else "<%d bytes>" % len(resp.content),
            }
            with open(os.path.join(TRACE_DIR, safe + ".jsonl"), "a") as f:
                f.write(json.dumps(rec, default=str) + "\n")
        except Exception:
            pass
        return resp

    requests.sessions.Session.request = request


def pytest_configure(config):
    import tests.tracking.integration_test_utils as itu

    if TRACE_DIR:
        os.makedirs(TRACE_DIR, exist_ok=True)
        _install_trace()
    if MODE == "modelops":
        itu._mlflow_init_server = itu._init_server
        itu._init_server = _init_server


def pytest_report_header(config):
    if MODE != "modelops":
        return "modelops_server_plugin: mode=mlflow (MLflow's own _init_server), trace only"
    return f"modelops_server_plugin: _init_server -> {NODE} {CLI} server --port 0 --json --backend-store-uri <test's> --no-serve-artifacts --default-artifact-root <test's>"


def pytest_collection_modifyitems(session, config, items):
    # Every collected module that bound `_init_server` must have bound ours.
    if MODE != "modelops":
        return
    for item in items:
        mod = getattr(item, "module", None)
        f = getattr(mod, "_init_server", None)
        if f is not None and f is not _init_server:
            raise pytest.UsageError(f"{mod.__name__} bound MLflow's _init_server, not modelops'")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    terminalreporter.write_line(f"modelops_server_plugin: {len(_started)} modelops servers started")
    alive = []
    for pid, _ in _started:
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except OSError:
            pass
    terminalreporter.write_line(f"modelops_server_plugin: still alive at exit: {alive}")
