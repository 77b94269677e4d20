"""Peer for bench/tune: Optuna (TPESampler / RandomSampler, MedianPruner) and scikit-learn, run by
/usr/bin/python3 in the same bench run as ModelOps. Prints one JSON line.

Usage:
  peer_optuna.py analytic <seeds> <budgets, e.g. 10,30,100>
      Branin, Hartmann-6, a 5-D sphere and the mixed objective (the same formulas and spaces as
      bench/tune/objectives.ts), each sampler (default TPE, multivariate TPE with the constant liar,
      random) x seed 0..seeds-1, one study of max(budgets) trials; the best value within each budget
      and sampler time per trial (the optimize loop minus the formula's own time; the suggest calls
      are sampling).
  peer_optuna.py overhead <objective> <trials>
      Sampler time per trial over one study of that many trials, for both TPEs (seed 0).
  peer_optuna.py e2e <spec.json>
      Optuna TPE + MedianPruner tuning a soft vote of RandomForestClassifier and KNeighborsClassifier
      (StandardScaler before kNN) by 3-fold stratified CV accuracy, reporting each fold's running mean.
      spec.json: {data, target, numeric, categorical, trials, cv, seed, folds}, the feature lists as ModelOps read them
      and ModelOps' folds (row indices), so both sides score the same splits.
"""
import json
import math
import sys
import time

import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


# --- analytic objectives (minimize); keep in step with bench/tune/objectives.ts -----------------

# Each objective is (suggest, formula): Optuna samples inside trial.suggest_*, so only the formula
# counts as objective time and the suggest calls count as sampler time, as on the ModelOps side.

def branin_suggest(trial):
    return {"x1": trial.suggest_float("x1", -5.0, 10.0), "x2": trial.suggest_float("x2", 0.0, 15.0)}


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]


def hartmann6_suggest(trial):
    return {f"x{j}": trial.suggest_float(f"x{j}", 0.0, 1.0) for j in range(6)}


def hartmann6(p):
    total = 0.0
    for i in range(4):
        inner = sum(H_A[i][j] * (p[f"x{j}"] - H_P[i][j]) ** 2 for j in range(6))
        total += H_ALPHA[i] * math.exp(-inner)
    return -total


MIXED_PENALTY = {"a": 0.5, "b": 0.0, "c": 1.0, "d": 2.0}


def mixed_suggest(trial):
    return {
        "x": trial.suggest_float("x", -2.0, 2.0),
        "y": trial.suggest_float("y", -2.0, 2.0),
        "n": trial.suggest_int("n", 1, 1000, log=True),
        "kind": trial.suggest_categorical("kind", ["a", "b", "c", "d"]),
    }


def mixed(p):
    return (p["x"] - 0.3) ** 2 + (p["y"] + 0.5) ** 2 + 0.25 * math.log(p["n"] / 20) ** 2 + MIXED_PENALTY[p["kind"]]


SPHERE_DIMS = 5


def sphere5_suggest(trial):
    return {f"x{j}": trial.suggest_float(f"x{j}", -5.0, 5.0) for j in range(SPHERE_DIMS)}


def sphere5(p):
    return sum((p[f"x{j}"] - 1.0) ** 2 for j in range(SPHERE_DIMS))


OBJECTIVES = {
    "branin": (branin_suggest, branin),
    "hartmann6": (hartmann6_suggest, hartmann6),
    "sphere5": (sphere5_suggest, sphere5),
    "mixed": (mixed_suggest, mixed),
}

# "tpe": Optuna 3.1's default TPESampler; "tpe-mv": the multivariate TPE with the constant liar
# (Optuna 5.0's defaults; experimental in 3.1, hence the warnings filter).
KINDS = ("tpe", "tpe-mv", "random")


def make_sampler(kind, seed):
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if kind == "tpe-mv":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)
    return optuna.samplers.RandomSampler(seed=seed)


def one_study(objective, kind, seed, trials, budgets):
    """Best value after each budget (a prefix of one study) and the sampler's ms per trial."""
    suggest, formula = objective
    spent = [0.0]

    def timed(trial):
        p = suggest(trial)
        t = time.perf_counter()
        v = formula(p)
        spent[0] += time.perf_counter() - t
        return v

    study = optuna.create_study(direction="minimize", sampler=make_sampler(kind, seed))
    t0 = time.perf_counter()
    study.optimize(timed, n_trials=trials)
    loop = time.perf_counter() - t0
    values = [t.value for t in study.trials]
    best = [min(values[:b]) for b in budgets]
    return best, (loop - spent[0]) * 1000 / trials


