"""Sequences and network outputs as JSON lines: what ``sample`` writes and ``evaluate`` reads.

One JSON object per line and per sequence::

    {"inputs": [[x_1 ...], ...], "targets": [[t_1 ...] or null, ...], "meta": {...}}

``inputs`` is (T, I), dense even for one-hot tasks; ``targets[t]`` is null where step t carries no
target (a single null inside a row marks an output unit without a target at that step).
``meta`` holds what defines the sequence, as the task drew it (adding/multiplication: the 0-based
marked positions and their values; temporal order: the symbol string, the class and the 1-based
relevant positions; noise tasks: the class and the noise-free target); symbolic tasks add
``alphabet`` (input symbols in input-unit order), ``output_alphabet`` and, where the task keeps no
``string``, the input symbols separated by spaces.

``evaluate`` runs a stored network (a ``trial-NNN.npz`` of :mod:`lstm_repro.results`; its row and
architecture come from the ``config.json`` beside it, else from ``trial-NNN.json``) on such lines
and writes, per sequence, the outputs at every step that carries a target (every step when the
line has no ``targets``).
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np

from .engine import Network
from .protocols import PROTOCOLS, get_protocol
from .results import ResultsError, read_json, read_weights
from .spec import NetworkSpec
from .tasks import TASKS, Sequence, Task, make_task
from .tasks.base import check_int


# ---------------------------------------------------------------------------------------------
# sample
# ---------------------------------------------------------------------------------------------

def resolve_task(name: str, scale: str = "paper") -> Task:
    """The task ``name`` (a task name, with the paper's defaults) or the task of paper row ``name``
    (its protocol's task and parameters at ``scale``); anything else lists the valid names."""
    if name in TASKS:
        return make_task(name)
    if name in PROTOCOLS:
        return get_protocol(name, scale).make_task(0)
    raise ValueError(f"unknown task or row {name!r}; valid tasks: {', '.join(TASKS)}; "
                     f"valid rows: {', '.join(PROTOCOLS)}")


def _jsonable(value, alphabet):
    """``value`` as JSON data; integer arrays of a symbolic task are symbol indices -> names."""
    if isinstance(value, np.ndarray):
        if alphabet is not None and np.issubdtype(value.dtype, np.integer):
            return [alphabet[i] for i in value]
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, alphabet) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v, alphabet) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def sequence_record(task: Task, seq: Sequence) -> dict:
    """The JSON object of one sequence (see the module docstring)."""
    targets = [None if np.isnan(row).all() else [None if np.isnan(v) else float(v) for v in row]
               for row in seq.targets]  # T entries
    meta = _jsonable(dict(seq.meta), task.alphabet)
    if task.alphabet is not None:
        if "string" not in meta:
            if "symbols" in meta:
                meta["string"] = " ".join(meta.pop("symbols"))
            else:
                meta["string"] = " ".join(task.alphabet[i] for i in seq.onehot)
        meta["alphabet"] = list(task.alphabet)
        meta["output_alphabet"] = list(task.output_alphabet)
    return {"inputs": seq.inputs.tolist(), "targets": targets, "meta": meta}


def sample_lines(name: str, n: int = 5, seed: int = 0, scale: str = "paper") -> Iterator[str]:
    """``n`` sequences of task or row ``name`` drawn with ``seed``, one JSON line each."""
    n = check_int("--n", n, minimum=1)
    seed = check_int("--seed", seed, minimum=0)
    task = resolve_task(name, scale)
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield json.dumps(sequence_record(task, task.sample(rng)))


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------

