"""Why the formal-language nets stop generalising near the edge of their training set: a study.

Issue 8: trained on n <= 10, our nets of Gers & Schmidhuber (2001) accept a^n b^n (c^n) only up
to N of about 1.3 times the largest training n, far below the public reimplementations (N about
65 / 29) and below the DEKF claim of Pérez-Ortiz, Gers, Eck & Schmidhuber (2003: n up to 1000
and more from the 10 shortest exemplars of a^n b^n c^n).  A :class:`StudyConfig` changes one or
a few of the protocol's choices (training after the training set is learned, the filter's
parameters, the network's connectivity, squashers, biases, peepholes and forget gate, the
learning rate; every config is in :mod:`lstm_repro.formal_configs`); :func:`run_config` runs it
through the runner's own code path (:func:`lstm_repro.runner.run_trial` with the ``"formal"``
stopping rule and its ``keep_training`` option), and :func:`run_study` appends one record per
trial, with provenance, to ``data/formal_study/records.json`` and keeps its final net in
``data/formal_study/nets/`` (:func:`load_net`).

Every record keeps N at the moment the training set is learned, N of the final net (after
``keep_training`` more strings; the fair number: the stopping rule never looks at test
strings) and the curve of N measured every ``test_every`` strings on the way.  The largest N
on that curve is selected on the test strings and is shown only as a diagnostic.

Command line (one process)::

    python -m lstm_repro.formal_study --configs dekf-keep dekf-keep-B --trials 0 1 2 3 4
"""
from __future__ import annotations

import argparse
import dataclasses
import fcntl
import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .engine import Network
from .formal_configs import CONFIGS, KEEP, StudyConfig  # noqa: F401 (KEEP: for the chapters)
from .formal_eval import HAND_WIRED
from .paths import DATA_DIR
from .protocols import Protocol, get_protocol
from .provenance import collect
from .results import ResultsError, read_weights, write_json, write_weights
from .rows import Row
from .runner import run_trial, trial_seed
from .spec import Weights, check_choice

STUDY_PATH = DATA_DIR / "formal_study" / "records.json"
LANGUAGES = ("anbn", "anbncn")
_GATE_BIASES = ("in_gate_bias", "out_gate_bias", "forget_gate_bias")


@dataclass(frozen=True)
class StudyProtocol(Protocol):
    """A 2001 / 2003 protocol whose network spec is changed by ``spec_changes`` and whose nets
    start from ``init`` (:data:`lstm_repro.formal_configs.INITS`)."""
    spec_changes: tuple = ()        # ((field, value), ...)
    init: str = "random"

    @property
    def network(self) -> Row:
        row = super().network
        return Row(row.row, dataclasses.replace(row.spec, **dict(self.spec_changes)), row.lr,
                   row.experiment)

    def make_learner(self, rng):
        """The row's learner; with ``init="hand-wired"`` its weights are those of
        :func:`lstm_repro.formal_eval.hand_wired_anbn` (or ``hand_wired_anbncn``) for this
        network's cell input squasher (exact counters, N >= 1000), copied into this protocol's
        network (whose connections must hold every nonzero hand-wired weight)."""
        learner = super().make_learner(rng)
        if self.init == "random":
            return learner
        from .spec import layout
        w = HAND_WIRED[self.task](g=self.network.spec.g).weights
        lay = layout(self.network.spec)
        for name, a, mask in (("wh", w.wh, lay.mask_h), ("wo", w.wo, lay.mask_o),
                              ("wp", w.wp, lay.mask_p)):
            if a.shape != mask.shape or np.any((a != 0) & (mask == 0)):
                raise ValueError(f"init='hand-wired' needs the {self.task} network of one cell "
                                 f"per block with every hand-wired connection; weights.{name} "
                                 f"does not fit")
        return type(learner)(self.network.spec, w, **self.learner_params)


