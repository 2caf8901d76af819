"""`make book` end to end on throwaway chapters: parameters reach the chapters, bad parameters and
failing chapters stop the build, and nothing half-built is left looking complete."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lstm_repro.paths import REPO_ROOT
from lstm_repro.provenance import SCALES

BIN = Path(sys.executable).parent


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)


def write_chapter(path: Path, body: str) -> None:
    """A minimal chapter following the notebook conventions, with ``body`` as its work."""
    cells = [
        nbformat.v4.new_markdown_cell("# Throwaway chapter"),
        nbformat.v4.new_code_cell('SCALE = "quick"\nSEED = 0'),
        nbformat.v4.new_code_cell("from lstm_repro.provenance import check_scale, check_seed\n"
                                  "_ = check_scale(SCALE), check_seed(SEED)"),
        nbformat.v4.new_code_cell(body),
    ]
    cells[1].metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture
def sandbox(tmp_path):
    """make arguments that build throwaway chapters into tmp_path with this interpreter's tools.

    The book's pages are copied with a landing page of its own, which links to no real chapter.
    """
    notebooks, build, book = tmp_path / "notebooks", tmp_path / "build", tmp_path / "book"
    shutil.copytree(REPO_ROOT / "book", book)
    (book / "intro.md").write_text("# Sandbox book\n\nMath: $a^n b^n$.\n")
    args = [f"NOTEBOOKS={notebooks}", f"BUILD={build}", f"BOOK={book}", "SETUP=", f"BIN={BIN}"]
    return notebooks, build, args


def test_bad_scale_stops_before_anything_is_set_up(tmp_path):
    venv, build = tmp_path / "venv", tmp_path / "build"
    proc = make("book", "SCALE=nonsense", f"VENV={venv}", f"BUILD={build}")
    assert proc.returncode != 0
    assert "SCALE='nonsense' is not a valid scale" in proc.stderr
    assert f"valid values: {' '.join(SCALES)}" in proc.stderr
    assert not venv.exists() and not build.exists()


@pytest.mark.parametrize("scale", SCALES)
def test_makefile_accepts_every_scale_the_package_knows(scale):
    assert make("check-params", f"SCALE={scale}").returncode == 0


@pytest.mark.parametrize("seed", ["-1", "abc", "1.5", ""])
def test_bad_seed_is_refused(seed):
    proc = make("check-params", f"SEED={seed}")
    assert proc.returncode != 0 and "a seed is a non-negative integer" in proc.stderr


def test_failing_chapter_fails_the_build_and_leaves_no_site(sandbox):
    notebooks, build, args = sandbox
    write_chapter(notebooks / "01_fails.ipynb", 'raise RuntimeError("chapter exploded")')
    stale = build / "html" / "index.html"  # a previous build must not survive a failed one
    stale.parent.mkdir(parents=True)
    stale.write_text("old book")
    proc = make("book", *args)
    assert proc.returncode != 0
    assert "chapter exploded" in proc.stdout + proc.stderr
    assert "01_fails.ipynb failed" in proc.stderr
    assert not stale.exists()


def test_book_runs_chapters_with_the_given_parameters(sandbox):
    notebooks, build, args = sandbox
    source = notebooks / "01_echo.ipynb"
    write_chapter(source, 'print(f"ran with SCALE={SCALE} SEED={SEED}")')
    before = source.read_bytes()
    proc = make("book", "SCALE=paper", "SEED=7", *args)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    index = build / "html" / "index.html"
    assert f"{index}" in proc.stdout  # the last line says where the book is
    executed = nbformat.read(build / "stage" / "notebooks" / "01_echo.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "SCALE = \"paper\"" in injected[0].source
    page = (build / "html" / "notebooks" / "01_echo.html").read_text(encoding="utf-8")
    assert "ran with SCALE=paper SEED=7" in page
    assert source.read_bytes() == before  # the chapter's source is never rewritten


def test_sphinx_warning_fails_the_build(sandbox):
    """An unknown citation key is a Sphinx warning, and warnings are errors."""
    notebooks, build, args = sandbox
    write_chapter(notebooks / "01_cites.ipynb", "pass")
    nb = nbformat.read(notebooks / "01_cites.ipynb", as_version=4)
    nb.cells[0].source += "\n\nAs shown by {cite:t}`nosuchkey1999`."
    nbformat.write(nb, notebooks / "01_cites.ipynb")
    proc = make("book", *args)
    assert proc.returncode != 0
    assert 'could not find bibtex key "nosuchkey1999"' in proc.stderr
    assert not (build / "html").exists()