def analytic(seeds, budgets):
    trials = max(budgets)
    out = {}
    for name, fn in OBJECTIVES.items():
        one_study(fn, "tpe", 1000, 30, [30])  # untimed warm-up, as the ModelOps side does
        out[name] = {}
        for kind in KINDS:
            best, ms = [], []
            for seed in range(seeds):
                b, m = one_study(fn, kind, seed, trials, budgets)
                best.append(b)
                ms.append(m)
            out[name][kind] = {"best": best, "msPerTrial": ms}
    return out


def overhead(objective, trials):
    """Sampler ms per trial over one study of `trials` trials, per TPE kind (seed 0)."""
    return {kind: one_study(OBJECTIVES[objective], kind, 0, trials, [trials])[1] for kind in ("tpe", "tpe-mv")}


# --- end-to-end: tuning RF + kNN on a CSV ------------------------------------------------------

def e2e(spec):
    import csv

    import numpy as np
    import sklearn
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    t_start = time.perf_counter()
    with open(spec["data"], newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    numeric, categorical = spec["numeric"], spec["categorical"]
    X = np.empty((len(body), len(numeric) + len(categorical)), dtype=object)
    for j, name in enumerate(numeric + categorical):
        i = header.index(name)
        col = [r[i].strip() for r in body]
        if j < len(numeric):
            X[:, j] = [float(v) if v not in ("", "NA", "NaN", "nan") else np.nan for v in col]
        else:
            X[:, j] = [v if v != "" else "__missing__" for v in col]
    y = np.asarray([r[header.index(spec["target"])] for r in body])
    nn = list(range(len(numeric)))
    cc = list(range(len(numeric), len(numeric) + len(categorical)))
    # The folds modelops tune uses (row indices of the CSV's data rows), when given.
    if spec.get("folds"):
        folds = [(np.asarray(f["train"]), np.asarray(f["test"])) for f in spec["folds"]]
    else:
        folds = list(StratifiedKFold(n_splits=spec["cv"], shuffle=True, random_state=spec["seed"]).split(X, y))

    def build(p):
        parts = [("num", SimpleImputer(strategy="median"), nn)]
        if cc:
            parts.append(("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)), cc))
        rf = RandomForestClassifier(
            n_estimators=p["n_estimators"],
            max_depth=p["max_depth"],
            min_samples_leaf=p["min_samples_leaf"],
            max_features=p["max_features"],
            random_state=spec["seed"],
            n_jobs=1,
        )
        knn = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=p["n_neighbors"], weights=p["weights"], n_jobs=1))
        return Pipeline([("pre", ColumnTransformer(parts)), ("vote", VotingClassifier([("rf", rf), ("knn", knn)], voting="soft"))])

    def objective(trial):
        p = {
            "n_estimators": trial.suggest_int("n_estimators", 50, 300, step=50),
            "max_depth": trial.suggest_categorical("max_depth", [None, 6, 12, 24]),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 8),
            "max_features": trial.suggest_categorical("max_features", ["sqrt", "log2", 0.5]),
            "n_neighbors": trial.suggest_int("n_neighbors", 1, 30, log=True),
            "weights": trial.suggest_categorical("weights", ["uniform", "distance"]),
        }
        scores = []
        for k, (tr, te) in enumerate(folds):
            model = build(p).fit(X[tr], y[tr])
            scores.append(float(np.mean(model.predict(X[te]) == y[te])))
            trial.report(sum(scores) / len(scores), k)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return sum(scores) / len(scores)

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=spec["seed"]),
        pruner=optuna.pruners.MedianPruner(),
    )
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=spec["trials"])
    t1 = time.perf_counter()
    states = [t.state.name for t in study.trials]
    return {
        "sklearn": sklearn.__version__,
        "best": {"number": study.best_trial.number, "value": study.best_value, "params": study.best_params},
        "complete": states.count("COMPLETE"),
        "pruned": states.count("PRUNED"),
        "optimizeMs": (t1 - t0) * 1000,
        "inProcessMs": (t1 - t_start) * 1000,
    }


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "analytic":
        budgets = [int(b) for b in sys.argv[3].split(",")]
        result = {"optuna": optuna.__version__, "analytic": analytic(int(sys.argv[2]), budgets)}
    elif mode == "overhead":
        result = {"optuna": optuna.__version__, "overhead": overhead(sys.argv[2], int(sys.argv[3]))}
    elif mode == "e2e":
        with open(sys.argv[2]) as f:
            result = {"optuna": optuna.__version__, **e2e(json.load(f))}
    else:
        raise SystemExit(f"unknown mode {mode!r}: analytic | e2e")
    print(json.dumps(result))
