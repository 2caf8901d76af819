"""The benchmark's timing rule and its JSON (no speed is asserted: speed is measured by the bench
command, not by tests)."""
from __future__ import annotations

import json
import time

from lstm_repro import bench
from lstm_repro.__main__ import main


def test_timed_functions_take_turns_and_per_step_costs_scale():
    calls = []

    def slow():
        calls.append("slow")
        time.sleep(0.003)

    def fast():
        calls.append("fast")
        time.sleep(0.001)

    slow_us, fast_us = bench._time_per_step([(slow, 10, 1.0), (fast, 5, 1.0)], min_seconds=0.1, rounds=3)
    # per step: 300 µs and 200 µs at least (sleep never returns early)
    assert 300 <= slow_us < 600 and 200 <= fast_us < 450
    # after the warm-up call of each, the rounds alternate: slow ones, fast ones, slow ones, ...
    runs = [name for i, name in enumerate(calls[2:]) if i == 0 or calls[2 + i - 1] != name]
    assert runs == ["slow", "fast"] * 3


def test_bench_json_names_each_case_by_row(capsys):
    assert main(["bench", "--quick", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in result["cases"]] == ["4-1", "1-2", "2c-1", "2c-5"]
    for case in result["cases"]:
        for key in ("engine_us_per_step", "torch_eager_us_per_step", "torch_fused_us_per_step"):
            assert case[key] > 0
        assert case["speedup_vs_fused"] == case["torch_fused_us_per_step"] / case["engine_us_per_step"]
    assert {"cpu", "cores", "torch", "numba", "commit"} <= set(result["machine"])
