"""A PyTorch MLP on a synthetic 10-class problem, trained full-batch on the GPU the agent gave this trial.

Under hyperfleet:  hyperfleet sweep submit examples/torch-gpu/sweep.yaml  (agents started with --gpus)
By hand:           python3 train.py --lr=0.003 --hidden=256 --epochs=100
Without a GPU it trains on the CPU and logs gpu=0, unless the agent gave it one (CUDA_VISIBLE_DEVICES set to an
index): then a missing CUDA is an error, so a broken GPU machine shows up as failed trials.
"""

import os
import sys

try:
    import hyperfleet
except ImportError:
    # Not installed and not on PYTHONPATH: use the SDK from this repository (packages/sdk/python).
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "sdk", "python"))
    import hyperfleet

import torch

hp = dict({"lr": 0.003, "hidden": 256, "epochs": 100}, **hyperfleet.params())
seed = hyperfleet.seed()
torch.manual_seed(0 if seed is None else seed % (2**63))

given_gpu = os.environ.get("CUDA_VISIBLE_DEVICES", "").isdigit()
if given_gpu and not torch.cuda.is_available():
    sys.exit("train.py: the agent gave this trial a GPU, but PyTorch sees no CUDA device")
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# The same data for every trial: 20 features, 10 classes from a fixed random "teacher" network, 20% held out.
data = torch.Generator().manual_seed(0)
x = torch.randn(20_000, 20, generator=data)
teacher = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.Tanh(), torch.nn.Linear(64, 10))
for p in teacher.parameters():
    p.data = torch.randn(p.shape, generator=data)
with torch.no_grad():
    y = teacher(x).argmax(dim=1)
x, y = x.to(device), y.to(device)
x_train, y_train, x_val, y_val = x[:16_000], y[:16_000], x[16_000:], y[16_000:]

model = torch.nn.Sequential(
    torch.nn.Linear(20, int(hp["hidden"])),
    torch.nn.ReLU(),
    torch.nn.Linear(int(hp["hidden"]), int(hp["hidden"])),
    torch.nn.ReLU(),
    torch.nn.Linear(int(hp["hidden"]), 10),
).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=float(hp["lr"]))
loss_fn = torch.nn.CrossEntropyLoss()

hyperfleet.log({"gpu": 1.0 if device.type == "cuda" else 0.0}, step=0)
for epoch in range(1, int(hp["epochs"]) + 1):
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(x_train), y_train)
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0 or epoch == int(hp["epochs"]):
        model.eval()
        with torch.no_grad():
            logits = model(x_val)
            val_loss = loss_fn(logits, y_val).item()
            val_acc = (logits.argmax(dim=1) == y_val).float().mean().item()
        hyperfleet.log({"train_loss": loss.item(), "val_loss": val_loss, "val_acc": val_acc}, step=epoch)

where = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
# stderr, so runners that parse stdout for metrics don't read this summary as a second report.
print("train.py: val_acc %.4f after %d epochs on %s" % (val_acc, int(hp["epochs"]), where), file=sys.stderr)
