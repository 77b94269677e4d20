"""The drift statistics as SciPy and NumPy compute them, for test/unit/ml/drift/scipy-parity.test.ts.

Reads a JSON list of cases from argv[1] and prints one JSON result per case. Numeric columns are
binned the way Evidently's `get_binned_data` does (np.histogram_bin_edges over both samples, 30
bins; one bin per value otherwise), and the PSI is Evidently's formula on those shares.
"""
import json
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def binned(ref, cur, numeric, fill):
    if numeric and len(set(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins=30)
        r = np.histogram(ref, edges)[0] / len(ref)
        c = np.histogram(cur, edges)[0] / len(cur)
    else:
        keys = sorted(set(ref) | set(cur), key=lambda k: (str(type(k)), k))
        r = np.array([list(ref).count(k) / len(ref) for k in keys])
        c = np.array([list(cur).count(k) / len(cur) for k in keys])
    if fill:
        for a in (r, c):
            least = min(a[a != 0])
            np.place(a, a == 0, least / 10**6 if least <= 0.0001 else 0.0001)
    return r, c


def run(case):
    kind = case["kind"]
    if kind == "ks":
        r = stats.ks_2samp(case["a"], case["b"], method=case.get("method", "auto"))
        return {"statistic": float(r.statistic), "pvalue": float(r.pvalue)}
    if kind == "chisquare":
        r = stats.chisquare(case["observed"], case["expected"])
        return {"statistic": float(r.statistic), "pvalue": float(r.pvalue)}
    if kind == "wasserstein":
        return {"distance": float(stats.wasserstein_distance(case["u"], case["v"], case.get("uw"), case.get("vw")))}
    if kind == "jensenshannon":
        return {"distance": float(distance.jensenshannon(case["p"], case["q"]))}
    if kind == "column":
        ref = np.array(case["ref"]) if case["numeric"] else case["ref"]
        cur = np.array(case["cur"]) if case["numeric"] else case["cur"]
        r, c = binned(ref, cur, case["numeric"], fill=True)
        psi = float(np.sum((r - c) * np.log(r / c)))
        shares = binned(ref, cur, case["numeric"], fill=False)
        out = {"psi": psi, "reference": shares[0].tolist(), "current": shares[1].tolist()}
        if case["numeric"]:
            out["wasserstein_normed"] = float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))
            out["ks_pvalue"] = float(stats.ks_2samp(ref, cur).pvalue)
        else:
            r0, c0 = binned(ref, cur, False, fill=False)
            out["jensenshannon"] = float(distance.jensenshannon(r0, c0))
            keys = sorted(set(ref) | set(cur))
            k_norm = len(cur) / len(ref)
            out["chisquare_pvalue"] = float(stats.chisquare([list(cur).count(k) for k in keys], [list(ref).count(k) * k_norm for k in keys]).pvalue)
        return out
    raise ValueError(kind)


with open(sys.argv[1]) as f:
    cases = json.load(f)
print(json.dumps([run(c) for c in cases]))
