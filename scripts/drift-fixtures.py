#!/usr/bin/env python3
"""Writes the expected drift statistics that StrataMonitoringTests compare against.

Every expected value comes from Evidently 0.7.23's own stattest functions (which call scipy), and
the dataset cases from a full `Report([DataDriftPreset()])` run, so that Strata's statistics are
checked against the peers users switch from, not against themselves.

Run from the repository root, in a virtual environment of your own (never in CI):

    python3 -m venv .venv && .venv/bin/pip install evidently==0.7.23 scipy "pandas<3"
    .venv/bin/python scripts/drift-fixtures.py

Small windows are written out value by value. Large ones (KS's asymptotic branches need more
than 10,000 values) are described by a generator that the Swift tests replay exactly: SplitMix64
(StrataColumnar's) with the same Box-Muller normal, plus a checksum of the values so that a test
notices if the two generators ever part ways.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
from scipy import stats

import evidently
from evidently import Report
from evidently.legacy.calculations.stattests import registry
from evidently.legacy.core import ColumnType
from evidently.presets import DataDriftPreset

warnings.simplefilter("ignore")

OUTPUT = os.path.join("Tests", "StrataMonitoringTests", "Fixtures", "drift-cases.json")
MASK = (1 << 64) - 1


class SplitMix64:
    """StrataColumnar's SplitMix64, bit for bit."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def unit(self):
        return (self.next() >> 11) * 2.0**-53

    def normal(self):
        u = max(self.unit(), 1e-300)
        v = self.unit()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)


def generate(spec):
    """The values a generator spec describes; the Swift tests implement the same rules."""
    rng = SplitMix64(spec["seed"])
    kind = spec["kind"]
    values = []
    for i in range(spec["count"]):
        if kind == "normal":
            x = spec.get("loc", 0.0) + spec.get("scale", 1.0) * rng.normal()
            if "decimals" in spec:
                p = 10.0 ** spec["decimals"]
                x = float(np.rint(x * p)) / p
            value = x
        elif kind == "integer":
            value = spec.get("offset", 0) + rng.next() % spec["modulo"]
        elif kind == "category":
            a = rng.next() % spec["modulo"]
            b = rng.next() % spec["modulo"]
            value = spec.get("prefix", "c") + str(min(a, b) + spec.get("shift", 0))
        elif kind == "bool":
            value = rng.unit() < spec["p"]
        else:
            raise ValueError(kind)
        every = spec.get("null_every")
        values.append(None if every and (i + 1) % every == 0 else value)
    return values


def checksum(values):
    """Order-dependent digest of the values, which the Swift side recomputes."""
    total = 0.0
    count = 0
    for position, value in enumerate(values):
        if value is None:
            continue
        count += 1
        if isinstance(value, bool):
            total += (position % 7 + 1) * (1.0 if value else 0.0)
        elif isinstance(value, str):
            total += (position % 7 + 1) * len(value)
        else:
            total += (position % 7 + 1) * float(value)
    return {"count": count, "weighted_sum": total}


def series(values, type_):
    """The pandas Series Evidently receives for a Strata column of `type_`."""
    if type_ == "float":
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if type_ == "int":
        if any(v is None for v in values):
            return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
        return pd.Series(values, dtype="int64")
    if type_ == "bool":
        if any(v is None for v in values):
            return pd.Series(values, dtype="object")
        return pd.Series(values, dtype="bool")
    return pd.Series(values, dtype="object")


def cleaned(s):
    return s.replace([-np.inf, np.inf], np.nan).dropna()


