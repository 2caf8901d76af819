"""Tests of lstm_repro.paper: the papers' numbers, checked against each other and against the
architecture they describe (Hochreiter & Schmidhuber 1997, Sections 5.1-5.7; reference sheet sections
4 and 7)."""
import dataclasses
import re

import pytest

from lstm_repro import paper
from lstm_repro.paper import PAPER_ROWS, TABLE10, TABLE11, Reported

EXPECTED_TABLE10_IDS = (
    [f"1-{k}" for k in range(1, 6)] + ["2a", "2b"] + [f"2c-{k}" for k in range(1, 10)]
    + ["3a", "3b", "3c"] + [f"4-{k}" for k in range(1, 4)] + ["5", "6a", "6b"]
)


def derived_weights(r: paper.Table10Row) -> int:
    """Weight count from the architecture fields (reference sheet section 4, "Weight counts").

    F: a fully connected hidden layer (self-connections included) fed by all inputs, outputs fed by
    the cells only.  B (Exp 2a/2b): cell and gate fed by the inputs only, outputs by inputs and cells.
    """
    gates_per_block = 1 if r.out_gate_bias == "no og" else 2
    cells = r.blocks * r.block_size
    gates = r.blocks * gates_per_block
    hidden = cells + gates
    biases = {"none": 0, "ga": gates, "b1": hidden, "all": hidden + r.n_out}[r.bias]
    if r.connectivity == "F":
        return hidden * (r.n_in + hidden) + r.n_out * cells + biases
    if r.connectivity == "B":
        return hidden * r.n_in + r.n_out * (r.n_in + cells) + biases
    raise AssertionError(f"unknown connectivity {r.connectivity!r}")