def _spec_changes(changes: dict, n_blocks: int) -> tuple:
    out = []
    for key, value in changes.items():
        if key in _GATE_BIASES and isinstance(value, (int, float)):
            value = (float(value),) * n_blocks
        elif isinstance(value, list):
            value = tuple(value)
        out.append((key, value))
    return tuple(out)


def study_protocol(cfg: StudyConfig, language: str) -> StudyProtocol:
    """The protocol that runs ``cfg`` on ``language`` (see :class:`StudyConfig`)."""
    check_choice("language", language, LANGUAGES)
    gd = get_protocol(f"2001-{language}")
    base = gd
    if cfg.learner == "dekf":
        dekf = get_protocol("2003-dekf-anbncn")
        base = dataclasses.replace(gd, learner="dekf", lr=dekf.lr, momentum=dekf.momentum,
                                   budget=dekf.budget,
                                   learner_params={**dekf.learner_params, **cfg.filter})
    stop = {"test_max": cfg.test_max, "keep_training": cfg.keep_training,
            "test_every": cfg.test_every,
            "curve_test_max": cfg.curve_test_max or cfg.test_max}
    fields_ = {f.name: getattr(base, f.name) for f in dataclasses.fields(Protocol)}
    fields_.update(row=f"study:{cfg.name}:{language}", stop_params=stop,
                   budget=base.budget if cfg.budget is None else cfg.budget)
    if cfg.error != "mse":
        fields_["learner_params"] = {"error": cfg.error}
    if cfg.lr is not None:
        fields_["lr"] = cfg.lr
    if cfg.momentum is not None:
        fields_["momentum"] = cfg.momentum
    n_blocks = base.network.spec.n_blocks
    return StudyProtocol(**fields_, spec_changes=_spec_changes(cfg.spec, n_blocks),
                         init=cfg.init)


# fields added after the first records were stored: left out of a record's settings at their default
_LATER_FIELDS = {"init": "random", "error": "mse"}


def settings(cfg: StudyConfig) -> dict:
    """``cfg``'s fields but its name and description (the later fields only when not default)."""
    return {k: v for k, v in dataclasses.asdict(cfg).items()
            if k not in ("name", "description") and _LATER_FIELDS.get(k, object()) != v}


def _settings_as_stored(cfg: StudyConfig) -> dict:
    """:func:`settings` as a record holds them (read back from JSON: lists, not tuples)."""
    return json.loads(json.dumps(settings(cfg)))


def _of_trial(records: list[dict], name: str, cfg: StudyConfig, language: str,
              trial: int) -> list[dict]:
    """The records among ``records`` of trial ``trial`` of config ``name`` (``cfg``) on
    ``language`` under the config's current settings."""
    current = _settings_as_stored(cfg)
    return [r for r in records if r["config"] == name and r["language"] == language
            and r["trial"] == trial and r["settings"] == current]


def _records_of(path: Path, name: str, cfg: StudyConfig, language: str, trial: int) -> list[dict]:
    """The stored records (in the file ``path``) of that trial, as :func:`_of_trial`."""
    return _of_trial(load(path), name, cfg, language, trial)


