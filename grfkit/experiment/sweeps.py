"""Ablation sweeps: how the strategies' accuracy changes with the data and the model.

:func:`run_sweep` runs one sweep of :data:`SWEEPS`.  Every point is an ordinary
experiment (:func:`grfkit.experiment.runner.run_experiment`) that writes a results
folder under ``OUT/NAME/points/LABEL/`` and shares the experiment's fold cache, so
a rerun only reads.  The sweep folder also gets ``sweep.csv`` (one row per point,
strategy, target and held-out participant) and ``provenance.json``.
:func:`load_sweep` reads a sweep folder back, :func:`sweep_table` reshapes its
table for plotting and :func:`sweep_statistics` compares strategies (or points)
participant by participant with :func:`grfkit.experiment.comparisons.paired_comparison`.
The participant subsets are nested and seeded (see :data:`SWEEPS`); the held-out
participant is never among the training participants.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import inspect
import itertools
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from grfkit import __version__
from grfkit.errors import ConfigError, MissingFileError, OutputError
from grfkit.executors import local_cluster
from grfkit.experiment.config import TARGETS, ExperimentConfig
from grfkit.experiment.strategies import (
    ALL_STRATEGIES,
    BASELINES,
    STRATEGIES,
    split_domains,
    uses_treadmill,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.presets import ModelPreset
from grfkit.storage.atomic import write_text_atomic
from grfkit.storage.provenance import git_state

__all__ = [
    "FINE_TUNING_VARIANTS",
    "SWEEPS",
    "Sweep",
    "SweepSpec",
    "load_sweep",
    "run_sweep",
    "sweep_statistics",
    "sweep_table",
]


@dataclass(frozen=True)
class SweepSpec:
    """What one sweep varies.

    Parameters
    ----------
    description
        What a point changes, and how.
    values
        Default values (numbers; ``"all"`` and variant names where the sweep has them).
    strategies
        Strategies run by default.
    allowed
        Strategies the sweep accepts.
    """

    description: str
    values: tuple[float | int | str, ...]
    strategies: tuple[str, ...]
    allowed: tuple[str, ...]


#: The fine-tuning variants: name -> (``fine_tune_trainable``, ``fine_tune_lr_factor``; ``None``: the preset's).
FINE_TUNING_VARIANTS: MappingProxyType[str, tuple[str, float | None]] = MappingProxyType({
    "all": ("all", None), "head": ("head", None), "output": ("output", None),
    "lr0.1": ("all", 0.1), "lr0.25": ("all", 0.25), "lr1": ("all", 1.0),
})

#: The sweeps.  ``"treadmill-fraction"``: fractions of the N treadmill participants; a fraction
#: f > 0 uses the first ``max(1, round(f * N))`` participants of one permutation seeded by the
#: sweep's seed, so the subsets are nested.  Only the treadmill-dependent strategies (treadmill,
#: transfer, combined) run per fraction; the overground strategy and the baselines do not use the
#: treadmill set, run once on the whole cohort and are reported as the fraction-0 point (at which
#: there is no treadmill model).  ``"overground-participants"``: n of the K - 1 overground
#: participants other than the held-out one train (``"all"``: every one); for each held-out
#: participant the n are the first n of a permutation of the others seeded by the seed and the
#: held-out participant (nested across n), and each held-out participant is one experiment on the
#: held-out plus those n.  Values from K - 1 up are skipped, except ``"all"``; where n is below the
#: preset's ``fine_tune_inner_folds``, transfer chooses its fine-tuning length by n-fold inner
#: cross-validation.  ``"fine-tuning"``: the transfer strategy with the variants of
#: :data:`FINE_TUNING_VARIANTS` (layers trained at the preset's learning-rate factor, or every
#: layer at factors 0.1, 0.25 and 1), each a preset ``PRESET-ft-VARIANT`` (the preset's own settings keep its
#: name and share the experiment's cache; every variant shares one treadmill pre-training, whose cache key
#: holds only what training depends on, :meth:`grfkit.model.presets.ModelPreset.training_dict`).  ``"model-size"``: LSTM units per direction; 512 is the
#: published size (the ``"paper"`` preset) and is very slow on a CPU -- pass ``values`` to run a subset.
SWEEPS: MappingProxyType[str, SweepSpec] = MappingProxyType({
    "treadmill-fraction": SweepSpec("fraction of the treadmill participants", (0, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1),
                                    STRATEGIES, ALL_STRATEGIES),
    "overground-participants": SweepSpec("overground training participants per fold", (2, 4, 8, "all"),
                                         ("overground", "transfer", "combined"),
                                         ("overground", "transfer", "combined", *BASELINES)),
    "fine-tuning": SweepSpec("fine-tuning variant of the transfer strategy", tuple(FINE_TUNING_VARIANTS),
                             ("transfer",), ("transfer",)),
    "model-size": SweepSpec("LSTM units per direction", (16, 32, 128, 512), ("overground", "combined"), STRATEGIES),
})

_TABLE_COLUMNS: tuple[str, ...] = ("point", "value", "preset", "strategy", "target", "subject", "rrmse_pct",
                                   "n_train_stances", "wall_time_s")
_OWN_ENTRIES: frozenset[str] = frozenset({"points", "sweep.csv", "provenance.json"})


@dataclass
class Sweep:
    """A finished sweep (what :func:`run_sweep` writes and :func:`load_sweep` reads).

    Parameters
    ----------
    name
        Sweep name (a key of :data:`SWEEPS`).
    table
        ``sweep.csv``: one row per point, strategy, target and held-out participant.
    provenance
        ``provenance.json`` as a dictionary.
    folder
        The sweep folder.
    """

    name: str
    table: pd.DataFrame
    provenance: dict
    folder: Path


@dataclass(frozen=True)
class _Point:
    label: str
    value: float
    strategies: tuple[str, ...]
    preset: ModelPreset
    stances: StanceDataset
    held_out: tuple[str, ...] | None
    folder: str
    detail: dict


def _permutation(participants: Sequence[str], *seed_parts: int) -> list[str]:
    """A seeded permutation of the sorted participants."""
    ordered = sorted(str(p) for p in participants)
    return [ordered[i] for i in np.random.default_rng(list(seed_parts)).permutation(len(ordered))]


def _treadmill_subset(participants: Sequence[str], fraction: float, seed: int) -> list[str]:
    """The first ``max(1, round(fraction * N))`` of a seeded permutation (nested in ``fraction``)."""
    n = max(1, round(fraction * len(participants)))
    return _permutation(participants, seed, 1)[:n]


def _training_subset(participants: Sequence[str], held_out: str, n: int, seed: int) -> list[str]:
    """The first ``n`` of a permutation of the participants other than ``held_out`` (nested in ``n``)."""
    others = [p for p in participants if str(p) != held_out]
    return _permutation(others, seed, 2, zlib.crc32(held_out.encode()))[:n]


def _only(stances: StanceDataset, participants: Sequence[str]) -> StanceDataset:
    return stances.subset(stances.meta["participant"].astype(str).isin(list(participants)).to_numpy())


def _number(sweep: str, value: object, kind: type) -> float:
    try:
        number = float(Fraction(value) if isinstance(value, str) else value)  # "1/16" from the command line
    except (TypeError, ValueError, ZeroDivisionError):
        raise ConfigError(f"sweep {sweep!r}: value {value!r} is not a number") from None
    if kind is int and number != int(number):
        raise ConfigError(f"sweep {sweep!r}: value {value!r} is not a whole number")
    return number


def _check_values(name: str, values: Sequence[object]) -> list:
    """Validate and normalise the values of a sweep (ConfigError naming the bad value)."""
    if not values or len(set(map(str, values))) != len(values):
        raise ConfigError(f"sweep {name!r}: values must be a non-empty list without repeats, got {list(values)}")
    if name == "fine-tuning":
        unknown = [v for v in values if v not in FINE_TUNING_VARIANTS]
        if unknown:
            raise ConfigError(f"sweep 'fine-tuning': unknown variants {unknown}; "
                              f"choose from {list(FINE_TUNING_VARIANTS)}")
        return list(values)
    if name == "treadmill-fraction":
        fractions = [_number(name, v, float) for v in values]
        bad = [v for v, f in zip(values, fractions) if not 0.0 <= f <= 1.0]
        if bad:
            raise ConfigError(f"sweep {name!r}: fractions must lie in [0, 1], got {bad}")
        return fractions
    if name == "overground-participants":
        counts = [v if str(v) == "all" else int(_number(name, v, int)) for v in values]
        bad = [v for v in counts if v != "all" and v < 2]
        if bad:
            raise ConfigError(f"sweep {name!r}: at least 2 training participants per fold, got {bad}")
        return counts
    sizes = [int(_number(name, v, int)) for v in values]
    if any(s < 1 for s in sizes):
        raise ConfigError(f"sweep {name!r}: hidden sizes must be positive, got {[s for s in sizes if s < 1]}")
    return sizes


def _label(value: float) -> str:
    return f"{value:g}"


def _points(name: str, values: list, strategies: tuple[str, ...], preset: ModelPreset, stances: StanceDataset,
            seed: int) -> tuple[list[_Point], list]:
    """The experiments of a sweep, and the values skipped (too large for the data)."""
    overground, treadmill = split_domains(stances)
    points: list[_Point] = []
    skipped: list = []
    if name == "treadmill-fraction":
        independent = tuple(s for s in strategies if not uses_treadmill(s))
        dependent = tuple(s for s in strategies if uses_treadmill(s))
        if independent:
            points.append(_Point("f0", 0.0, independent, preset, stances, None, "f0",
                                 {"n_treadmill_participants": 0, "note": "run on the whole cohort; uses no treadmill"}))
        if dependent:
            all_treadmill = [str(p) for p in treadmill.participants]
            if not all_treadmill:
                raise ConfigError(f"sweep {name!r}: the data hold no treadmill participants")
            for fraction in (f for f in values if f > 0):
                chosen = _treadmill_subset(all_treadmill, fraction, seed)
                label = f"f{_label(fraction)}"
                points.append(_Point(label, fraction, dependent, preset,
                                     StanceDataset.concat([overground, _only(treadmill, chosen)]), None, label,
                                     {"n_treadmill_participants": len(chosen), "treadmill_participants": chosen}))
        skipped = [f for f in values if f == 0 and not independent]
    elif name == "overground-participants":
        everyone = [str(p) for p in overground.participants]
        k = len(everyone)
        if k < 3:
            raise ConfigError(f"sweep {name!r} needs at least 3 overground participants, the data have {everyone}")
        skipped = [n for n in values if n != "all" and n >= k - 1]
        for n in (v for v in values if v not in skipped):
            count = k - 1 if n == "all" else n
            p = preset
            if "transfer" in strategies and 0 < preset.fine_tune_inner_folds and count < preset.fine_tune_inner_folds:
                p = dataclasses.replace(preset, fine_tune_inner_folds=count, name=f"{preset.name}-inner{count}")
            for held_out in everyone:
                chosen = _training_subset(everyone, held_out, count, seed)
                data = StanceDataset.concat([_only(overground, [held_out, *chosen]), treadmill])
                points.append(_Point(f"n{n}", float(count), strategies, p, data, (held_out,), f"n{n}/{held_out}",
                                     {"held_out": held_out, "training_participants": chosen}))
    elif name == "fine-tuning":
        for variant in values:
            trainable, factor = FINE_TUNING_VARIANTS[variant]
            factor = preset.fine_tune_lr_factor if factor is None else factor
            p = preset
            if (trainable, factor) != (preset.fine_tune_trainable, preset.fine_tune_lr_factor):
                p = dataclasses.replace(preset, fine_tune_trainable=trainable, fine_tune_lr_factor=factor,
                                        name=f"{preset.name}-ft-{variant}")
            points.append(_Point(variant, factor, strategies, p, stances, None, variant,
                                 {"fine_tune_trainable": trainable, "fine_tune_lr_factor": factor}))
    else:
        for size in values:
            p = preset if size == preset.hidden_size else dataclasses.replace(
                preset, hidden_size=size, name=f"{preset.name}-h{size}")
            points.append(_Point(f"h{size}", float(size), strategies, p, stances, None, f"h{size}",
                                 {"hidden_size": size}))
    if not points:
        raise ConfigError(f"sweep {name!r}: nothing to run for values {values} and strategies {list(strategies)}"
                          + (f" (skipped {skipped}: too many for the data)" if skipped else ""))
    return points, skipped


def _check_folder(folder: Path, name: str) -> None:
    """Refuse a sweep folder that holds anything but an earlier run of this sweep."""
    if folder.exists() and not folder.is_dir():
        raise OutputError("the sweep folder is a file", path=folder)
    if not folder.is_dir():
        return
    foreign = sorted(e.name for e in folder.iterdir() if e.name not in _OWN_ENTRIES and not e.name.startswith("."))
    if foreign:
        raise OutputError(f"not a sweep folder of grfkit: it holds {foreign}; choose another --out", path=folder)
    provenance = folder / "provenance.json"
    if provenance.is_file():
        try:
            earlier = json.loads(provenance.read_text(encoding="utf-8")).get("sweep")
        except (ValueError, AttributeError):
            earlier = None
        if earlier != name:
            raise OutputError(f"holds sweep {earlier!r}, not {name!r}", path=folder)


def _runner_options(executor: str, workers: int, scheduler: str | None) -> dict:
    """Keyword arguments for :func:`grfkit.experiment.runner.run_experiment`; executor and scheduler only if set."""
    from grfkit.experiment.runner import run_experiment

    options: dict = {"workers": int(workers)}
    extra = {"executor": executor} if executor != "local" else {}
    if scheduler is not None:
        extra["scheduler"] = scheduler
    accepted = inspect.signature(run_experiment).parameters
    missing = [k for k in extra if k not in accepted]
    if missing:
        raise ConfigError(f"this grfkit's run_experiment does not take {missing}; run with executor 'local'")
    return {**options, **extra}


def _point_rows(point: _Point, results) -> pd.DataFrame:
    """The point's rows of ``sweep.csv`` from its experiment results."""
    keys = ["strategy", "target", "subject"]
    table = results.table[[*keys, "rrmse_pct"]].astype({k: str for k in keys})
    timings = results.timings.loc[results.timings["kind"] == "fold", [*keys, "n_train_stances", "wall_time_s"]]
    rows = table.merge(timings.astype({k: str for k in keys}), on=keys, how="left", validate="one_to_one")
    rows.insert(0, "preset", point.preset.name)
    rows.insert(0, "value", point.value)
    rows.insert(0, "point", point.label)
    return rows[list(_TABLE_COLUMNS)]


