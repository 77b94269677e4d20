"""The peer of bench/store: Python's sqlite3 (SQLite itself, as MLflow's SQLAlchemy store uses it)
on the same store files, doing what the product's store does for each measure, which is what
MLflow's own store does for a logged metric (SqlAlchemyStore.log_metric/log_batch): in one
transaction, check the run exists and is active, insert the metric rows, and move the run's
`latest_metrics` row only when the new point is newer (step, then timestamp, then value). MLflow
adds SQLAlchemy and validation on top, so real MLflow is slower than these figures.

  peer_sqlite.py fill <file> <bytes> <run_id>      grow a store with metric history (untimed setup)
  peer_sqlite.py buffered <file> <seconds> <run>  1000 metric rows + latest_metrics per commit
  peer_sqlite.py onecall <file> <seconds> <run>   one metric row + latest_metrics per commit
  peer_sqlite.py onecall-statements <f> <s> <run> the same, minus the run check, latest_metrics
                                                  written blindly (the peer before 2026-12-04)
  peer_sqlite.py latency <file> <n> <run>         small durable transaction (a run tag), ms each
  peer_sqlite.py open <file>                      connect + first query, ms; and peak RSS
Prints JSON."""
import json, os, random, resource, sqlite3, sys, time

task, path = sys.argv[1], sys.argv[2]


def connect():
    c = sqlite3.connect(path, timeout=30, isolation_level=None)
    c.execute("PRAGMA foreign_keys = ON")
    return c


def metric_rows(run, step, n, key="loss"):
    return [(key, random.random(), 1700000000000 + step + i, run, step + i, 0) for i in range(n)]


def log(c, run, rows):
    """What MLflow's store does for logged metrics, in one durable transaction."""
    c.execute("BEGIN IMMEDIATE")
    stage = c.execute("SELECT lifecycle_stage FROM runs WHERE run_uuid = ?", (run,)).fetchone()
    if stage is None or stage[0] != "active":
        c.execute("ROLLBACK")
        sys.exit(f"run {run} is missing or not active")
    c.executemany('INSERT OR IGNORE INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)', rows)
    k, v, ts, _, s, _ = rows[-1]
    cur = c.execute('SELECT step, timestamp, value FROM latest_metrics WHERE "key" = ? AND run_uuid = ?', (k, run)).fetchone()
    if cur is None:
        c.execute('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)', (k, v, ts, s, run))
    elif (s, ts, v) > (cur[0], cur[1] or 0, cur[2]):
        c.execute('UPDATE latest_metrics SET value = ?, timestamp = ?, step = ?, is_nan = 0 WHERE "key" = ? AND run_uuid = ?', (v, ts, s, k, run))
    c.execute("COMMIT")


def log_statements(c, run, rows):
    """The minimal loop: no run check, latest_metrics overwritten whether newer or not."""
    c.execute("BEGIN IMMEDIATE")
    c.executemany('INSERT OR IGNORE INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)', rows)
    k, v, ts, _, s, _ = rows[-1]
    if c.execute('UPDATE latest_metrics SET value = ?, timestamp = ?, step = ?, is_nan = 0 WHERE "key" = ? AND run_uuid = ?', (v, ts, s, k, run)).rowcount == 0:
        c.execute('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)', (k, v, ts, s, run))
    c.execute("COMMIT")


def timed_loop(rows_per_commit, write=log):
    seconds, run = float(sys.argv[3]), sys.argv[4]
    c = connect()
    step = c.execute("SELECT coalesce(max(step), 0) + 1 FROM metrics WHERE run_uuid = ?", (run,)).fetchone()[0]
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        write(c, run, metric_rows(run, step, rows_per_commit, "peer_loss"))
        step += rows_per_commit
        n += rows_per_commit
    return n / (time.perf_counter() - t0)


if task == "fill":
    target, run = int(sys.argv[3]), sys.argv[4]
    c = connect()
    step = 0
    while os.path.getsize(path) < target:
        rows = max(2000, min(500000, (target - os.path.getsize(path)) // 150))
        c.execute("BEGIN")
        for i in range(0, rows, 1000):
            c.executemany('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
                          [(f"fill_{j % 20}", random.random(), 1600000000000 + step + j, run, step + j, 0) for j in range(1000)])
            step += 1000
        c.execute("COMMIT")
    print(json.dumps({"bytes": os.path.getsize(path)}))
elif task == "buffered":
    print(json.dumps({"pointsPerSecond": timed_loop(1000)}))
elif task == "onecall":
    print(json.dumps({"callsPerSecond": timed_loop(1)}))
elif task == "onecall-statements":
    print(json.dumps({"callsPerSecond": timed_loop(1, log_statements)}))
elif task == "latency":
    n, run = int(sys.argv[3]), sys.argv[4]
    c = connect()
    times = []
    for i in range(n):
        t = time.perf_counter()
        c.execute("BEGIN IMMEDIATE")
        c.execute('INSERT OR REPLACE INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)', ("bench.note", f"commit {i}", run))
        c.execute("COMMIT")
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"times": times, "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
elif task == "open":
    times = []
    for _ in range(5):
        t = time.perf_counter()
        c = connect()
        c.execute("SELECT count(*) FROM experiments").fetchone()
        times.append((time.perf_counter() - t) * 1000)
        c.close()
    print(json.dumps({"times": times, "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
else:
    sys.exit(f"unknown task {task}")
