"""Each row's network (lstm_repro.rows) against Table 10 as the paper prints it (lstm_repro.paper).

The two modules are written independently: rows.py builds networks from the paper's text, paper.py
holds Table 10 verbatim.  Every field that both carry must agree, and every weight count must equal
the paper's column w.
"""
import json
import subprocess
import sys
from dataclasses import replace

import pytest

from lstm_repro.paper import TABLE10
from lstm_repro.rows import READINGS, ROWS, get_row


def test_every_table10_row_is_configured():
    assert list(ROWS) == list(TABLE10)


@pytest.mark.parametrize("row_id", list(TABLE10))
def test_weight_count_equals_table10(row_id):
    assert ROWS[row_id].spec.weight_count() == TABLE10[row_id].weights


def _bias_list(value):
    return None if value in ("r", "none", "no og") else tuple(value)


@pytest.mark.parametrize("row_id", list(TABLE10))
def test_architecture_fields_equal_table10(row_id):
    paper, spec, lr = TABLE10[row_id], ROWS[row_id].spec, ROWS[row_id].lr
    assert (spec.n_blocks, spec.block_size) == (paper.blocks, paper.block_size)
    assert (spec.n_inputs, spec.n_outputs) == (paper.n_in, paper.n_out)
    assert spec.connectivity == paper.connectivity
    assert spec.bias == paper.bias
    assert (spec.h, spec.g) == (paper.h, paper.g)
    assert lr == paper.lr
    assert spec.in_gate_bias == _bias_list(paper.in_gate_bias)
    assert spec.output_gate == (paper.out_gate_bias != "no og")
    if spec.output_gate:
        assert spec.out_gate_bias == _bias_list(paper.out_gate_bias)


@pytest.mark.parametrize("row_id", list(READINGS))
def test_a_reading_is_its_table10_row_with_the_other_reading_of_one_column(row_id):
    """-ogb/-igb: negative gate biases where Table 10 says r; -legend: the legend's squasher ranges
    (g in [-1, 1], h in [-2, 2]) where the row has the text's g2 and h1."""
    base, suffix = row_id.rsplit("-", 1)
    assert get_row(row_id) is READINGS[row_id] and base in TABLE10
    spec, table = READINGS[row_id].spec, TABLE10[base]
    if suffix == "legend":
        assert (table.g, table.h) == ("g2", "h1") and (spec.g, spec.h) == ("h1", "g2")
        assert replace(spec, g=table.g, h=table.h) == ROWS[base].spec
    else:
        column = {"ogb": table.out_gate_bias, "igb": table.in_gate_bias}[suffix]
        assert column == "r"
    assert spec.weight_count() == table.weights and READINGS[row_id].lr == table.lr


def test_unknown_row_lists_valid_rows():
    with pytest.raises(KeyError, match="valid rows: 1-1, 1-2"):
        get_row("7-1")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "lstm_repro", *args], capture_output=True,
                          text=True, timeout=120)


def test_describe_all_json_gives_every_row_with_its_count():
    res = run_cli("describe", "--all", "--json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["row"] for r in rows] == list(TABLE10)
    assert {r["row"]: r["weights"] for r in rows} == {k: v.weights for k, v in TABLE10.items()}


def test_describe_one_row_text():
    res = run_cli("describe", "4-1")
    assert res.returncode == 0, res.stderr
    assert "weights" in res.stdout and "93" in res.stdout and "-3.0, -6.0" in res.stdout


def test_describe_unknown_row_fails_with_the_valid_rows():
    res = run_cli("describe", "9-9")
    assert res.returncode != 0
    assert "unknown row '9-9'" in res.stderr and "6b" in res.stderr