def run_config(cfg: StudyConfig, language: str, trial: int, seed: int = 0,
               checkpoint: Path | None = None,
               provenance: dict | None = None) -> tuple[dict, Weights]:
    """One trial of ``cfg`` on ``language`` (seed :func:`~lstm_repro.runner.trial_seed`
    (seed, trial), as the rows' trials): a compact record and the final net's weights.  With
    ``checkpoint`` (a path) the trial resumes from it and keeps it while it runs, as the rows'
    trials do (:func:`~lstm_repro.runner.run_trial`; ``provenance``: the run's)."""
    protocol = study_protocol(cfg, language)
    rec, net = run_trial(protocol, trial, trial_seed(seed, trial), checkpoint=checkpoint,
                         provenance=provenance)
    at = rec.get("generalisation_at_learned", rec["generalisation"])
    curve = rec.get("generalisation_curve", [])
    return {"config": cfg.name, "language": language, "learner": cfg.learner, "trial": trial,
            "seed": rec["seed"], "learned": rec["success"], "learned_at": rec["sequences"],
            "strings_trained": rec["events"].get("strings_trained", rec["sequences"]),
            "learned_at_end": rec["events"].get("learned_at_end", rec["success"]),
            "N_at_learned": at["N"], "N_final": rec["generalisation"]["N"],
            "tested_up_to": rec["generalisation"]["tested_up_to"],
            "accepted_range_final": rec["generalisation"]["accepted_range"],
            "curve": curve, "wall_seconds": rec["wall_seconds"],
            **({"resumed": rec["resumed"]} if "resumed" in rec else {}),
            "settings": settings(cfg)}, net.weights


def load(path: Path = STUDY_PATH) -> list[dict]:
    """The stored records ([] when the file does not exist)."""
    path = Path(path)
    return json.loads(path.read_text())["records"] if path.exists() else []