def load_network(weights_path: Path) -> tuple[Network, str]:
    """The stored network of ``weights_path`` (``trial-NNN.npz``) and its paper row id."""
    path = Path(weights_path)
    if not path.is_file():
        raise ValueError(f"no weights file {path}")
    config, trial = path.parent / "config.json", path.with_suffix(".json")
    if config.is_file():
        protocol = read_json(config).get("protocol", {})
        try:
            row = protocol["row"]
            spec = NetworkSpec(**{k: tuple(v) if isinstance(v, list) else v
                                  for k, v in protocol["network"]["spec"].items()})
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultsError(f"{config} does not describe a network ({exc})") from None
    elif trial.is_file():
        row = read_json(trial).get("row")
        if row not in PROTOCOLS:
            raise ResultsError(f"{trial} names no known row ({row!r})")
        spec = get_protocol(row).network.spec
    else:
        raise ResultsError(f"neither {config} nor {trial} lies beside {path}, so the network's row "
                           f"and architecture are unknown")
    try:
        weights = read_weights(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ResultsError(f"weights file {path} cannot be read ({exc})") from None
    try:
        return Network(spec, weights), row
    except ValueError as exc:
        raise ResultsError(f"weights file {path} does not fit row {row}'s network "
                           f"({exc})") from None


def _matrix(value, width: int, what: str, where: str, allow_null: bool) -> np.ndarray:
    """``value`` as a (T, width) float array, or a ValueError saying what is wrong at ``where``."""
    shape = f"a list of T >= 1 rows of {width} numbers"
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: {what} must be {shape}")
    rows = []
    for t, row in enumerate(value):
        if row is None and allow_null:
            rows.append([None] * width)
            continue
        numbers = isinstance(row, list) and all(
            (v is None and allow_null) or (isinstance(v, (int, float)) and not isinstance(v, bool))
            for v in row)
        if not numbers or len(row) != width:
            got = f"{len(row)} entries" if isinstance(row, list) else f"{type(row).__name__}"
            raise ValueError(f"{where}: {what}[{t}] must be {width} numbers"
                             f"{' (or null)' if allow_null else ''}; got {got}; the network of "
                             f"this row has {width} {'outputs' if allow_null else 'inputs'}")
        rows.append(row)
    out = np.array(rows, dtype=np.float64)  # (T, width); null -> nan
    if not np.isfinite(out[~np.isnan(out)] if allow_null else out).all():
        raise ValueError(f"{where}: {what} must be finite numbers")
    return out


def read_sequences(path: Path, n_inputs: int, n_outputs: int) -> list[tuple[int, np.ndarray,
                                                                           np.ndarray | None]]:
    """(line number, inputs (T, I), targets (T, K) with NaN for null, or None) of every line."""
    path = Path(path)
    if not path.exists() or path.is_dir():          # a pipe (e.g. bash's <(...)) is fine
        raise ValueError(f"no input file {path}")
    out = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path} line {lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not valid JSON ({exc.msg}, "
                                 f"column {exc.colno})") from None
            if not isinstance(obj, dict) or "inputs" not in obj:
                raise ValueError(f'{where}: expected an object {{"inputs": [[...], ...], '
                                 f'"targets": [...]}}')
            inputs = _matrix(obj["inputs"], n_inputs, "inputs", where, allow_null=False)
            targets = None
            if obj.get("targets") is not None:
                targets = _matrix(obj["targets"], n_outputs, "targets", where, allow_null=True)
                if targets.shape[0] != inputs.shape[0]:
                    raise ValueError(f"{where}: {inputs.shape[0]} input steps but "
                                     f"{targets.shape[0]} target steps")
            out.append((lineno, inputs, targets))
    if not out:
        raise ValueError(f"{path} holds no sequence")
    return out


def evaluate_lines(weights_path: Path, input_path: Path) -> Iterator[str]:
    """One JSON line per input sequence: the row, the steps that carry a target, the outputs there
    and, where targets are given, the largest absolute error over them."""
    net, row = load_network(weights_path)
    seqs = read_sequences(input_path, net.spec.n_inputs, net.spec.n_outputs)
    for index, (lineno, inputs, targets) in enumerate(seqs):
        outputs = net.forward(inputs)  # (T, K)
        record = {"sequence": index, "line": lineno, "row": row}
        if targets is None:
            steps = np.arange(outputs.shape[0])
        else:
            steps = np.flatnonzero(~np.isnan(targets).all(axis=1))
            diff = np.abs(targets[steps] - outputs[steps])
            record["max_abs_error"] = float(np.nanmax(diff)) if steps.size else None
        record["steps"] = steps.tolist()
        record["outputs"] = outputs[steps].tolist()
        yield json.dumps(record)
