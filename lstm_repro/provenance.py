"""Provenance: which code, on which machine, with which library versions, produced a result.

Every stored run and every chapter carries this record (package version, git commit and whether the
tree was dirty, Python/numpy/torch/numba versions, CPU) beside the parameters it ran with.
"""
from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys

from . import __version__
from .paths import REPO_ROOT

SCALES = ("quick", "paper")


def check_scale(scale: str) -> str:
    """Return ``scale`` if it is a valid scale, else raise naming the valid values."""
    if scale not in SCALES:
        raise ValueError(f"SCALE={scale!r} is not a valid scale; valid values: {', '.join(SCALES)}")
    return scale


def check_seed(seed) -> int:
    """Return ``seed`` as an int if it is a non-negative integer, else raise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"SEED={seed!r} is not valid; a seed is a non-negative integer")
    return seed


def git_state() -> tuple[str, bool]:
    """The repository's HEAD commit and whether tracked files differ from it ("unknown" off git)."""
    def git(*args):
        return subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True,
                              text=True, timeout=10)
    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return "unknown", False
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip() != ""
        return head.stdout.strip(), dirty
    except (OSError, subprocess.SubprocessError):
        return "unknown", False


def cpu_name() -> str:
    """The CPU model as the OS reports it."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except Exception:  # noqa: BLE001 - a missing optional library is recorded, not fatal
        return "not installed"


def collect(params: dict | None = None) -> dict:
    """The provenance record of the current process, with ``params`` (what the run was asked to do)."""
    commit, dirty = git_state()
    return {
        "package": "lstm-repro",
        "version": __version__,
        "commit": commit,
        "dirty": dirty,
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "numba": _version("numba"),
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if params is None else None,
        "params": dict(params or {}),
    }


def markdown(record: dict) -> str:
    """A short Markdown table of a provenance record, for the end of a chapter."""
    rows = [
        ("lstm-repro", record["version"]),
        ("git commit", record["commit"][:12] + (" (dirty tree)" if record["dirty"] else "")),
        ("Python / numpy / torch / numba",
         f'{record["python"]} / {record["numpy"]} / {record["torch"]} / {record["numba"]}'),
        ("CPU", f'{record["cpu"]} ({record["cores"]} cores)'),
        ("parameters", ", ".join(f"{k}={v!r}" for k, v in record["params"].items()) or "none"),
        ("executed", record["time"]),
    ]
    lines = ["| provenance | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def show(params: dict | None = None) -> None:
    """Display the provenance table in a notebook (or print it in a terminal)."""
    text = markdown(collect(params))
    try:
        from IPython.display import Markdown, display
        display(Markdown(text))
    except ImportError:
        print(text)