@contextmanager
def records_lock(path: Path):
    """Hold an exclusive lock (``fcntl.flock`` on the sibling file ``<name>.lock``) while the
    records file ``path`` is read, appended to and written, so that two studies writing one file
    never lose a record."""
    lock = Path(f"{path}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def checkpoint_for(path: Path, name: str, language: str, trial: int) -> Path:
    """Where a study trial in progress keeps its checkpoint: beside the records file ``path``
    (local working state, never committed: ``*.checkpoint`` is ignored by git)."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{name}.{language}.trial-{trial:03d}.checkpoint")


def net_path(path: Path, name: str, language: str, trial: int) -> Path:
    """Where the final net of a study trial is kept: ``nets/<config>.<language>.trial-NNN.npz``
    beside the records file ``path``, with a ``.json`` of the same name (the trial's config,
    settings, N and the provenance of the run that trained the net)."""
    return Path(path).parent / "nets" / f"{name}.{language}.trial-{trial:03d}.npz"


# what a net kept by store_net says of the record it reproduced: enough to tell that record apart
_REPRODUCES = ("commit", "dirty", "time")


def _write_net(path: Path, rec: dict, weights: Weights, prov: dict,
               reproduces: dict | None = None) -> None:
    """Write the net of ``rec`` (trained under ``prov``); ``reproduces``: the provenance of the
    stored record a rerun gave again (:func:`store_net`)."""
    npz = net_path(path, rec["config"], rec["language"], rec["trial"])
    npz.parent.mkdir(parents=True, exist_ok=True)
    write_weights(npz, weights)
    about = {k: rec[k] for k in ("config", "language", "trial", "seed", "settings", "N_final")}
    about["provenance"] = prov
    if reproduces is not None:
        about["reproduces"] = {k: reproduces[k] for k in _REPRODUCES}
    write_json(npz.with_suffix(".json"), about)


def _comparable(rec: dict) -> dict:
    return json.loads(json.dumps({k: v for k, v in rec.items()
                                  if k not in ("wall_seconds", "resumed", "provenance")}))


def store_net(name: str, language: str, trial: int, seed: int = 0, path: Path = STUDY_PATH,
              configs: dict | None = None) -> Path:
    """Keep the final net of a trial stored before nets were kept: train the trial again (its
    seed and config make it deterministic), check that the run gives the stored record (all but
    wall time and provenance), and write the net as :func:`run_study` does; returns its path.
    Raises :class:`~lstm_repro.results.ResultsError` when no record of the config's current
    settings is stored or the run differs from it (the net is then not written)."""
    configs = CONFIGS if configs is None else configs
    check_choice("config", name, configs)
    cfg = configs[name]
    stored = _records_of(path, name, cfg, language, trial)
    if not stored:
        raise ResultsError(f"no record of config {name!r}, {language}, trial {trial} with the "
                           f"config's settings in {path}; run the study first")
    rec, weights = run_config(cfg, language, trial, seed)
    want = _comparable(stored[-1])
    differ = sorted(k for k, v in _comparable(rec).items() if want.get(k) != v)
    if differ:
        raise ResultsError(f"trial {trial} of {name!r} on {language} trained again differs from "
                           f"its stored record in {', '.join(differ)}; its net was not written")
    _write_net(path, rec, weights, collect({"study": "formal_study", "seed": seed}),
               reproduces=stored[-1]["provenance"])
    return net_path(path, name, language, trial)


def unchecked(path: Path = STUDY_PATH) -> list[dict]:
    """The stored records run from a dirty tree (code that is no commit) that no run from a
    clean tree has given again.  A record is checked when its trial's net was kept by
    :func:`store_net` from a clean tree, under the record's settings, and names the record's
    provenance as the one it reproduces (``python -m lstm_repro.formal_study --nets``)."""
    out = []
    for r in load(path):
        if not r["provenance"]["dirty"]:
            continue
        about = net_path(path, r["config"], r["language"], r["trial"]).with_suffix(".json")
        net = json.loads(about.read_text()) if about.exists() else {}
        mine = {k: r["provenance"][k] for k in _REPRODUCES}
        if not (net.get("reproduces") == mine and net["settings"] == r["settings"]
                and not net["provenance"]["dirty"]):
            out.append(r)
    return out


def load_net(name: str, language: str, trial: int, path: Path = STUDY_PATH,
             configs: dict | None = None) -> tuple[Network, dict]:
    """The final net of a study trial (an engine :class:`~lstm_repro.engine.Network`, whatever
    learner trained it) and its ``.json`` (see :func:`net_path`); a net trained under other
    settings than the config's current ones raises :class:`~lstm_repro.results.ResultsError`."""
    configs = CONFIGS if configs is None else configs
    check_choice("config", name, configs)
    npz = net_path(path, name, language, trial)
    if not npz.exists():
        raise ResultsError(f"no stored net for config {name!r}, {language}, trial {trial} "
                           f"({npz}); keep it with: python -m lstm_repro.formal_study --configs "
                           f"{name} --languages {language} --trials {trial} --nets")
    about = json.loads(npz.with_suffix(".json").read_text())
    if about["settings"] != _settings_as_stored(configs[name]):
        raise ResultsError(f"the net {npz} was trained under other settings than config "
                           f"{name!r} has now")
    spec = study_protocol(configs[name], language).network.spec
    return Network(spec, read_weights(npz)), about


def run_study(names, languages=LANGUAGES, trials=range(3), seed: int = 0,
              path: Path = STUDY_PATH, configs: dict | None = None) -> list[dict]:
    """Run every (config, language, trial) not yet stored for that config's settings, appending
    each record (with provenance) to ``path`` as it finishes, and its final net under
    ``nets/`` beside it (:func:`net_path`); returns the new records.  A trial
    in progress keeps a checkpoint beside ``path`` (:func:`checkpoint_for`), so a killed study
    run again resumes it; the checkpoint is removed once the record is stored."""
    configs = CONFIGS if configs is None else configs
    unknown = [n for n in names if n not in configs]
    if unknown:
        raise KeyError(f"unknown config(s) {', '.join(unknown)}; valid: {', '.join(configs)}")
    path = Path(path)
    prov = collect({"study": "formal_study", "seed": seed})
    new = []
    for name in names:
        cfg = configs[name]
        for language in languages:
            for trial in trials:
                if _records_of(path, name, cfg, language, trial):
                    continue
                t0 = time.perf_counter()
                ck = checkpoint_for(path, name, language, trial)
                rec, weights = run_config(cfg, language, trial, seed, ck, prov)
                rec["provenance"] = prov
                # read the file again after the trial, under the lock: another study may have
                # stored records while this trial ran (this very trial among them, when two runs
                # were given the same trials: its record and net are then left as they are), or
                # be storing one now
                with records_lock(path):
                    records = load(path)
                    twin = bool(_of_trial(records, name, cfg, language, trial))
                    if not twin:
                        _write_net(path, rec, weights, prov)
                        write_json(path, {"about": __doc__.split("\n")[0],
                                          "records": records + [rec]})
                ck.unlink(missing_ok=True)
                if twin:
                    print(f"{name} {language} trial {trial}: stored meanwhile by another run; "
                          f"this run's record is not added", flush=True)
                    continue
                new.append(rec)
                print(f"{name} {language} trial {trial}: learned {rec['learned']} at "
                      f"{rec['learned_at']:,}; N at learned {rec['N_at_learned']}, final "
                      f"{rec['N_final']}; curve {[n for _, n in rec['curve']]} "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)
    return new


def summary(records: list[dict], configs: dict | None = None) -> list[dict]:
    """One row per (config, language): trials, learned, N at learned and final (lists, by
    trial), the curve's largest N (selected on test strings: a diagnostic)."""
    configs = CONFIGS if configs is None else configs
    out = {}
    for r in sorted(records, key=lambda r: r["trial"]):
        key = (r["config"], r["language"])
        row = out.setdefault(key, {"config": r["config"], "language": r["language"],
                                   "learner": r["learner"], "trials": [], "learned": 0,
                                   "N_at_learned": [], "N_final": [], "N_curve_max": [],
                                   "learned_at": [], "tested_up_to": r["tested_up_to"],
                                   "description": getattr(configs.get(r["config"]),
                                                          "description", "")})
        row["trials"].append(r["trial"])
        row["learned"] += bool(r["learned"])
        row["N_at_learned"].append(r["N_at_learned"])
        row["N_final"].append(r["N_final"])
        row["N_curve_max"].append(max([r["N_final"]] + [n for _, n in r["curve"]]))
        row["learned_at"].append(r["learned_at"])
    order = {name: i for i, name in enumerate(configs)}
    return sorted(out.values(), key=lambda s: (order.get(s["config"], len(order)),
                                               s["language"]))


def markdown_table(rows: list[dict]) -> str:
    """:func:`summary` rows as a Markdown table (N lists in trial order)."""
    def ns(values):
        return ", ".join(map(str, values))

    lines = [("| config | language | what it changes | learned | strings until learned | "
             "N when learned | N of the final net | largest N on the curve (picked on test "
             "strings) |"), "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['config']} | {r['language']} | {r['description']} | "
                     f"{r['learned']}/{len(r['trials'])} | {ns(r['learned_at'])} | "
                     f"{ns(r['N_at_learned'])} | {ns(r['N_final'])} | {ns(r['N_curve_max'])} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m lstm_repro.formal_study",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS,
                    metavar="CONFIG", help=f"config names (default: all): {', '.join(CONFIGS)}")
    ap.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    ap.add_argument("--trials", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=STUDY_PATH)
    ap.add_argument("--nets", action="store_true",
                    help="instead of running new trials, keep the final nets of stored trials "
                         "that have none (each trained again; it must give its stored record; "
                         "one that does not is reported and the others go on)")
    a = ap.parse_args(argv)
    if not a.nets:
        run_study(a.configs, a.languages, a.trials, a.seed, a.out)
        return
    failed = 0       # a trial whose net cannot be kept is reported; the others go on
    for name in a.configs:
        for language in a.languages:
            for trial in a.trials:
                if net_path(a.out, name, language, trial).exists():
                    continue
                try:
                    print(store_net(name, language, trial, a.seed, a.out), flush=True)
                except ResultsError as e:
                    failed += 1
                    print(f"error: {e}", file=sys.stderr, flush=True)
    if failed:
        raise SystemExit(f"{failed} net(s) not kept (see the errors above)")


if __name__ == "__main__":
    main()
