"""hyperfleet SDK for Python training scripts. Standard library only, Python >= 3.8.

    import hyperfleet
    p = hyperfleet.params()               # {"lr": 0.01, "hidden": 16, ...}
    hyperfleet.log({"val_acc": 0.93}, step=epoch)

Under hyperfleet, log() appends JSON Lines to HYPERFLEET_METRICS_FILE (one line per call):
    {"step": 3, "ts": 1732700000000, "metrics": {"val_acc": 0.93, "loss": 0.21}}
Run by hand, it prints "step=3 val_acc=0.93 loss=0.21" on stdout instead.
Same semantics as the TypeScript SDK (@hyperfleet/sdk).
"""

import json
import math
import numbers
import os
import sys
import time
from typing import Any, Dict, List, Optional, Union

__all__ = ["log", "params", "seed", "output_dir"]

_FORBIDDEN_KEYS = {"__proto__", "prototype", "constructor"}

# Last step written by this process; the next automatic step is _last_step + 1 (so the first is 0).
_last_step = -1


def _encode(value: float) -> Union[float, int, str]:
    # JSON has no NaN/Infinity (json.dumps would emit bare NaN); the metrics-file contract uses strings.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _as_number(name: str, value: Any) -> Union[float, int]:
    # numbers.Real also accepts numpy scalars; bool is rejected like in the TypeScript SDK.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError('log(): metric "%s" must be a number, got %s' % (name, type(value).__name__))
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def log(metrics: Dict[str, float], step: Optional[int] = None) -> None:
    """Report metrics for one step (see the module docstring). Raises TypeError on bad input."""
    global _last_step
    if not isinstance(metrics, dict):
        raise TypeError("log(metrics): metrics must be a dict of numbers, e.g. log({'val_acc': 0.93})")
    if step is None:
        step = _last_step + 1
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
        raise TypeError("log(): step must be a non-negative integer, got %r" % (step,))
    step = int(step)
    encoded = {str(name): _encode(_as_number(str(name), value)) for name, value in metrics.items()}
    _last_step = step

    path = os.environ.get("HYPERFLEET_METRICS_FILE")
    if path:
        line = json.dumps(
            {"step": step, "ts": int(time.time() * 1000), "metrics": encoded},
            allow_nan=False,
            separators=(",", ":"),
        )
        # One O_APPEND write per call, so a crash later cannot leave a torn line from this call.
        data = (line + "\n").encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, data)
            while written < len(data):  # only for huge lines; regular files take it in one go
                written += os.write(fd, data[written:])
        finally:
            os.close(fd)
        return
    pairs = " ".join("%s=%s" % (name, _format(value)) for name, value in encoded.items())
    sys.stdout.write("step=%d %s\n" % (step, pairs))
    sys.stdout.flush()


def _format(value: Union[float, int, str]) -> str:
    return value if isinstance(value, str) else repr(value)


def _expect_object(value: Any, source: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("hyperfleet params from %s must be a JSON object" % source)
    return value


def _parse_json(text: str, source: str) -> Dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as err:
        raise ValueError("hyperfleet params from %s are not valid JSON: %s" % (source, err)) from None
    return _expect_object(value, source)


def _parse_value(raw: str) -> Any:
    # The runner formats values as JSON literals (true, 0.001, "adam", [1,2]); anything else is a bare string.
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_argv(argv: List[str]) -> Dict[str, Any]:
    """Parse `--name=value` and `--flag` arguments; dotted names nest. Other arguments are ignored."""
    out = {}  # type: Dict[str, Any]
    for arg in argv:
        if not arg.startswith("--") or arg == "--":
            continue
        name, eq, raw = arg[2:].partition("=")
        value = _parse_value(raw) if eq else True
        path = name.split(".")
        if any(key == "" or key in _FORBIDDEN_KEYS for key in path):
            raise ValueError('hyperfleet params: invalid argument name "%s"' % name)
        node = out
        for key in path[:-1]:
            # A later dotted name wins over an earlier scalar of the same prefix.
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
    return out


def params() -> Dict[str, Any]:
    """This trial's params: HYPERFLEET_PARAMS_FILE, else HYPERFLEET_PARAMS (JSON), else `--name=value` argv."""
    path = os.environ.get("HYPERFLEET_PARAMS_FILE")
    if path:
        # Set but unreadable is a broken trial setup: fail loudly rather than fall back to other sources.
        with open(path, encoding="utf-8") as f:
            return _parse_json(f.read(), "HYPERFLEET_PARAMS_FILE (%s)" % path)
    text = os.environ.get("HYPERFLEET_PARAMS")
    if text:
        return _parse_json(text, "HYPERFLEET_PARAMS")
    return parse_argv(sys.argv[1:])


def seed() -> Optional[int]:
    """HYPERFLEET_SEED as an int, or None when the script is not run by hyperfleet."""
    raw = os.environ.get("HYPERFLEET_SEED", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError('HYPERFLEET_SEED must be an integer, got "%s"' % raw) from None


def output_dir() -> str:
    """Where to write artifacts: HYPERFLEET_OUTPUT_DIR, else ./outputs; created if missing. Absolute path."""
    path = os.path.abspath(os.environ.get("HYPERFLEET_OUTPUT_DIR") or "outputs")
    os.makedirs(path, exist_ok=True)
    return path
