"""Stand-in peer for MLflow's SQLite store: Python's sqlite3 inserting metric rows into MLflow's
own `metrics` table (schema from the reference DDL), one commit per call and batched (1000 per
commit), on a file. MLflow adds SQLAlchemy and validation overhead on top of this, so real MLflow
is slower than these figures. Prints JSON."""
import json, os, random, sqlite3, sys, tempfile, time

schema_sql, seconds = sys.argv[1], float(sys.argv[2])
ddl = open(schema_sql).read()
out = {}
for mode in ("one_commit_per_call", "batched_1000"):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "mlflow.db")
    c = sqlite3.connect(path)
    c.executescript(ddl)
    run = "ab2e0308cf1d42a4b1def1b4a1c4033f"
    c.execute("INSERT INTO runs (run_uuid, lifecycle_stage, status, experiment_id) VALUES (?, 'active', 'RUNNING', 0)", (run,))
    c.commit()
    n, step, t0 = 0, 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        rows = 1 if mode == "one_commit_per_call" else 1000
        batch = [("loss", random.random(), 1700000000000 + step + i, run, step + i, 0) for i in range(rows)]
        c.executemany('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)', batch)
        for (_, v, ts, _, s, _) in batch[-1:]:
            c.execute('INSERT OR REPLACE INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)', ("loss", v, ts, s, run))
        c.commit()
        step += rows
        n += rows
    out[mode] = n / (time.perf_counter() - t0)
    c.close()
print(json.dumps(out))
