"""Experiment 3's stopping kind in the runner (Section 5.3): ST1/ST2 every 100 sequences, and the
screen on the first test sequences that must not change any count."""
from dataclasses import replace

import pytest

from lstm_repro import paper, runner
from lstm_repro.protocols import PROTOCOLS, get_protocol

EXP3_ROWS = [r for r, p in PROTOCOLS.items() if p.stop == "exp3"]


def test_exp3_rows_check_every_100_as_the_paper_means_imply():
    assert len(EXP3_ROWS) == 8
    for row in EXP3_ROWS:
        assert PROTOCOLS[row].stop_params["check_every"] == 100
        # means of 10 trials: multiples of 10, none of 100 -> per-trial counts not all
        # multiples of 1000 (a check every 1000 would make every mean a multiple of 100)
        for key in ("st1_sequences", "st2_sequences", "sequences_mean"):
            rep = paper.get(row).reported.get(key)
            if rep is not None:
                assert rep.value % 10 == 0 and rep.value % 100 != 0


@pytest.mark.parametrize("row", ["3a-T100-N3", "3b-T100-N3", "3c-T100-N3"])
def test_screen_changes_no_count(row, monkeypatch):
    protocol = replace(get_protocol(row, "quick"), budget=12000, test_size=64,
                       stop_params={"check_every": 100})
    records = []
    for screen in (runner.EXP3_SCREEN, 256):      # 256: every check evaluates all 256
        monkeypatch.setattr(runner, "EXP3_SCREEN", screen)
        record, _ = runner.run_trial(protocol, 0, 1)
        records.append({k: record[k] for k in ("success", "sequences", "events", "test")})
    assert records[0] == records[1]
    assert records[0]["events"].get("st1")        # the criterion was reached at least in part
