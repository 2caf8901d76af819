"""lstm_repro: the 1997 LSTM memory-cell network, its truncated-gradient online learner,
the paper's tasks and criteria, and the machinery that reproduces its tables."""

__version__ = "0.1.0"
