"""The tasks of Hochreiter & Schmidhuber (1997, Section 5) and Gers & Schmidhuber (2001), by name.

``make_task(name, **params)`` builds one; every parameter defaults to the paper's value:

================== ============================================== ==============================
name               parameters (defaults)                          paper
================== ============================================== ==============================
reber              train_size=256, test_size=256, data_seed=0,    Sec. 5.1, Table 1
                   sets="iid"
long_lag_2a        p=100                                          Sec. 5.2, Table 2
long_lag_2b        p=100                                          Sec. 5.2 (text)
long_lag_2c        q=50, p=50                                     Sec. 5.2, Table 3 (first row)
noise_3a/3b/3c     T=100, N=3                                     Sec. 5.3, Tables 4-6 (first row)
adding             T=100                                          Sec. 5.4, Table 7 (first row)
multiplication     T=100                                          Sec. 5.5, Table 8
temporal_order_6a  (none)                                         Sec. 5.6, Table 9
temporal_order_6b  (none)                                         Sec. 5.6, Table 9
anbn, anbncn       train_n=range(1, 11), include_empty=False      Gers & Schmidhuber 2001
anbmBmAn           train_n=range(1, 11), train_m=train_n          Gers & Schmidhuber 2001
================== ============================================== ==============================
"""
from __future__ import annotations

import inspect

from .adding import AddingTask, MultiplicationTask
from .base import Sequence, Task, all_correct, count_correct
from .formal import AnBmBmAn, AnBn, AnBnCn, generalisation_limit
from .long_lag import LongLag2a, LongLag2b, LongLag2c
from .noise import Noise3a, Noise3b, Noise3c
from .reber import ReberTask
from .temporal_order import TemporalOrder6a, TemporalOrder6b

TASKS: dict[str, type[Task]] = {
    "reber": ReberTask,
    "long_lag_2a": LongLag2a,
    "long_lag_2b": LongLag2b,
    "long_lag_2c": LongLag2c,
    "noise_3a": Noise3a,
    "noise_3b": Noise3b,
    "noise_3c": Noise3c,
    "adding": AddingTask,
    "multiplication": MultiplicationTask,
    "temporal_order_6a": TemporalOrder6a,
    "temporal_order_6b": TemporalOrder6b,
    "anbn": AnBn,
    "anbncn": AnBnCn,
    "anbmBmAn": AnBmBmAn,
}


def task_parameters(name: str) -> dict[str, object]:
    """The parameters of task ``name`` with their defaults."""
    return {p.name: p.default for p in inspect.signature(_constructor(name)).parameters.values()}


def make_task(name: str, **params) -> Task:
    """The task ``name`` built with ``params`` (the paper's defaults for the others)."""
    valid = task_parameters(name)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(f"task {name!r} has no parameter {', '.join(map(repr, unknown))}; "
                         f"valid parameters: {', '.join(valid) or '(none)'}")
    return _constructor(name)(**params)


def _constructor(name: str) -> type[Task]:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; valid names: {', '.join(TASKS)}")
    return TASKS[name]


__all__ = ["TASKS", "Sequence", "Task", "all_correct", "count_correct", "generalisation_limit",
           "make_task", "task_parameters"]