def number(x):
    """A float for JSON, with NaN and infinities as strings (JSON has no literal for them)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def encoded(values):
    """Values for JSON: NaN and infinities as strings, the rest as they are."""
    return [number(v) if isinstance(v, float) and not math.isfinite(v) else v for v in values]


def column_case(name, type_, kind, reference, current, method=None, note=""):
    """One column's test as Evidently runs it inside DataDriftPreset."""
    ref_values = generate(reference) if isinstance(reference, dict) else reference
    cur_values = generate(current) if isinstance(current, dict) else current
    ref = cleaned(series(ref_values, type_))
    cur = cleaned(series(cur_values, type_))
    case = {
        "name": name,
        "note": note,
        "type": type_,
        "kind": kind,
        "method": method,
        "reference": reference if isinstance(reference, dict) else encoded(ref_values),
        "current": current if isinstance(current, dict) else encoded(cur_values),
    }
    if isinstance(reference, dict):
        case["reference_checksum"] = checksum(ref_values)
    if isinstance(current, dict):
        case["current_checksum"] = checksum(cur_values)
    if ref.empty or cur.empty:
        # Evidently raises "An empty column ... was provided"; Strata reports no_data.
        case["expected"] = {"status": "no_data"}
        return case
    column_type = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
    test = registry.get_stattest(ref, cur, column_type, method)
    result = test(ref.copy(), cur.copy(), column_type, None)
    case["expected"] = {
        "status": "tested",
        "test": test.name,
        "statistic": number(result.drift_score),
        "threshold": result.actual_threshold,
        "drifted": bool(result.drifted),
    }
    if test.name == "ks":
        ks = stats.ks_2samp(ref, cur)
        case["expected"]["ks_d"] = number(ks.statistic)
    return case


def small_cases():
    rng = np.random.default_rng(20260131)
    cases = []

    def normal(n, loc=0.0, scale=1.0, decimals=6):
        return [float(np.round(x, decimals)) for x in rng.normal(loc, scale, n)]

    a30, b30 = normal(30), normal(30, 0.4)
    cases.append(column_case("ks exact, equal sizes", "float", "numerical", a30, b30, note="square method"))
    cases.append(column_case("ks exact, unequal sizes", "float", "numerical", normal(40), normal(55, 0.3), note="inside method"))
    cases.append(column_case("ks exact, drifted", "float", "numerical", normal(120), normal(97, 1.2, 2.0)))
    cases.append(column_case("ks exact, identical", "float", "numerical", a30, list(a30)))
    ties_ref = [float(x) for x in rng.integers(0, 9, 60)]
    ties_cur = [float(x) for x in rng.integers(1, 10, 45)]
    cases.append(column_case("ks with ties", "float", "numerical", ties_ref, ties_cur))
    with_gaps = normal(50)
    with_gaps[3] = None
    with_gaps[10] = float("nan")
    with_gaps[11] = float("inf")
    with_gaps[20] = float("-inf")
    cases.append(column_case("ks drops nulls, NaN and infinities", "float", "numerical", with_gaps, normal(35, 0.2)))
    cases.append(column_case("ks tiny windows", "float", "numerical", [0.5, 2.0, 3.5], [1.0], method="ks"))
    cases.append(column_case("ks two against two", "float", "numerical", [1.0, 2.0], [3.0, 4.0], method="ks"))
    cases.append(column_case("ks one against one", "float", "numerical", [1.0], [1.0], method="ks"))
    cases.append(column_case("ks integers", "int", "numerical", list(range(0, 40)), list(range(5, 50, 2))))

    cases.append(column_case("auto: two values -> z", "float", "numerical", [0.0, 1.0] * 40, [0.0, 1.0, 1.0] * 20))
    cases.append(column_case("auto: four values -> chi-square", "float", "numerical", [0.0, 1.0, 2.5, 4.0] * 25, [0.0, 1.0, 2.5, 2.5] * 20))
    cases.append(column_case("z: both constant, same value", "float", "numerical", [3.0] * 12, [3.0] * 7))
    cases.append(column_case("z: both constant, different values", "float", "numerical", [3.0] * 12, [4.0] * 7))
    cases.append(column_case("z: strings", "string", "categorical", ["no"] * 30 + ["yes"] * 10, ["no"] * 12 + ["yes"] * 18))
    cases.append(column_case("z: bools", "bool", "categorical", [True] * 20 + [False] * 25, [True] * 30 + [False] * 5))
    cases.append(column_case("z: forced on three categories", "string", "categorical", ["a", "b", "c"] * 10, ["a", "c", "c"] * 9, method="z"))

    cats = ["red", "green", "blue", "cyan"]
    cases.append(column_case(
        "chi-square: categories", "string", "categorical",
        [cats[i % 4] for i in range(83)], [cats[(i * 3) % 4] for i in range(61)] + ["green"] * 9))
    cases.append(column_case(
        "chi-square: a category only in current", "string", "categorical",
        ["a", "b", "c"] * 20, ["a", "b", "c"] * 15 + ["new"] * 2))
    cases.append(column_case(
        "chi-square: a category only in reference", "string", "categorical",
        ["a", "b", "c", "gone"] * 15, ["a", "b", "c"] * 18))
    cases.append(column_case(
        "chi-square: integer categories with nulls", "int", "categorical",
        [1, 2, 3, None, 2, 2, 3, 1, 1, 5] * 9, [1, 2, 2, 3, None, 3, 3, 5, 5] * 8))
    cases.append(column_case(
        "chi-square: one category in both", "string", "categorical", ["x"] * 10, ["x"] * 4, method="chisquare",
        note="scipy gives a NaN p-value for zero degrees of freedom"))

    cases.append(column_case("wasserstein forced, small", "float", "numerical", normal(200), normal(150, 0.25), method="wasserstein"))
    cases.append(column_case("wasserstein: constant reference", "float", "numerical", [2.0] * 40, normal(30, 2.0, 0.1), method="wasserstein"))
    cases.append(column_case("jensenshannon: categorical", "string", "categorical", [cats[i % 4] for i in range(90)], [cats[(i * i) % 4] for i in range(70)], method="jensenshannon"))
    many_ref, many_cur = normal(300), normal(260, 0.5, 1.5)
    cases.append(column_case("jensenshannon: numerical, Sturges bins", "float", "numerical", many_ref, many_cur, method="jensenshannon"))
    few_ref = [float(x) for x in rng.integers(0, 12, 200)]
    few_cur = [float(x) for x in rng.integers(3, 15, 180)]
    cases.append(column_case("jensenshannon: numerical, few values", "float", "numerical", few_ref, few_cur, method="jensenshannon"))
    for method in ["psi", "kl_div"]:
        cases.append(column_case(f"{method}: numerical, Sturges bins", "float", "numerical", many_ref, many_cur, method=method))
        cases.append(column_case(f"{method}: numerical, few values, zeros filled", "float", "numerical", few_ref, few_cur, method=method))
        cases.append(column_case(
            f"{method}: categorical, zeros filled", "string", "categorical",
            ["a", "b", "c"] * 30 + ["rare"], ["a", "b"] * 40 + ["d"] * 3, method=method))
    cases.append(column_case("hellinger: categorical", "string", "categorical", ["a", "b", "c"] * 30 + ["d"] * 4, ["a", "b"] * 40 + ["e"] * 3, method="hellinger"))
    cases.append(column_case("hellinger: numerical", "float", "numerical", many_ref, many_cur, method="hellinger"))
    cases.append(column_case("hellinger: integers, few values", "int", "numerical", [0, 1, 1, 0, 1] * 10, [1, 1, 1, 0] * 9, method="hellinger"))
    cases.append(column_case("hellinger: constant", "float", "numerical", [5.0] * 10, [5.0] * 8, method="hellinger"))

    cases.append(column_case("no data: current all null", "float", "numerical", normal(20), [None] * 9))
    cases.append(column_case("no data: reference empty", "string", "categorical", [], ["a", "b"]))
    cases.append(column_case("no data: only NaN and infinities", "float", "numerical", [float("nan"), float("inf")] * 3, normal(10)))
    return cases


