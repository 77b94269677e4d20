#!/usr/bin/env bash
# MLflow 2.10.2's own REST server tests, unchanged, against `modelops server`, with this folder's plugin (it passes
# each test's artifact root and sqlite backend through). The rest of the tool (set-up, extract.py, summarize.py) is
# ../shared/tools/mlflow-rest-suite/ (README there); SUITE points at it.
# env: MLFLOW_TREE, QSP, MODELOPS_CLI (dist/cli.js), RESULTS, SUITE (default ../shared/tools/mlflow-rest-suite)
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MLFLOW_TREE:?set MLFLOW_TREE}" "${QSP:?set QSP}" "${MODELOPS_CLI:?set MODELOPS_CLI to the path of dist/cli.js}"
SUITE=${SUITE:-$here/../../../shared/tools/mlflow-rest-suite}
export RESULTS=${RESULTS:-$PWD/mlflow-rest-suite-results}; mkdir -p "$RESULTS"
export GIT_PYTHON_REFRESH=quiet; unset MLFLOW_TRACKING_URI
export MODELOPS_CLI=$(readlink -f "$MODELOPS_CLI") PYTHONPATH=$MLFLOW_TREE:$QSP:$here
cd "$MLFLOW_TREE"
for m in rest_tracking model_registry; do
  timeout 900 /usr/bin/python3 -m pytest -p modelops_server_plugin -p no:cacheprovider --timeout=180 --color=no -q \
    --junitxml="$RESULTS/$m.xml" "tests/tracking/test_$m.py" > "$RESULTS/$m.log" 2>&1
  echo "modelops $m: $(tail -n 1 "$RESULTS/$m.log")"
done
/usr/bin/python3 "$SUITE/summarize.py"
