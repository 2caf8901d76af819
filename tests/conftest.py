"""Shared fixtures: the book's table of contents and the site built from the committed chapters;
and a stand-in for a process killed right after it wrote a checkpoint."""
from __future__ import annotations

import fcntl
import fnmatch
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lstm_repro import runner
from lstm_repro.paths import BUILD_DIR, REPO_ROOT

TOC = REPO_ROOT / "book" / "_toc.yml"
NOTEBOOKS = REPO_ROOT / "notebooks"


def chapter_notebooks() -> list[Path]:
    """The chapter notebooks ``notebooks/NN_slug.ipynb``, in file-name order."""
    return sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))


def toc_pages() -> list[str]:
    """Every page of the table of contents, in reading order, as docnames (``book/intro``).

    Globs are expanded against the chapter notebooks the way sphinx-external-toc does it
    (sorted docnames).
    """
    toc = yaml.safe_load(TOC.read_text())
    docnames = [f"notebooks/{nb.stem}" for nb in chapter_notebooks()]
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            elif "glob" in entry:
                pages.extend(sorted(fnmatch.filter(docnames, entry["glob"])))
            for key in ("sections", "chapters"):
                walk(entry.get(key, []))
            for part in entry.get("parts", []):
                walk(part.get("chapters", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return pages


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The HTML site rendered from the committed chapters (``make test-site``), built once a test
    run: under pytest-xdist (``make test``) the workers take turns on a lock, and a worker whose
    run (``PYTEST_XDIST_TESTRUNUID``) has already built the site uses it.

    Uses the tools of the interpreter running pytest, without touching ``.venv``'s set-up.
    """
    bin_dir = Path(sys.executable).parent
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    stamp = BUILD_DIR / "test-site.run"      # the test run that built the site last
    BUILD_DIR.mkdir(exist_ok=True)
    with open(BUILD_DIR / "test-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # released when the file is closed
        if run is None or not stamp.exists() or stamp.read_text() != run:
            stamp.unlink(missing_ok=True)
            proc = subprocess.run(
                ["make", "test-site", "SETUP=", f"BIN={bin_dir}", f"BUILD={BUILD_DIR}"],
                check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
            )
            if proc.returncode != 0:
                pytest.fail(f"make test-site failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                            f"{proc.stderr[-6000:]}")
            if run is not None:
                stamp.write_text(run)
    site = BUILD_DIR / "test-site"
    assert (site / "index.html").is_file(), f"no index.html in {site}"
    return site


class Killed(Exception):
    """Stands for the process being killed right after a checkpoint was written."""


def kill_after(monkeypatch, k: int) -> list[int]:
    """Make the ``k``-th checkpoint of a trial raise :class:`Killed` once it is written; returns
    the list (filled as the trial runs) of the training strings seen at each checkpoint."""
    original = runner._Trial.checkpoint
    calls = []

    def checkpoint(self):
        original(self)
        calls.append(self.n)
        if len(calls) == k:
            raise Killed
    monkeypatch.setattr(runner._Trial, "checkpoint", checkpoint)
    return calls