def large_cases():
    g = lambda seed, count, **kw: dict(seed=seed, count=count, **kw)
    normal = g(1, 20000, kind="normal")
    cases = [
        # ks_2samp switches to Smirnov's asymptotic when a window has more than 10,000 values and then
        # evaluates kstwo.sf(D, round(en)); each case below lands in another branch of that function.
        column_case("ks asymptotic: Pomeranz (en <= 140)", "float", "numerical",
                    normal, g(2, 60, kind="normal", loc=0.25), method="ks"),
        column_case("ks asymptotic: Durbin matrix (en <= 140)", "float", "numerical",
                    normal, g(31, 60, kind="normal", loc=0.05), method="ks"),
        column_case("ks asymptotic: Smirnov (en <= 140)", "float", "numerical",
                    normal, g(32, 60, kind="normal", loc=1.0), method="ks"),
        column_case("ks asymptotic: D >= 0.5", "float", "numerical",
                    normal, g(33, 40, kind="normal", loc=3.0), method="ks"),
        column_case("ks asymptotic: one current value", "float", "numerical",
                    normal, g(34, 1, kind="normal"), method="ks"),
        column_case("ks asymptotic: two current values", "float", "numerical",
                    normal, g(35, 2, kind="normal", loc=2.0), method="ks"),
        column_case("ks asymptotic: Durbin matrix (en > 140)", "float", "numerical",
                    normal, g(54, 203, kind="normal"), method="ks"),
        column_case("ks asymptotic: nearly identical windows", "float", "numerical",
                    g(3, 12000, kind="normal"), g(3, 11997, kind="normal"), method="ks"),
        column_case("ks asymptotic: Pelz-Good", "float", "numerical",
                    g(3, 12000, kind="normal"), g(4, 9000, kind="normal", loc=0.01), method="ks"),
        column_case("ks asymptotic: Smirnov", "float", "numerical",
                    g(5, 15000, kind="normal"), g(6, 11000, kind="normal", loc=0.04), method="ks"),
        column_case("ks asymptotic: far apart", "float", "numerical",
                    g(7, 12000, kind="normal"), g(8, 12000, kind="normal", loc=1.0), method="ks"),
        column_case("ks asymptotic: ties and nulls", "float", "numerical",
                    g(9, 16000, kind="normal", decimals=1, null_every=13),
                    g(10, 10500, kind="normal", decimals=1, loc=0.02, null_every=7), method="ks"),
        column_case("ks exact at the 10,000 limit", "float", "numerical",
                    g(11, 10000, kind="normal"), g(12, 7000, kind="normal", loc=0.03), method="ks"),
        column_case("wasserstein default, large reference", "float", "numerical",
                    g(13, 5000, kind="normal"), g(14, 4000, kind="normal", loc=0.2, scale=1.1)),
        column_case("wasserstein default, no drift", "float", "numerical",
                    g(15, 3000, kind="normal", null_every=5), g(16, 3500, kind="normal")),
        column_case("jensenshannon default, large categorical", "string", "categorical",
                    g(17, 4000, kind="category", modulo=12), g(18, 3000, kind="category", modulo=12, shift=1)),
        column_case("jensenshannon default, few numerical values", "float", "numerical",
                    g(19, 2500, kind="integer", modulo=4), g(20, 2000, kind="integer", modulo=5)),
        column_case("psi: integers, Sturges bins", "int", "numerical",
                    g(21, 6000, kind="integer", modulo=500), g(22, 5000, kind="integer", modulo=520, offset=3), method="psi"),
        column_case("jensenshannon default, bools", "bool", "categorical",
                    g(23, 3000, kind="bool", p=0.3), g(24, 2000, kind="bool", p=0.36)),
    ]
    return cases


