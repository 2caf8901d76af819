"""Every chapter notebook keeps the conventions the pipeline relies on (see README.md, "Writing a
chapter"): a title, a tagged ``parameters`` cell with SCALE and SEED, validation of both, the
provenance cell last, and committed outputs of one top-to-bottom default run for nbval."""
from __future__ import annotations

import ast
import re

import nbformat
import pytest

from conftest import chapter_notebooks
from lstm_repro.provenance import SCALES

CHAPTERS = chapter_notebooks()
OBJECT_REPR = re.compile(r"<[\w.]+ (object )?at 0x[0-9a-fA-F]+>|<Figure size [^>]*>|\[<matplotlib")


@pytest.fixture(params=CHAPTERS, ids=[nb.stem for nb in CHAPTERS])
def chapter(request):
    return nbformat.read(request.param, as_version=4)


def _tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def test_file_name_is_numbered_slug():
    for nb in CHAPTERS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", nb.stem), f"{nb.name}: name chapters NN_slug.ipynb"


def test_first_cell_is_the_title(chapter):
    first = chapter.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell: markdown '# Title'"


def test_parameters_cell_sets_scale_and_seed(chapter):
    tagged = [c for c in chapter.cells if "parameters" in _tags(c)]
    assert len(tagged) == 1, "exactly one code cell tagged 'parameters' (papermill injects after it)"
    assert tagged[0] is chapter.cells[1], "the parameters cell is the second cell"
    values = {}
    for node in ast.parse(tagged[0].source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values.get("SCALE") == "quick" and values.get("SEED") == 0, f"defaults: {values}"
    assert values["SCALE"] in SCALES
    assert "check_scale(SCALE)" in chapter.cells[2].source and "check_seed(SEED)" in chapter.cells[2].source


def test_last_cell_shows_provenance(chapter):
    last = chapter.cells[-1]
    assert last.cell_type == "code" and "show(" in last.source and "provenance" in last.source
    assert "nbval-ignore-output" in _tags(last)


def test_committed_with_outputs_of_one_run(chapter):
    """nbval compares against these outputs: they must come from one top-to-bottom run."""
    counts = [c.execution_count for c in chapter.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}: run `make notebooks`"


def test_no_object_reprs_or_errors_in_outputs(chapter):
    for i, cell in enumerate(chapter.cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"cell {i} holds an error output"
            if "image/png" in out.get("data", {}):
                continue  # a figure's text/plain twin "<Figure size ...>" is expected
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert not OBJECT_REPR.search(text), f"cell {i} shows an object repr: {text[:80]!r}"
