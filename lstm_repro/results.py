"""The results store: one JSON file (and one ``.npz`` of trained weights) per finished trial.

Layout: ``<root>/<scale>/<row>/config.json`` (the protocol the trials ran with) and
``trial-NNN.json`` / ``trial-NNN.npz`` beside it.  Paper-scale results live under ``data/results``
and are committed; quick-scale results default to ``_build/results`` (see :func:`default_root`).

Every file is written atomically (a temporary file, then ``os.replace``), so a run killed at any
moment leaves either a whole trial or none.  A file that does not parse, or a stored config that
differs from the row's current protocol, is reported by name and never overwritten silently
(:func:`open_row` with ``force=True`` moves the old results to a backup folder first).
A long trial also keeps ``trial-NNN.checkpoint`` while it runs (:func:`write_checkpoint`), so that a
killed run resumes it where it was instead of from its start.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from .paths import BUILD_DIR, RESULTS_DIR
from .spec import Weights

CHECKPOINT_FORMAT = 1     # the layout of a checkpoint's payload (lstm_repro.runner)


class ResultsError(RuntimeError):
    """A results file that cannot be used as it is (corrupt, or from another config)."""


def default_root(scale: str) -> Path:
    """Where results of ``scale`` go unless told otherwise."""
    return RESULTS_DIR if scale == "paper" else BUILD_DIR / "results"


def row_dir(root: Path, scale: str, row: str) -> Path:
    return Path(root) / scale / row


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: Path, data: dict) -> None:
    text = json.dumps(data, indent=1, sort_keys=False, default=_jsonable).encode()
    _atomic_write(Path(path), lambda f: f.write(text + b"\n"))


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.ndarray, tuple, set)):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in a results file")


def read_json(path: Path) -> dict:
    try:
        with open(path) as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"results file {path} is corrupt ({exc}); it was left untouched. "
                           f"Delete it and run the row again to redo that trial, or run the row "
                           f"with `python -m lstm_repro run ROW --force` to start over (the old "
                           f"results are kept in a backup folder)") from None


def write_weights(path: Path, weights: Weights) -> None:
    def write(f):
        np.savez(f, wh=weights.wh, wo=weights.wo, wp=weights.wp)
    _atomic_write(Path(path), write)


def read_weights(path: Path) -> Weights:
    with np.load(path) as data:
        return Weights(data["wh"], data["wo"], data["wp"])


def trial_path(directory: Path, trial: int) -> Path:
    return Path(directory) / f"trial-{trial:03d}.json"


def checkpoint_path(directory: Path, trial: int) -> Path:
    """Where a trial in progress keeps its checkpoint (removed once the trial is stored)."""
    return Path(directory) / f"trial-{trial:03d}.checkpoint"


def write_checkpoint(path: Path, payload: dict) -> None:
    """Store ``payload`` (a trial in progress, see :mod:`lstm_repro.runner`) with pickle,
    atomically.  A checkpoint is local working state, never a result: it is not committed."""
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    _atomic_write(Path(path), lambda f: f.write(data))


def read_checkpoint(path: Path) -> dict:
    """The payload of :func:`write_checkpoint`; one that does not load raises
    :class:`ResultsError` naming the file (which is left untouched)."""
    try:
        with open(path, "rb") as f:
            payload = pickle.load(f)
        if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
            raise ValueError("not a checkpoint of this package's format "
                             f"{CHECKPOINT_FORMAT}")
    except Exception as exc:  # noqa: BLE001 - any failure to load means the same to the user
        raise ResultsError(f"checkpoint {path} cannot be used ({type(exc).__name__}: {exc}); it "
                           f"was left untouched. Delete it to run that trial again from its "
                           f"start") from None
    return payload


def open_row(directory: Path, config: dict, force: bool = False) -> dict[int, dict]:
    """Prepare ``directory`` for trials run with ``config``; return the trials already finished.

    A stored config that differs from ``config``, or a corrupt file, raises :class:`ResultsError`
    naming the file, unless ``force``: then the folder is moved to ``<dir>.bak-<time>`` first.
    """
    directory = Path(directory)
    config_file = directory / "config.json"
    if directory.exists() and force:
        backup = directory.with_name(f"{directory.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.move(str(directory), str(backup))
        print(f"moved the old results to {backup}")
    remove_partial_files(directory)
    if config_file.exists():
        stored = read_json(config_file)
        current = json.loads(json.dumps(config, default=_jsonable))   # as it would be stored
        if stored != current:
            changed = sorted(k for k in set(stored) | set(current)
                             if stored.get(k) != current.get(k))
            raise ResultsError(f"{config_file} holds results of a different configuration "
                               f"(differs in: {', '.join(changed)}); they were left untouched. "
                               f"Rerun with --force to replace them (a backup is kept)")
    else:
        write_json(config_file, config)
    return load_trials(directory)


def remove_partial_files(directory: Path) -> None:
    """Delete the temporary files of writes that a killed run left unfinished (never a result)."""
    for path in Path(directory).glob(".*.tmp"):
        path.unlink(missing_ok=True)


def load_trials(directory: Path) -> dict[int, dict]:
    """The finished trials stored in ``directory``, by trial index (corrupt files raise)."""
    trials = {}
    for path in sorted(Path(directory).glob("trial-*.json")):
        record = read_json(path)
        trials[int(record["trial"])] = record
    return trials