def dataset_case(name, columns):
    """A full DataDriftPreset run: types inferred from the current frame, default tests, share rule."""
    ref = pd.DataFrame({c: series(generate(spec["reference"]), spec["type"]) for c, spec in columns.items()})
    cur = pd.DataFrame({c: series(generate(spec["current"]), spec["type"]) for c, spec in columns.items()})
    report = Report([DataDriftPreset()]).run(cur, ref).dict()
    expected_columns = {}
    count = share = None
    for metric in report["metrics"]:
        config = metric["config"]
        if config["type"] == "evidently:metric_v2:DriftedColumnsCount":
            count, share = metric["value"]["count"], metric["value"]["share"]
        elif config["type"] == "evidently:metric_v2:ValueDrift":
            column = config["column"]
            expected_columns[column] = {"statistic": number(metric["value"]), "threshold": config["threshold"]}
    from evidently.core.datasets import infer_column_type
    for column in columns:
        kind = infer_column_type(cur[column])
        expected_columns[column]["kind"] = "numerical" if kind == ColumnType.Numerical else "categorical"
        column_type = ColumnType.Numerical if kind == ColumnType.Numerical else ColumnType.Categorical
        expected_columns[column]["test"] = registry.get_stattest(
            cleaned(ref[column]), cleaned(cur[column]), column_type, None).name
    return {
        "name": name,
        "columns": [dict(name=c, type=spec["type"], reference=spec["reference"], current=spec["current"],
                         reference_checksum=checksum(generate(spec["reference"])),
                         current_checksum=checksum(generate(spec["current"]))) for c, spec in columns.items()],
        "expected": {"columns": expected_columns, "drifted_columns": int(count), "share": share,
                     "dataset_drifted": share >= 0.5},
    }