def run_sweep(
    name: str,
    *,
    scale: str,
    seed: int,
    out_dir: str | Path,
    preset: str | ModelPreset | None = None,
    strategies: Sequence[str] | None = None,
    targets: Sequence[str] = TARGETS,
    values: Sequence[float | int | str] | None = None,
    executor: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    stances: StanceDataset | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
    command: str | None = None,
) -> Sweep:
    """Run (or resume) one ablation sweep and write its folder ``out_dir/NAME``.

    Parameters
    ----------
    name
        A key of :data:`SWEEPS`.
    scale, seed
        Data scale and seed (as for :class:`grfkit.experiment.config.ExperimentConfig`).
    out_dir
        Folder that holds the sweep folder ``NAME`` (``points/``, ``sweep.csv``, ``provenance.json``).
    preset
        Model preset (name or object); default the scale's (:func:`grfkit.scales.preset_for_scale`).
    strategies
        Strategies to run; default the sweep's (:data:`SWEEPS`).
    targets
        Force components.
    values
        The sweep's values; default all of the sweep's (see :data:`SWEEPS`).
    executor, workers, scheduler
        Where each experiment's folds run (see :mod:`grfkit.executors`); results do not depend on them.
        ``"dask"`` without a scheduler starts one local cluster
        (:func:`grfkit.executors.local_cluster`) that every point shares.
    stances
        The stance data; default simulated at ``scale`` and ``seed`` (cached).
    cache_dir
        Fold cache of the experiments (see :func:`grfkit.experiment.runner.run_experiment`).
    progress
        Show the experiments' progress bars.
    command
        The command line, for ``provenance.json``.

    Returns
    -------
    Sweep
        What was written.

    Raises
    ------
    ConfigError
        For an unknown sweep, scale, preset, strategy or target, a value out of range, or data
        with too few participants for the values.
    OutputError
        If the sweep folder holds anything but an earlier run of the same sweep.
    """
    from grfkit.experiment.runner import run_experiment
    from grfkit.scales import preset_for_scale

    if name not in SWEEPS:
        raise ConfigError(f"unknown sweep {name!r}; choose one of {list(SWEEPS)}")
    spec = SWEEPS[name]
    strategies = spec.strategies if strategies is None else tuple(strategies)
    outside = [s for s in strategies if s not in spec.allowed]
    if outside:
        raise ConfigError(f"sweep {name!r} does not run strategies {outside}; choose from {list(spec.allowed)}")
    # Validates scale, seed, preset, strategies and targets before anything is loaded.
    base = ExperimentConfig(scale=scale, seed=seed, preset=preset or preset_for_scale(scale),
                            strategies=strategies, targets=tuple(targets))
    values = _check_values(name, list(spec.values if values is None else values))
    options = _runner_options(executor, workers, scheduler)
    folder = Path(out_dir) / name
    _check_folder(folder, name)
    source = "given to run_sweep"
    if stances is None:
        from grfkit.storage.cohort_cache import load_or_build_stances

        stances, source = load_or_build_stances(scale, seed, progress=progress), "simulated at the scale and seed"
    points, skipped = _points(name, values, strategies, base.model_preset, stances, int(seed))

    rows, summaries = [], []
    with contextlib.ExitStack() as stack:
        if executor == "dask" and scheduler is None:  # one local cluster for every point, started once
            options["scheduler"] = stack.enter_context(local_cluster(workers)).scheduler_address
        for point in points:
            config = dataclasses.replace(base, preset=point.preset, strategies=point.strategies,
                                         participants=point.held_out)
            results = run_experiment(config, folder / "points" / point.folder, progress=progress,
                                     stances=point.stances, cache_dir=cache_dir, command=command,
                                     data_source=f"sweep {name} point {point.folder} ({source})", **options)
            rows.append(_point_rows(point, results))
            p = results.provenance
            summaries.append({"point": point.label, "folder": f"points/{point.folder}", "value": point.value,
                              "preset": point.preset.name, **point.detail,
                              **{k: p.get(k) for k in ("compute_time_s", "wall_time_s", "n_fits_computed",
                                                       "n_fits_cached", "executor")}})
    table = pd.concat(rows, ignore_index=True)
    provenance = {
        "sweep": name, "values": values, "skipped_values": skipped, "scale": scale, "seed": int(seed),
        "preset": base.model_preset.to_dict(), "strategies": list(strategies), "targets": list(base.targets),
        "command": command, "grfkit_version": __version__, "git": git_state(),
        "executor": {"kind": executor, "workers": int(workers), "scheduler": scheduler}, "data_source": source,
        "points": summaries,
        "compute_time_s": float(sum(s["compute_time_s"] or 0.0 for s in summaries)),
        "wall_time_s": float(sum(s["wall_time_s"] or 0.0 for s in summaries)),
        "n_fits_computed": int(sum(s["n_fits_computed"] or 0 for s in summaries)),
        "date_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    write_text_atomic(folder / "sweep.csv", table.to_csv(index=False))
    write_text_atomic(folder / "provenance.json", json.dumps(provenance, indent=2))
    return Sweep(name=name, table=table, provenance=provenance, folder=folder)


def load_sweep(folder: str | Path) -> Sweep:
    """Read a sweep folder written by :func:`run_sweep`.

    Parameters
    ----------
    folder
        The sweep folder (``OUT/NAME``).

    Returns
    -------
    Sweep

    Raises
    ------
    MissingFileError
        If ``sweep.csv`` or ``provenance.json`` is absent.
    """
    folder = Path(folder)
    for file in ("sweep.csv", "provenance.json"):
        if not (folder / file).is_file():
            raise MissingFileError("sweep file is missing", path=folder / file)
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    text = {c: str for c in ("point", "preset", "strategy", "target", "subject")}
    return Sweep(name=provenance["sweep"], table=pd.read_csv(folder / "sweep.csv", dtype=text),
                 provenance=provenance, folder=folder)


def sweep_table(sweep: Sweep, *, wide: bool = False) -> pd.DataFrame:
    """Per-participant rRMSE of a sweep, long (one row per value) or wide (one column per strategy).

    Parameters
    ----------
    sweep
        From :func:`run_sweep` or :func:`load_sweep`.
    wide
        One row per point, value, target and participant, one ``rrmse_pct`` column per strategy
        (missing where a strategy did not run at a point).

    Returns
    -------
    pandas.DataFrame
        Long: ``point``, ``value``, ``strategy``, ``target``, ``subject``, ``rrmse_pct``, sorted by value.
    """
    long = sweep.table[["point", "value", "strategy", "target", "subject", "rrmse_pct"]]
    long = long.sort_values(["value", "point", "target", "strategy", "subject"], kind="stable").reset_index(drop=True)
    if not wide:
        return long
    table = long.pivot_table(index=["point", "value", "target", "subject"], columns="strategy", values="rrmse_pct",
                             sort=False)
    table.columns.name = None
    return table.reset_index()


def sweep_statistics(sweep: Sweep, *, between: str = "strategies", reference: str | None = None,
                     pairs: Sequence[tuple[str, str]] | None = None, n_bootstrap: int = 10_000,
                     seed: int = 0) -> pd.DataFrame:
    """Paired comparisons at each point of a sweep (:func:`grfkit.experiment.comparisons.paired_comparison`).

    Parameters
    ----------
    sweep
        From :func:`run_sweep` or :func:`load_sweep`.
    between
        ``"strategies"``: every pair of strategies at each point (for ``"treadmill-fraction"`` the
        fraction-0 strategies are compared with those of every fraction).  ``"points"``: each
        strategy at every point against the same strategy at ``reference`` (e.g. fine-tuning variants).
    reference
        Point label for ``between="points"``; default the first point of the table.
    pairs
        For ``between="strategies"``: the pairs ``(a, b)`` to compare, in that order (e.g.
        ``("combined", "overground")``: negative differences favour combined); default every
        pair, in the order of :data:`grfkit.experiment.strategies.ALL_STRATEGIES`.  Pairs
        without both strategies at a point are left out there.
    n_bootstrap, seed
        As for :func:`grfkit.experiment.comparisons.paired_comparison`.

    Returns
    -------
    pandas.DataFrame
        One row per point, target and pair ``a``, ``b`` (differences ``a - b``, percentage points),
        with ``paired_comparison``'s numbers (not ``differences_pp``) and ``p_holm``: ``p_value``
        adjusted by :func:`grfkit.experiment.comparisons.holm_adjusted` over the family of every
        row returned (all points, targets and pairs of this call).

    Raises
    ------
    ConfigError
        For an unknown ``between`` or ``reference``.
    """
    from grfkit.experiment.comparisons import holm_adjusted, paired_comparison

    table = sweep.table
    labels = list(dict.fromkeys(table["point"]))
    values = table.groupby("point", sort=False)["value"].first()

    def compare(part: pd.DataFrame, a: str, b: str, target: str, label: str, extra: dict) -> dict:
        result = paired_comparison(part, a, b, target=target, n_bootstrap=n_bootstrap, seed=seed)
        result.pop("differences_pp")
        return {"point": label, "value": float(values[label]), **extra, **result}

    rows = []
    if between == "strategies":
        fraction_0 = table.loc[table["point"] == "f0"] if sweep.name == "treadmill-fraction" else table.iloc[:0]
        for label in labels:
            at = table.loc[table["point"] == label]
            at = at if label == "f0" else pd.concat([at, fraction_0])
            for target in dict.fromkeys(at["target"]):
                part = at.loc[at["target"] == target]
                present = [s for s in ALL_STRATEGIES if s in set(part["strategy"])]
                wanted = itertools.combinations(present, 2) if pairs is None else pairs
                rows += [compare(part, a, b, target, label, {}) for a, b in wanted
                         if a in present and b in present]
    elif between == "points":
        reference = labels[0] if reference is None else reference
        if reference not in labels:
            raise ConfigError(f"reference point {reference!r} is not a point of the sweep ({labels})")
        for label in (p for p in labels if p != reference):
            both = table.loc[table["point"].isin([label, reference])]
            for (target, strategy), part in both.groupby(["target", "strategy"], sort=False):
                if set(part["point"]) == {label, reference}:
                    part = part.assign(strategy=part["point"])
                    rows.append(compare(part, label, reference, target, label, {"strategy": strategy}))
    else:
        raise ConfigError(f"between must be 'strategies' or 'points', got {between!r}")
    out = pd.DataFrame(rows)
    return out.assign(p_holm=holm_adjusted(out["p_value"])) if rows else out
