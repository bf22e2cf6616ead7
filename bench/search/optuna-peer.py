"""Optuna's TPE (univariate and multivariate) on the built-in objectives, same definitions as objectives.ts.

Run by run.ts --optuna when Debian's python3-optuna is installed:
    python3 optuna-peer.py SEEDS TRIALS Branin,Hartmann6,...
Prints JSON: {objective: {variant: {"regret": {"25": median, ...}, "ms": median ms per trial}}}.
"""
import json
import math
import statistics
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H_P = [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
]
H_ALPHA = [1, 1.2, 3, 3.2]


def hartmann6(p):
    total = 0.0
    for i in range(4):
        inner = sum(H_A[i][j] * (p[f"x{j + 1}"] - H_P[i][j] * 1e-4) ** 2 for j in range(6))
        total += H_ALPHA[i] * math.exp(-inner)
    return -total


def rosenbrock4(p):
    return sum(100 * (p[f"x{i + 1}"] - p[f"x{i}"] ** 2) ** 2 + (1 - p[f"x{i}"]) ** 2 for i in range(1, 4))


def ackley5(p):
    xs = [p[f"x{i}"] for i in range(1, 6)]
    d = len(xs)
    sq = sum(x * x for x in xs)
    cs = sum(math.cos(2 * math.pi * x) for x in xs)
    return -20 * math.exp(-0.2 * math.sqrt(sq / d)) - math.exp(cs / d) + 20 + math.e


SHIFT = {"sgd": 1.0, "adam": 0.0, "rmsprop": 0.4}
PENALTY = {"sgd": 0.3, "adam": 0.0, "rmsprop": 0.1}


def mixed(p):
    opt = p["optimizer"]
    return (
        (math.log10(p["lr"]) - (-3 + SHIFT[opt])) ** 2
        + 0.05 * (p["layers"] - 5) ** 2
        + 0.1 * (math.log10(p["weight_decay"]) + 4) ** 2
        + 2 * (p["dropout"] - 0.2) ** 2
        + PENALTY[opt]
    )


def box(names, lo, hi):
    return lambda t: {n: t.suggest_float(n, lo, hi) for n in names}


OBJECTIVES = {
    "Branin": (lambda t: {"x1": t.suggest_float("x1", -5, 10), "x2": t.suggest_float("x2", 0, 15)}, branin, 0.397887357729738),
    "Hartmann6": (box([f"x{i}" for i in range(1, 7)], 0, 1), hartmann6, -3.32236801141551),
    "Rosenbrock4": (box([f"x{i}" for i in range(1, 5)], -5, 10), rosenbrock4, 0.0),
    "Ackley5": (box([f"x{i}" for i in range(1, 6)], -32.768, 32.768), ackley5, 0.0),
    "Mixed": (
        lambda t: {
            "lr": t.suggest_float("lr", 1e-6, 1, log=True),
            "optimizer": t.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"]),
            "layers": t.suggest_int("layers", 1, 12),
            "weight_decay": t.suggest_float("weight_decay", 1e-7, 1e-1, log=True),
            "dropout": t.suggest_float("dropout", 0, 0.8),
        },
        mixed,
        0.0,
    ),
}


def run(name, seed, trials, multivariate):
    space, f, optimum = OBJECTIVES[name]
    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=multivariate)
    study = optuna.create_study(sampler=sampler, direction="minimize")
    best = math.inf
    regret = []
    started = time.perf_counter()
    for _ in range(trials):
        trial = study.ask()
        value = f(space(trial))
        study.tell(trial, value)
        best = min(best, value - optimum)
        regret.append(best)
    return regret, (time.perf_counter() - started) * 1000 / trials


def main():
    seeds, trials, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
    checkpoints = [c for c in (25, 50, 100) if c <= trials]
    if trials not in checkpoints:
        checkpoints.append(trials)
    out = {}
    for name in names:
        if name not in OBJECTIVES:
            continue
        out[name] = {}
        for label, mv in (("Optuna TPE", False), ("Optuna TPE multivariate", True)):
            runs = [run(name, seed, trials, mv) for seed in range(seeds)]
            out[name][label] = {
                "regret": {str(c): statistics.median(r[0][c - 1] for r in runs) for c in checkpoints},
                "ms": statistics.median(r[1] for r in runs),
            }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