def dataset_cases():
    g = lambda seed, count, **kw: dict(seed=seed, count=count, **kw)
    small = {
        "amount": {"type": "float", "reference": g(101, 400, kind="normal", loc=10, scale=2, null_every=9),
                   "current": g(102, 300, kind="normal", loc=10.6, scale=2)},
        "rating": {"type": "int", "reference": g(103, 400, kind="integer", modulo=5, offset=1),
                   "current": g(104, 300, kind="integer", modulo=5, offset=1)},
        "trips": {"type": "int", "reference": g(105, 400, kind="integer", modulo=40),
                  "current": g(106, 300, kind="integer", modulo=44)},
        "city": {"type": "string", "reference": g(107, 400, kind="category", modulo=6),
                 "current": g(108, 300, kind="category", modulo=7)},
        "vip": {"type": "bool", "reference": g(109, 400, kind="bool", p=0.2),
                "current": g(110, 300, kind="bool", p=0.21)},
    }
    large = {
        "conv_rate": {"type": "float", "reference": g(201, 5000, kind="normal"),
                      "current": g(202, 4000, kind="normal", loc=0.3)},
        "acc_rate": {"type": "float", "reference": g(203, 5000, kind="normal", null_every=4),
                     "current": g(204, 4000, kind="normal")},
        "level": {"type": "float", "reference": g(205, 5000, kind="integer", modulo=3),
                  "current": g(206, 4000, kind="integer", modulo=3)},
        "region": {"type": "string", "reference": g(207, 5000, kind="category", modulo=9),
                   "current": g(208, 4000, kind="category", modulo=9, shift=2)},
    }
    return [dataset_case("small windows, mixed types", small), dataset_case("large windows", large)]


def distributions():
    """The distribution functions behind the p-values, over grids that reach every branch."""
    from scipy.stats._stats_py import _attempt_exact_2kssamp
    kolmogorov = []
    for n in [1, 2, 3, 5, 10, 40, 100, 140, 141, 200, 1000, 5000, 50000, 100001, 500000, 2000000]:
        xs = [0.6 / n, 0.95 / n, 1.5 / n, 3.0 / n, 0.5, 0.7, 1 - 1.5 / n]
        xs += [math.sqrt(c / n) for c in [0.3, 0.7, 1.0, 2.0, 3.5, 6.0, 20.0, 100.0, 300.0, 400.0]]
        for x in xs:
            if 0 < x < 1:
                kolmogorov.append([n, x, number(stats.kstwo.sf(x, n))])
    exact = []
    # The exact sums cost O(n1 · n2) at worst; large windows keep to small D, where the band is narrow.
    for n1, n2, ds in [(5, 5, None), (30, 30, None), (400, 400, None), (7, 3, None), (40, 55, None),
                       (100, 1000, None), (997, 1000, None), (250, 8000, [0.02, 0.05]), (10000, 7000, [0.01, 0.02])]:
        g = math.gcd(n1, n2)
        lcm = (n1 // g) * n2
        for d in ds or [0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 0.9]:
            h = int(np.round(d * lcm))
            if h == 0:
                continue
            success, d_lattice, p = _attempt_exact_2kssamp(n1, n2, g, h / lcm, "two-sided")
            if success:
                exact.append([n1, n2, d_lattice, number(p)])
    chi2 = []
    for df in [1, 2, 3, 7, 40, 41, 199, 1000]:
        for x in [0.01, 0.5, df * 0.5, df - 1, df, df + 1, df * 1.5, df * 3 + 20, df * 10 + 200, 1400.0]:
            chi2.append([df, x, number(stats.chi2.sf(x, df))])
    normal = [[z, number(stats.norm.cdf(z))] for z in [-9, -5, -2.5, -0.7, -0.1, 0, 0.3, 0.70710678, 1.5, 3, 6, 8.2, 9]]
    return {"kolmogorov_sf": kolmogorov, "ks_exact": exact, "chi2_sf": chi2, "normal_cdf": normal}


def main():
    document = {
        "generator": "scripts/drift-fixtures.py",
        "versions": {"evidently": evidently.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
                     "pandas": pd.__version__, "python": sys.version.split()[0]},
        "columns": small_cases() + large_cases(),
        "datasets": dataset_cases(),
        "distributions": distributions(),
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as f:
        json.dump(document, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {OUTPUT}: {len(document['columns'])} column cases, {len(document['datasets'])} dataset cases")


if __name__ == "__main__":
    main()
