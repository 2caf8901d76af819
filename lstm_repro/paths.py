"""Where things live: the repository root, stored results, the book's build folder.

Paths are resolved from this file, never from the current directory, because nbval and papermill
run each notebook's kernel inside ``notebooks/``.
"""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DATA_DIR = REPO_ROOT / "data"
RESULTS_DIR = DATA_DIR / "results"
BUILD_DIR = REPO_ROOT / "_build"
