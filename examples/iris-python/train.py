"""Iris classifier with scikit-learn's MLPClassifier (SGD + momentum), one partial_fit per epoch.

Under hyperfleet:  npx hyperfleet run examples/iris-python/sweep.yaml
By hand:           /usr/bin/python3 train.py --lr=0.05 --hidden=16 --epochs=60
scikit-learn comes from Debian's python3-sklearn, i.e. /usr/bin/python3 (see README.md).
"""

import os
import sys
import warnings

try:
    import hyperfleet
except ImportError:
    # Not installed and not on PYTHONPATH: use the SDK from this repository (packages/sdk/python).
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "sdk", "python"))
    import hyperfleet

import numpy as np
from sklearn.datasets import load_iris
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

DEFAULTS = {
    "lr": 0.05,
    "hidden": 16,
    "epochs": 60,
    "batch_size": 16,
    "weight_decay": 1e-4,
    "momentum": 0.9,
    "val_fraction": 0.2,
    # Fixed for the whole sweep (not the per-trial seed) so every trial is scored on the same validation rows.
    "split_seed": 0,
}
hp = dict(DEFAULTS, **hyperfleet.params())
trial_seed = hyperfleet.seed()
if trial_seed is None:
    trial_seed = int(hp.get("seed", 0))

X, y = load_iris(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=hp["val_fraction"], stratify=y, random_state=hp["split_seed"]
)
scaler = StandardScaler().fit(X_train)  # training statistics only
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

model = MLPClassifier(
    hidden_layer_sizes=(int(hp["hidden"]),),
    activation="tanh",
    solver="sgd",
    learning_rate_init=float(hp["lr"]),
    momentum=float(hp["momentum"]),
    nesterovs_momentum=False,
    alpha=float(hp["weight_decay"]),
    batch_size=int(hp["batch_size"]),
    random_state=trial_seed % (2**32),
)
classes = np.unique(y)
val_acc = 0.0
for epoch in range(1, int(hp["epochs"]) + 1):
    with warnings.catch_warnings():
        # A diverging lr overflows inside numpy; the NaN loss it leads to is the result we want to report.
        warnings.simplefilter("ignore", RuntimeWarning)
        model.partial_fit(X_train, y_train, classes=classes)
        proba = model.predict_proba(X_val)
    val_acc = float(accuracy_score(y_val, classes[np.argmax(proba, axis=1)]))
    val_loss = float(log_loss(y_val, np.nan_to_num(proba, nan=1.0 / len(classes)), labels=classes))
    hyperfleet.log({"train_loss": float(model.loss_), "val_loss": val_loss, "val_acc": val_acc}, step=epoch)

# stderr, so runners that parse stdout for metrics don't read this summary as a second report.
print("train.py: val_acc %.4f after %d epochs" % (val_acc, hp["epochs"]), file=sys.stderr)
