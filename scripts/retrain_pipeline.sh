#!/bin/sh
# Automated retraining, for CI (the seed's entry point): runs the retraining pipeline —
# data validation and drift → train → validate and promote to Staging → inference test.
#
#   scripts/retrain_pipeline.sh [pipeline-file] [options of `modelops pipeline run`]
#   scripts/retrain_pipeline.sh modelops.pipeline.json --data data/2024-06.csv --store .modelops/mlflow.db
#
# Without a file it uses ./modelops.pipeline.json (or .yaml). Exit codes: 0 promoted to Staging,
# 3 data validation failed, 4 the gates (or the inference test) failed, 1 bad input, 2 internal error.
# The report (Markdown and HTML) is an artifact of the pipeline run; --report <file> copies it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cli="$root/dist/cli.js"
if [ ! -f "$cli" ]; then
  (cd "$root" && npm run -s build) >&2
fi
exec node "$cli" pipeline run "$@"