def numbers_in(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def table11_task(config_row: str) -> str:
    """Table 11 merges rows 1-x, 2c-x and 4-x."""
    for prefix in ("1-", "2c-", "4-"):
        if config_row.startswith(prefix):
            return prefix[:-1]
    return config_row


# --- Table 10 and Table 11 ---------------------------------------------------------------------

def test_table10_has_all_25_rows_in_paper_order():
    assert list(TABLE10) == EXPECTED_TABLE10_IDS
    assert all(key == row.row for key, row in TABLE10.items())


@pytest.mark.parametrize("row_id", EXPECTED_TABLE10_IDS)
def test_table10_weights_follow_from_the_architecture(row_id):
    row = TABLE10[row_id]
    assert row.weights == derived_weights(row)


def test_table10_gate_biases_have_one_value_per_block():
    for row in TABLE10.values():
        for biases in (row.out_gate_bias, row.in_gate_bias):
            if isinstance(biases, tuple):
                assert len(biases) == row.blocks, row.row
                assert all(b < 0 for b in biases), row.row
            else:
                assert biases in ("r", "none", "no og"), row.row


def test_table10_codes_are_from_the_legend():
    for row in TABLE10.values():
        assert row.connectivity in ("F", "B")
        assert row.bias in ("ga", "b1", "all", "none")
        assert row.h in ("h1", "id") and row.g in ("g1", "g2")
    assert set(paper.TABLE10_LEGEND) == {f.name for f in dataclasses.fields(paper.Table10Row)} - {"row"}
    assert any("swapped" in note for note in paper.TABLE10_NOTES)


def test_table10_minimal_lags():
    for k in (1, 2, 3):
        row = TABLE10[f"4-{k}"]
        assert row.lag == row.p // 2                     # adding problem: minimal lag T/2
    assert TABLE10["5"].lag == TABLE10["5"].p // 2


def test_table11_rows_and_intervals():
    assert list(TABLE11) == ["1", "2a", "2b", "2c", "3a", "3b", "3c", "4", "5", "6a", "6b"]
    for task, row in TABLE11.items():
        wide = task.startswith(("1", "2"))               # Experiments 1 and 2: [-0.2, 0.2]
        assert row.init_interval == ((-0.2, 0.2) if wide else (-0.1, 0.1)), task
    assert TABLE11["2a"].test_size is None               # "no test set"


# --- Result rows: ids, configs, trials ---------------------------------------------------------

def test_ids_are_unique():
    ids = ([r.id for r in paper._ROWS_1997] + list(paper.READING_ROWS)
           + [r.id for r in paper._ROWS_GERS])
    assert len(ids) == len(set(ids)) == len(paper.ALL_ROWS)


def test_a_reading_row_follows_its_base_row_and_carries_its_numbers():
    ids = list(paper.ALL_ROWS)
    for row_id, row in paper.READING_ROWS.items():
        base = paper.PAPER_ROWS[row_id.rsplit("-", 1)[0]]
        assert ids.index(row_id) == ids.index(base.id) + 1
        assert row.reported == base.reported and row.trials == base.trials
        assert row.config_row == base.config_row and "Not a row of the paper" in row.notes
        assert row not in paper.rows_for_table(int(base.table.split()[-1]))


def test_ids_follow_the_scheme():
    for r in PAPER_ROWS.values():
        if r.competitor:
            assert re.fullmatch(r"(1|2a)-(RTRL|BPTT|ELM|RCC|CH)(-[\w-]+)?", r.id), r.id
            assert r.id.split("-")[1] == r.method, r.id
        elif r.id != r.config_row:
            assert re.fullmatch(r"3[abc]-T\d+-N\d+|5-nseq\d+", r.id), r.id
            assert r.id.startswith(r.config_row + "-"), r.id
    for r in paper.GERS2001_ROWS.values():
        assert re.fullmatch(r"(2001|2003)-[\w-]+", r.id), r.id


def test_ids_agree_with_task_params():
    for r in PAPER_ROWS.values():
        if m := re.fullmatch(r"3[abc]-T(\d+)-N(\d+)", r.id):
            assert (r.task_params["T"], r.task_params["N"]) == (int(m[1]), int(m[2])), r.id
        if m := re.fullmatch(r"5-nseq(\d+)", r.id):
            assert r.task_params["n_seq"] == int(m[1]), r.id
        if m := re.search(r"-p(\d+)", r.id):
            assert r.task_params["p"] == int(m[1]), r.id
        if m := re.search(r"-lr(\d+)$", r.id):
            assert r.setup["lr"] == float(m[1]), r.id


def test_competitors_are_marked():
    methods = {r.method for r in PAPER_ROWS.values() if r.competitor}
    assert methods == {"RTRL", "BPTT", "ELM", "RCC", "CH"}
    for r in paper.ALL_ROWS.values():
        assert r.competitor == (r.method != "LSTM"), r.id
        if r.competitor:
            assert r.config_row is None, r.id


def test_every_lstm_row_has_a_table10_config_and_every_config_is_used():
    assert all(r.config_row in TABLE10 for r in paper.lstm_rows())
    assert {r.config_row for r in paper.lstm_rows()} == set(TABLE10)


def test_lstm_rows_agree_with_table10():
    for r in paper.lstm_rows():
        cfg = paper.config(r.id)
        if "weights" in r.reported:
            assert r.reported["weights"].value == cfg.weights, r.id
        for key, field in (("blocks", "blocks"), ("block_size", "block_size"), ("lr", "lr")):
            if key in r.setup:
                assert r.setup[key] == getattr(cfg, field), r.id
        if r.config_row in ("2a", "2b"):
            assert r.task_params["p"] == cfg.p and cfg.n_in == cfg.p + 1, r.id
        if r.table == "Table 3":                          # distractors p = in - 4; Table 10 p = lag = q
            assert cfg.n_in == r.task_params["p"] + 4, r.id
            assert cfg.lag == cfg.p == r.task_params["q"], r.id
        if r.table in ("Table 7", "Table 8"):
            assert r.task_params["min_lag"] == r.task_params["T"] // 2 == cfg.lag, r.id
            assert r.task_params["T"] == cfg.p, r.id


def test_test_sizes_agree_with_table11():
    for r in paper.lstm_rows():
        assert r.test_size == TABLE11[table11_task(r.config_row)].test_size, r.id


def test_trial_counts_per_table():
    expected = {"Table 1": 30, "Table 2": 18, "Section 5.2 text": 18, "Table 3": 20, "Table 4": 10,
                "Table 5": 10, "Table 6": 10, "Table 7": 10, "Table 8": 10}
    for r in paper.lstm_rows():
        if r.table == "Table 9":
            assert r.trials == {"6a": 20, "6b": 10}[r.id]
        else:
            assert r.trials == expected[r.table], r.id
    for r in paper.rows_for_table(1):
        if r.competitor:
            assert r.trials is None, r.id                # results taken from other papers
    assert all(r.trials == 18 for r in paper.rows_for_table(2))


def test_rows_per_table_and_paper_order():
    counts = {n: len(paper.rows_for_table(n)) for n in range(1, 10)}
    assert counts == {1: 9, 2: 8, 3: 9, 4: 3, 5: 3, 6: 2, 7: 3, 8: 2, 9: 2}
    assert sum(counts.values()) + 1 == len(PAPER_ROWS)   # + Task 2b's text-only row
    order = [2.5 if r.table == "Section 5.2 text" else int(r.table.split()[1])
             for r in PAPER_ROWS.values()]
    assert order == sorted(order)


def test_table3_q_over_p():
    for r in paper.rows_for_table(3):
        tp = r.task_params
        assert tp["q"] / tp["p"] == tp["q_over_p"], r.id


def test_table2c_weights_are_6_in_plus_40():
    # 6 hidden units (2 cells, 2 input gates, 2 output gates), each fed by in + 6 units; 2 x 2 outputs.
    for k in range(1, 10):
        row = TABLE10[f"2c-{k}"]
        assert row.weights == 6 * (row.n_in + 6) + 2 * 2 == 6 * row.n_in + 40


def test_rtrl_weight_counts_fit_one_self_recurrent_hidden_unit():
    # (p+1) outputs fed by p+1 inputs and the hidden unit; the hidden unit by the inputs and itself.
    for r in paper.rows_for_table(2):
        if r.method in ("RTRL", "BPTT"):
            p = r.task_params["p"]
            assert r.reported["weights"].value == (p + 1) * (p + 2) + (p + 2), r.id


# --- Reported numbers --------------------------------------------------------------------------

def test_reported_keys_and_kinds_are_from_the_vocabulary():
    for r in paper.ALL_ROWS.values():
        for key, rep in r.reported.items():
            assert key in paper.REPORTED_KEYS and rep.kind in paper.KINDS, (r.id, key)


def test_reported_values_match_their_printed_text():
    for r in PAPER_ROWS.values():
        for key, rep in r.reported.items():
            printed = numbers_in(rep.text)
            if rep.kind == "text" or not printed:
                continue
            values = rep.value if rep.kind == "range" else (rep.value,)
            for v in values:
                assert v in printed, (r.id, key, rep)


def test_success_percentages_are_whole_trials():
    for r in PAPER_ROWS.values():
        pct = r.reported.get("success_pct")
        if pct is None or pct.value is None or r.trials is None:
            continue
        successes = round(pct.value * r.trials / 100)
        assert round(100 * successes / r.trials) == pct.value, r.id


def test_table1_caption_two_failures_out_of_150():
    lstm = [r for r in paper.rows_for_table(1) if not r.competitor]
    failures = sum(round(r.trials * (1 - r.reported["success_pct"].value / 100)) for r in lstm)
    assert failures == paper.TABLE1_CAPTION_FAILURES.value
    assert sum(r.trials for r in lstm) == paper.TABLE1_CAPTION_TRIALS.value


def test_means_lie_in_their_ranges():
    for r in PAPER_ROWS.values():
        if "sequences_range" in r.reported:
            assert r.reported["sequences_range"].admits(r.reported["sequences_mean"].value), r.id


def test_table7_t1000_range_and_count_are_consistent_with_the_mean():
    r = paper.get("4-3")
    lo, hi = r.reported["sequences_range"].value
    over = int(r.reported["trials_above_700000"].value)
    total = r.reported["sequences_mean"].value * r.trials
    # The slowest trial takes hi and the fastest lo; `over` trials exceed 700,000, the rest do not.
    least = lo + 700_000 * (over - 1) + hi + lo * (r.trials - over - 1)
    most = lo + hi + hi * (over - 1) + 700_000 * (r.trials - over - 1)
    assert least <= total <= most


def test_mean_wrong_predictions_respect_the_text_bounds():
    for r in PAPER_ROWS.values():
        if "wrong_of_2560_max" in r.reported:
            assert r.reported["wrong_of_2560_max"].admits(r.reported["wrong_of_2560"].value), r.id


def test_wrong_counts_refer_to_a_2560_test_set():
    for r in PAPER_ROWS.values():
        if {"wrong_of_2560", "misclassified_frac"} & set(r.reported):
            assert r.test_size == 2560, r.id


def test_st2_needs_at_least_as_many_sequences_as_st1():
    for r in paper.rows_for_table(4) + paper.rows_for_table(5):
        assert r.reported["st2_sequences"].value >= r.reported["st1_sequences"].value, r.id


def test_reported_rejects_bad_input():
    with pytest.raises(ValueError, match="valid kinds"):
        Reported(1.0, "1", "average")
    with pytest.raises(ValueError, match="value None"):
        Reported(1.0, "one", "text")
    with pytest.raises(ValueError, match="min > max"):
        Reported((3, 1), "3-1", "range")
    with pytest.raises(ValueError, match="needs a number"):
        Reported("5", "5", "mean")
    with pytest.raises(ValueError, match="bound or a range"):
        Reported(1.0, "1", "mean").admits(1.0)
    assert Reported(0.01, "below 0.01", "below").admits(0.009)
    assert not Reported(0.01, "below 0.01", "below").admits(0.01)
    assert Reported(3, "never more than 3", "at_most").admits(3)
    assert Reported(5e6, "> 5,000,000", "above").admits(5e6 + 1)


def test_paper_row_rejects_unknown_keys_and_methods():
    row = paper.get("6a")
    with pytest.raises(ValueError, match="valid keys"):
        dataclasses.replace(row, reported={"accuracy": Reported(1, "1", "value")})
    with pytest.raises(ValueError, match="valid methods"):
        dataclasses.replace(row, method="GRU")


# --- Look-ups ----------------------------------------------------------------------------------

def test_get_unknown_id_lists_the_valid_ids():
    with pytest.raises(KeyError) as err:
        paper.get("3a-T100")
    message = str(err.value)
    assert "valid ids" in message and "3a-T100-N3" in message and "2001-anbn" in message


def test_rows_for_table_rejects_other_tables():
    for bad in (0, 10, "1", True):
        with pytest.raises(ValueError, match="valid tables"):
            paper.rows_for_table(bad)


def test_config_of_a_competitor_raises():
    assert paper.config("5-nseq13") is TABLE10["5"]
    with pytest.raises(KeyError, match="no Table 10 configuration"):
        paper.config("2a-CH")


# --- Gers & Schmidhuber (2001) -----------------------------------------------------------------

def test_gers_claims_are_all_verified():
    assert paper.GERS2001_CLAIMS
    assert all(c.source.endswith("[V]") for c in paper.GERS2001_CLAIMS)


def test_no_gers_row_carries_an_unverified_number():
    claims = [c.text for c in paper.GERS2001_CLAIMS]
    for r in paper.GERS2001_ROWS.values():
        assert r.trials is None and r.test_size is None and r.config_row is None, r.id
        assert r.source in ("gers2001", "perezortiz2003"), r.id
        for key, rep in r.reported.items():
            assert any(rep.text in c for c in claims), (r.id, key)
            for v in numbers_in(rep.text):                 # every printed number is in a claim
                assert any(v in numbers_in(c) for c in claims), (r.id, key, v)
