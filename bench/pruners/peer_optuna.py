"""bench/pruners' peer: Optuna's pruners on the same synthetic study (see run.ts). Prints JSON."""
import json
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def run(name, n, steps):
    pruner = {
        "median": optuna.pruners.MedianPruner(),
        "successive-halving": optuna.pruners.SuccessiveHalvingPruner(),
        "hyperband": optuna.pruners.HyperbandPruner(),
    }[name]
    spent = [0.0]
    study = optuna.create_study(study_name="bench", direction="maximize", pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=1))

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        for s in range(steps):
            trial.report(x * (1 + s / steps), s)
            t0 = time.perf_counter()
            stop = trial.should_prune()
            spent[0] += time.perf_counter() - t0
            if stop:
                raise optuna.TrialPruned()
        return x

    study.optimize(objective, n_trials=n)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    return {"msPerTrial": spent[0] * 1000 / n, "pruned": pruned}


if __name__ == "__main__":
    n, steps = int(sys.argv[1]), int(sys.argv[2])
    names = sys.argv[3].split(",")
    print(json.dumps({"optuna": optuna.__version__, "runs": {name: run(name, n, steps) for name in names}}))
