"""Command-line interface: ``grfkit simulate | preprocess | experiment | train | export | predict | data | cache``.

Each command is one arrow of the data flow (raw recordings → stance data set
→ results) and calls exactly one library function, so the shell and the
notebooks do the same thing.  Output folders are protected by
:mod:`grfkit.storage.output_folders`: nothing a user did not ask to replace is ever
deleted.

Building the parser imports neither PyTorch nor pandas (``grfkit --help`` is
instant); each command imports what it needs.  Exit status: 0 on success,
2 for a typed grfkit error (``grfkit CMD: ErrorType: message``) or bad
arguments, 130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import textwrap
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grfkit import __version__
from grfkit.errors import (
    ConfigError,
    GrfkitError,
    MissingFileError,
    OutputError,
    RawDataError,
)
from grfkit.scales import SCALES
from grfkit.storage.output_folders import check_output

if TYPE_CHECKING:
    from grfkit.simulate.domain_gap import DomainGap

__all__ = ["main", "build_parser"]

# The choices below are those of grfkit.experiment.runner, grfkit.model.presets, grfkit.simulate.DomainGap and
# grfkit.field.chain, which import PyTorch or pandas; tests/test_cli.py (tests/test_cli_field.py for the
# speed sources) checks that they agree.
_STRATEGIES = ("overground", "treadmill", "transfer", "combined", "baseline_mean", "baseline_static")
_TARGETS = ("vgrf", "apgrf")
_PRESETS = ("ci", "fast", "paper")
_SPEED_SOURCES = ("auto", "stated", "imu")
_SWEEPS = ("treadmill-fraction", "overground-participants", "fine-tuning", "model-size")
_GAP_SWITCHES = ("belt_dynamics", "overground_accelerations", "treadmill_incline", "session_sensors", "speed_ranges")
#: Wall time of ``grfkit experiment --scale S --workers 2`` on a 2-core CPU with a cold cache (simulation,
#: preprocessing and training; see README.md and results/paper/provenance.json).
_EXPERIMENT_TIME = {"ci": "about 1-2 min", "book": "about 10 min", "paper": "about 21 min"}

_EPILOG = """\
workflow (README.md, "Command line"):
  grfkit simulate --scale ci --seed 0 --out raw        a simulated raw cohort (or bring your own
                                                       recordings in the grfkit raw data format)
  grfkit preprocess raw --out stances                  raw recordings -> stance data set
  grfkit experiment --stances stances --out results    strategies and baselines, leave-one-subject-out
  grfkit experiment --scale book --workers 2 --out results/book
                                                       simulate, preprocess (cached) and run in one go
  grfkit train stances --target vgrf --strategy combined --out model
                                                       one model on every participant, saved with provenance
  grfkit export model --format onnx                    model.onnx: raw channel values in, force in BW out
  grfkit predict model field_raw --out predictions     forces of a wearable-only recording, one row per stance
real data and caches:
  grfkit data list | grfkit data fetch [NAME ...]      public data sets, downloaded and verified
  grfkit cache ls | grfkit cache clear [--stale]       grfkit's computation caches (never the downloads)

Output folders: --out must be new, empty, or an earlier output of the same command; --overwrite
replaces another folder but moves its contents aside instead of deleting them.  An input folder,
the home folder and the current folder are never accepted as --out.
"""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout and appends each option's default where it has one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help_text = action.help or ""
        default = action.default
        if ("%(default)" in help_text or default is None or default is False or default is argparse.SUPPRESS
                or default == [] or action.required or not action.option_strings):
            return help_text
        shown = " ".join(map(str, default)) if isinstance(default, (list, tuple)) else "%(default)s"
        return f"{help_text} (default: {shown})"


def _scale_help() -> str:
    sizes = []
    for name, time_text in _EXPERIMENT_TIME.items():
        s = SCALES[name]
        sizes.append(
            f"{name}: {s.overground_participants} overground runners x {len(s.overground_bouts)} bouts of "
            f"{s.overground_duration_s:g} s and {s.treadmill_participants} treadmill runners x "
            f"{len(s.treadmill_conditions)} conditions of {s.treadmill_duration_s:g} s; experiment {time_text}"
        )
    return ("cohort size. " + "; ".join(sizes)
            + " (--workers 2 on a 2-core CPU, cold cache; simulation alone takes seconds to minutes)")


def _quiet(parser: argparse.ArgumentParser) -> None:
    """``-q`` after the sub-command too; SUPPRESS keeps the value given before it."""
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars")


def _overwrite(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--overwrite", action="store_true",
                        help=f"replace an existing --out that is not a grfkit {what} (its contents are moved aside "
                             "to OUT.replaced-<time>, never deleted; input folders and the home folder are "
                             "always refused)")


def _gap_off(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gap-off", nargs="+", default=[], metavar="DIFFERENCE", choices=[*_GAP_SWITCHES, "all"],
                        help="switch treadmill/overground differences off (fields of grfkit.simulate.DomainGap: "
                             f"{', '.join(_GAP_SWITCHES)}; or all)")


def _domain_gap(gap_off: Sequence[str]) -> DomainGap:
    """The :class:`~grfkit.simulate.DomainGap` with the named differences (or ``all``) switched off."""
    from grfkit.simulate.domain_gap import DomainGap

    off = set(_GAP_SWITCHES) if "all" in gap_off else set(gap_off)
    return DomainGap(**{name: False for name in off})


def _device(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--device`` (see grfkit.model.devices)."""
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu",
                        help=f"torch device that {what}; auto: cuda if torch sees a GPU, else cpu (bit-identical "
                             "results only on the CPU)")


def _require_raw_folder(raw_dir: Path) -> None:
    """Raise a typed error unless ``raw_dir`` is a folder in the grfkit raw data format."""
    from grfkit.io.read import read_manifest

    if not raw_dir.exists():
        raise MissingFileError(f"not a grfkit raw data folder: {raw_dir} (it does not exist)")
    if not raw_dir.is_dir() or not (raw_dir / "dataset.json").is_file():
        raise RawDataError(
            f"not a grfkit raw data folder: {raw_dir} (no dataset.json; see the book's raw data format page, "
            "or make one with `grfkit simulate`)"
        )
    read_manifest(raw_dir)


# --- commands --------------------------------------------------------------------


def _cmd_simulate(args: argparse.Namespace) -> int:
    from grfkit.simulate.cohort import simulate_cohort

    gap = _domain_gap(args.gap_off)
    check_output(args.out, "raw", overwrite=args.overwrite)
    started = time.perf_counter()
    out = simulate_cohort(args.scale, seed=args.seed, out_dir=args.out, progress=not args.quiet, gap=gap,
                          overwrite=args.overwrite)
    print(f"simulated cohort (scale {args.scale}, seed {args.seed}, domain gap: {gap.label}) in {out} "
          f"[{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_preprocess(args: argparse.Namespace) -> int:
    _require_raw_folder(args.raw_dir)
    check_output(args.out, "stances", inputs=[args.raw_dir], overwrite=args.overwrite)
    from grfkit.preprocess.chain import preprocess_raw

    started = time.perf_counter()
    result = preprocess_raw(args.raw_dir, strict=args.strict, progress=not args.quiet)
    if not len(result.stances):
        print(result.summary(), file=sys.stderr)
        raise RawDataError(
            f"no stances from the {len(result.bouts)} bouts; nothing was written to {args.out} "
            "(why each bout or plate contact was skipped is listed above)",
            path=args.raw_dir,
        )
    result.stances.save(args.out, overwrite=args.overwrite)
    print(result.summary())
    print(f"stance data set: {args.out} [{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_experiment(args: argparse.Namespace) -> int:
    from grfkit.storage.cohort_cache import cache_dir

    if args.stances is not None and args.gap_off:
        raise ConfigError("--gap-off applies to the simulated cohort, not to --stances")
    if args.scheduler is not None and args.executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    cache = args.cache_dir if args.cache_dir is not None else cache_dir(create=False) / "experiments"
    inputs = [cache] + ([args.stances] if args.stances is not None else [])
    check_output(args.out, "results", inputs=inputs, overwrite=args.overwrite)
    gap = _domain_gap(args.gap_off)

    from grfkit.experiment.config import ExperimentConfig
    from grfkit.experiment.runner import run_experiment
    from grfkit.io.stances import StanceDataset
    from grfkit.storage.cohort_cache import load_or_build_stances

    config = ExperimentConfig(
        scale=args.scale,
        seed=args.seed,
        preset=args.preset,
        strategies=tuple(args.strategies),
        targets=tuple(args.targets),
        participants=tuple(args.participants) if args.participants else None,
        num_threads=args.threads,
    )
    started = time.perf_counter()
    if args.stances is not None:
        stances, source = StanceDataset.load(args.stances), f"stance data set {args.stances}"
    elif args.gap_off:
        stances = load_or_build_stances(args.scale, args.seed, progress=not args.quiet, gap=gap)
        source = f"simulated at scale {args.scale}, seed {args.seed}, domain gap {gap.label}"
    else:
        stances, source = None, None
    results = run_experiment(
        config, out_dir=args.out, progress=not args.quiet, stances=stances, cache_dir=args.cache_dir,
        workers=args.workers, data_source=source, command=shlex.join(["grfkit", *args.argv]),
        overwrite=args.overwrite, keep_models=args.keep_models, executor=args.executor, scheduler=args.scheduler,
        device=args.device,
    )
    print(results.summary())
    print(f"results: {Path(args.out) / 'results.csv'} [{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    kind = "ensemble" if args.members > 1 else "model"
    check_output(args.out, kind, inputs=[args.stances], overwrite=args.overwrite)
    from grfkit.experiment.ensemble_training import train_ensemble
    from grfkit.experiment.final_model import train_model
    from grfkit.model.devices import resolve_device
    from grfkit.model.training import torch_threads
    from grfkit.storage.output_folders import write_output

    device = resolve_device(args.device).type
    started = time.perf_counter()
    with torch_threads(args.threads):
        if args.members > 1:
            model = train_ensemble(args.stances, target=args.target, strategy=args.strategy, members=args.members,
                                   calibration_groups=args.calibration_groups, preset=args.preset, seed=args.seed,
                                   progress=not args.quiet, device=device)
        else:
            model = train_model(args.stances, target=args.target, strategy=args.strategy, preset=args.preset,
                                seed=args.seed, progress=not args.quiet, device=device)
    with write_output(args.out, kind, overwrite=args.overwrite) as staged:
        model.write_files(staged)
    if args.members > 1:
        n_stances, n_participants = model.provenance["n_stances"], len(model.provenance["participants"])
        what = (f"ensemble of {args.calibration_groups} x {args.members} models (seeds {args.seed}-"
                f"{args.seed + args.members - 1}, each group's without one group of participants; 90 % band scale "
                f"{model.band_scale(0.9):.2f})")
    else:
        n_stances, n_participants = model.provenance.n_stances, len(model.provenance.participants)
        what = f"model (seed {args.seed})"
    print(f"{what} ({args.strategy}, {args.target}, preset {args.preset}) trained on "
          f"{n_stances} stances of {n_participants} participants: {args.out} "
          f"[{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from grfkit.model.export import FORMATS, export_model

    model_dir = Path(args.model_dir)
    out = Path(args.out) if args.out is not None else model_dir.with_name(model_dir.name + FORMATS[args.format])
    if model_dir.resolve() in out.resolve().parents:
        raise OutputError("lies inside the model folder; name a file outside it", path=out)
    if out.is_dir() or (out.exists() and not args.overwrite):
        raise OutputError("exists; name a new file, or pass --overwrite to replace it", path=out)
    started = time.perf_counter()
    export_model(model_dir, args.format, out)
    print(f"exported {model_dir} as {args.format}: {out} [{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    _require_raw_folder(args.raw_dir)
    check_output(args.out, "predictions", inputs=[args.raw_dir, args.model_dir], overwrite=args.overwrite)
    import json

    from grfkit.field.chain import FieldConfig
    from grfkit.field.predict import estimator_manifest, load_estimator, predict_stances
    from grfkit.model.devices import resolve_device
    from grfkit.model.trained_model import TrainedModel
    from grfkit.preprocess.skip_reasons import primary_reasons
    from grfkit.storage.cache import sha256_file
    from grfkit.storage.output_folders import write_output

    started = time.perf_counter()
    model_dir = Path(args.model_dir)
    model = load_estimator(model_dir)
    result = predict_stances(model, args.raw_dir, config=FieldConfig(speed_source=args.speed_source),
                             nominal=args.nominal, strict=args.strict, progress=not args.quiet,
                             workers=args.workers, device=resolve_device(args.device).type)
    skipped = result.skipped
    reasons = primary_reasons(skipped)["first reason"].value_counts().to_dict() if len(skipped) else {}
    if not len(result.stances):
        for reason, count in reasons.items():
            print(f"  skipped {count}: {reason}", file=sys.stderr)
        raise RawDataError(f"no stance could be estimated; nothing was written to {args.out} (the reasons "
                           "the contacts and bouts were skipped are listed above)", path=args.raw_dir)
    manifest = estimator_manifest(model_dir)
    model_json = json.loads(manifest.read_text(encoding="utf-8"))
    single = isinstance(model, TrainedModel)
    first = model if single else model.members[0]
    table_name = f"stances.{args.format}"
    bouts = result.stances[["dataset", "participant", "bout"]].drop_duplicates()
    document = {
        "format": "grfkit-predictions",
        "version": 1,
        "grfkit_version": __version__,
        "command": shlex.join(["grfkit", *args.argv]),
        "raw_dir": str(Path(args.raw_dir).resolve()),
        "speed_source": args.speed_source,
        "model": {
            "path": str(model_dir.resolve()),
            "kind": type(model).__name__,
            "manifest": manifest.name,
            "manifest_sha256": sha256_file(manifest),
            "content_sha256": model_json.get("content_sha256"),
            "weights_sha256": model_json.get("weights_sha256"),
            "members": 1 if single else len(model.members),
            "band_nominal": None if single else args.nominal,
            "target": model.target,
            "preset": first.preset.name,
            "features": first.features.name,
            "grfkit_version": model_json.get("grfkit_version"),
            "provenance": model_json.get("provenance"),
        },
        "files": {"stances": table_name, "skipped": "skipped.csv"},
        "counts": {"stances": len(result.stances), "bouts_with_stances": len(bouts), "skipped": len(skipped),
                   "skipped_by_reason": {str(k): int(v) for k, v in reasons.items()}},
    }
    with write_output(args.out, "predictions", overwrite=args.overwrite) as staged:
        if args.format == "parquet":
            result.stances.to_parquet(staged / table_name, index=False)
        else:
            result.stances.to_csv(staged / table_name, index=False)
        skipped.to_csv(staged / "skipped.csv", index=False)
        (staged / "prediction.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(f"predicted {model.target} of {len(result.stances)} stances in {len(bouts)} bouts, {len(skipped)} contacts "
          f"or bouts skipped (skipped.csv): {Path(args.out) / table_name} [{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    if args.scheduler is not None and args.executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    from grfkit.experiment.sweeps import run_sweep

    started = time.perf_counter()
    sweep = run_sweep(args.name, scale=args.scale, seed=args.seed, out_dir=args.out, preset=args.preset,
                      strategies=args.strategies, targets=args.targets, values=args.values, executor=args.executor,
                      workers=args.workers, scheduler=args.scheduler, cache_dir=args.cache_dir,
                      progress=not args.quiet, command=shlex.join(["grfkit", *args.argv]))
    means = sweep.table.groupby(["target", "strategy", "value", "point"], sort=False)["rrmse_pct"].mean()
    print(f"sweep {sweep.name}: mean rRMSE (%) across held-out participants\n{means.round(2).to_string()}")
    print(f"sweep table: {sweep.folder / 'sweep.csv'} [{time.perf_counter() - started:.1f} s]")
    return 0


def _cmd_data_list(args: argparse.Namespace) -> int:
    from grfkit.real.data_folder import dataset_table

    for row in dataset_table(args.data_dir).itertuples(index=False):
        print(f"{row.name} [{row.status}]: {row.title}")
        print(f"  {row.n_files} files, {row.size_mb:.1f} MB, in {row.local_path}")
        for label, text in (("licence", row.licence), ("cite", row.citation)):
            print(textwrap.fill(text, width=100, initial_indent=f"  {label}: ", subsequent_indent="    ",
                                break_on_hyphens=False))
    return 0


def _cmd_data_fetch(args: argparse.Namespace) -> int:
    from grfkit.real.data_folder import fetch_datasets

    folders = fetch_datasets(args.names or None, data_dir=args.data_dir, progress=not args.quiet)
    for folder in folders:
        print(f"verified: {folder}")
    return 0


def _cmd_cache_ls(args: argparse.Namespace) -> int:
    from grfkit.storage.cache import cache_table

    table = cache_table(args.cache_dir)
    print(table.to_string(index=False) if len(table) else "no cache entries")
    return 0


def _cmd_cache_clear(args: argparse.Namespace) -> int:
    from grfkit.storage.cache import cache_table, clear_cache

    table = cache_table(args.cache_dir)
    doomed = table.loc[~table["current"].astype(bool)] if args.stale else table
    what = f"{len(doomed)} {'stale ' if args.stale else ''}cache entries ({doomed['size_mb'].sum():.1f} MB)"
    if not len(doomed):
        print("nothing to delete")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise ConfigError(f"would delete {what}; not run from a terminal, so pass --yes to confirm")
        if input(f"delete {what}? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 0
    freed = clear_cache(args.cache_dir, stale_only=args.stale)
    print(f"deleted {what}: {freed / 1e6:.1f} MB freed")
    return 0


# --- parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``grfkit`` command.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the sub-commands ``simulate``, ``preprocess``,
        ``experiment``, ``train``, ``export``, ``predict``, ``tune``, ``data list|fetch`` and ``cache ls|clear``.
    """
    fmt = {"formatter_class": _HelpFormatter}
    parser = argparse.ArgumentParser(
        prog="grfkit", epilog=_EPILOG, **fmt,
        description="Running ground reaction forces from wearables: simulate a cohort, preprocess raw recordings "
                    "into stances, run the training strategies, fetch public real data.")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--version", action="version", version=f"grfkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sim = sub.add_parser("simulate", help="generate a simulated raw cohort (both data sets, with ground truth)",
                         description="Generate a simulated raw cohort (both data sets, with ground truth).", **fmt)
    sim.add_argument("--scale", choices=tuple(_EXPERIMENT_TIME), default="ci", help=_scale_help())
    sim.add_argument("--seed", type=int, default=0, help="cohort seed (same seed and scale: same files)")
    sim.add_argument("--out", type=Path, required=True, help="raw data folder to write")
    _overwrite(sim, "raw data folder")
    _gap_off(sim)
    _quiet(sim)
    sim.set_defaults(func=_cmd_simulate)

    pre = sub.add_parser("preprocess", help="raw recordings -> time-normalised stance data set",
                         description="Raw recordings -> time-normalised stance data set.", **fmt)
    pre.add_argument("raw_dir", type=Path, metavar="RAW_DIR", help="folder in the grfkit raw data format")
    pre.add_argument("--out", type=Path, required=True,
                     help="stance data set folder to write (not inside RAW_DIR)")
    pre.add_argument("--strict", action="store_true", help="stop at the first bad bout instead of skipping it")
    _overwrite(pre, "stance data set")
    _quiet(pre)
    pre.set_defaults(func=_cmd_preprocess)

    exp = sub.add_parser("experiment",
                         help="the four training strategies and two no-wearable baselines, leave-one-subject-out",
                         description="The four training strategies and two no-wearable baselines, "
                                     "leave-one-subject-out.", **fmt)
    exp.add_argument("--scale", choices=tuple(_EXPERIMENT_TIME), default="ci",
                     help=_scale_help() + "; ignored with --stances")
    exp.add_argument("--seed", type=int, default=0, help="cohort and training seed")
    exp.add_argument("--out", type=Path, required=True,
                     help="results folder to write (rerunning resumes from the fold cache)")
    _overwrite(exp, "results folder")
    # No argparse choices: grfkit.model.presets.PRESETS (checked by ExperimentConfig) may hold more than the built-in ones.
    exp.add_argument("--preset", default="fast", metavar="{" + ",".join(_PRESETS) + "}",
                     help="model and training settings (grfkit.model.presets.PRESETS)")
    exp.add_argument("--strategies", nargs="+", choices=_STRATEGIES, default=list(_STRATEGIES),
                     help="strategies and baselines to run")
    exp.add_argument("--targets", nargs="+", choices=_TARGETS, default=list(_TARGETS),
                     help="forces to estimate (vertical, anteroposterior)")
    exp.add_argument("--stances", type=Path, default=None,
                     help="a stance data set folder (from `grfkit preprocess`) instead of the simulated cohort")
    _gap_off(exp)
    exp.add_argument("--participants", nargs="+", metavar="ID",
                     help="held-out overground participants to evaluate (default: all, leave-one-subject-out)")
    exp.add_argument("--workers", type=int, default=1,
                     help="folds trained in parallel: local processes, or the dask LocalCluster's workers (results "
                          "do not depend on it)")
    exp.add_argument("--executor", choices=("local", "dask"), default="local",
                     help="where folds run: local (this process or --workers processes) or dask (a LocalCluster on "
                          "127.0.0.1, or --scheduler); needs pip install 'grfkit[dask]'")
    exp.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                     help="with --executor dask: the address of a running Dask scheduler (TLS: tls://HOST:PORT and "
                          "Dask's distributed.comm.tls settings)")
    _device(exp, "trains the folds (part of the cache key)")
    exp.add_argument("--threads", type=int, default=1, help="torch threads per training run (part of the cache key)")
    exp.add_argument("--keep-models", action="store_true",
                     help="also write every fold's model to OUT/models/STRATEGY/TARGET/SUBJECT/ (model folders)")
    exp.add_argument("--cache-dir", type=Path, default=None,
                     help="fold and pre-training cache "
                          "(default: $GRFKIT_CACHE_DIR/experiments or ~/.cache/grfkit/experiments)")
    _quiet(exp)
    exp.set_defaults(func=_cmd_experiment)

    train = sub.add_parser("train", help="train one strategy's model on every participant and save it",
                           description="Train one strategy's model on every participant of a stance data set and "
                                       "save it as a model folder (weights, normalisation, channels and units, "
                                       "provenance).", **fmt)
    train.add_argument("stances", type=Path, metavar="STANCES", help="stance data set folder (grfkit preprocess)")
    train.add_argument("--target", choices=_TARGETS, required=True, help="force to estimate")
    train.add_argument("--strategy", choices=_STRATEGIES[:4], default="combined", help="training strategy")
    train.add_argument("--out", type=Path, required=True, help="model folder to write")
    train.add_argument("--preset", default="fast", metavar="{" + ",".join(_PRESETS) + "}",
                       help="model and training settings (grfkit.model.presets.PRESETS)")
    train.add_argument("--seed", type=int, default=0, help="training seed")
    train.add_argument("--threads", type=int, default=1, help="torch threads")
    _device(train, "trains")
    train.add_argument("--members", type=int, default=1,
                       help="models of different seeds; above 1 writes an ensemble folder of "
                            "--calibration-groups x MEMBERS models with a calibrated uncertainty band and "
                            "out-of-distribution ranges")
    train.add_argument("--calibration-groups", type=int, default=4,
                       help="with --members > 1: groups of overground participants held out in turn to calibrate "
                            "the band")
    _overwrite(train, "model folder")
    _quiet(train)
    train.set_defaults(func=_cmd_train)

    export = sub.add_parser("export", help="a model folder as one ONNX or TorchScript file (raw inputs, BW out)",
                            description="Write a model folder as one ONNX or TorchScript file whose graph z-scores "
                                        "raw channel values (batch, 101, channels) and returns the force in body "
                                        "weights. ONNX needs pip install 'grfkit[export]'.", **fmt)
    export.add_argument("model_dir", type=Path, metavar="MODEL_DIR", help="model folder (grfkit train)")
    export.add_argument("--format", choices=("onnx", "torchscript"), required=True, help="file format")
    export.add_argument("--out", type=Path, default=None,
                        help="file to write (default: MODEL_DIR.onnx or MODEL_DIR.torchscript.pt beside the folder)")
    export.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    _quiet(export)
    export.set_defaults(func=_cmd_export)

    predict = sub.add_parser("predict", help="forces of a wearable-only recording: one row per stance, with measures",
                             description="Estimate the force curve (101 points, N and BW) and its discrete measures "
                                         "of every stance of a raw folder from its insoles and shoe IMU alone (no "
                                         "force table needed); contacts that cannot be estimated are listed with "
                                         "the reason in OUT/skipped.csv.", **fmt)
    predict.add_argument("model_dir", type=Path, metavar="MODEL_DIR",
                         help="model folder (grfkit train), ensemble folder (grfkit train --members) or fold "
                              "ensemble folder (FoldEnsemble.save); an ensemble adds a band to every curve")
    predict.add_argument("raw_dir", type=Path, metavar="RAW_DIR", help="folder in the grfkit raw data format")
    predict.add_argument("--out", type=Path, required=True,
                         help="predictions folder to write: stances.parquet|csv, skipped.csv, prediction.json")
    predict.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="stance table format")
    predict.add_argument("--speed-source", choices=_SPEED_SOURCES, default="auto",
                         help="auto: the treadmill belt's speed, else the shoe IMU's; stated: the speed the "
                              "recording states (belt, bouts.csv), else the IMU's; imu: always the IMU's")
    predict.add_argument("--nominal", type=float, default=0.9,
                         help="nominal coverage of an ensemble's band (ignored for a single model)")
    predict.add_argument("--strict", action="store_true", help="stop at the first bad bout instead of skipping it")
    predict.add_argument("--workers", type=int, default=None,
                         help="processes reading bouts in parallel (results do not depend on it; default: the "
                              "number of CPUs, at most 4)")
    _device(predict, "estimates a single model's curves (ensembles: cpu only)")
    _overwrite(predict, "predictions folder")
    _quiet(predict)
    predict.set_defaults(func=_cmd_predict)

    from grfkit.cli_tune import add_tune_command  # in a module of its own: this one is long enough

    add_tune_command(sub, _HelpFormatter)

    sweep = sub.add_parser("sweep", help="an ablation sweep: one experiment per value (grfkit.experiment.sweeps)",
                           description="An ablation sweep: one cached experiment per value, written to "
                                       "OUT/NAME/points/LABEL/, with OUT/NAME/sweep.csv and provenance.json "
                                       "(grfkit.experiment.sweeps.SWEEPS).", **fmt)
    sweep.add_argument("name", choices=_SWEEPS, metavar="NAME", help="one of " + ", ".join(_SWEEPS))
    sweep.add_argument("--scale", choices=tuple(_EXPERIMENT_TIME), default="ci", help=_scale_help())
    sweep.add_argument("--seed", type=int, default=0, help="cohort, subset and training seed")
    sweep.add_argument("--out", type=Path, required=True, help="folder that holds the sweep folder NAME "
                       "(rerunning resumes from the fold cache)")
    sweep.add_argument("--values", nargs="+", default=None, metavar="V",
                       help="the sweep's values (fractions such as 1/16, counts or 'all', variant names, hidden "
                            "sizes; default: all of the sweep's)")
    sweep.add_argument("--preset", default=None, metavar="{" + ",".join(_PRESETS) + "}",
                       help="model preset the variants start from (default: the scale's)")
    sweep.add_argument("--strategies", nargs="+", choices=_STRATEGIES, default=None,
                       help="strategies to run (default: the sweep's)")
    sweep.add_argument("--targets", nargs="+", choices=_TARGETS, default=list(_TARGETS), help="forces to estimate")
    sweep.add_argument("--executor", choices=("local", "dask"), default="local", help="where each point's folds run")
    sweep.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    sweep.add_argument("--scheduler", default=None, metavar="ADDR", help="a Dask scheduler's address (--executor dask)")
    sweep.add_argument("--cache-dir", type=Path, default=None,
                       help="fold cache (default: $GRFKIT_CACHE_DIR/experiments or ~/.cache/grfkit/experiments)")
    _quiet(sweep)
    sweep.set_defaults(func=_cmd_sweep)

    data = sub.add_parser("data", help="public real data sets: list them, download and verify them",
                          description="Public real data sets: list them, download and verify them.", **fmt)
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    data_dir_help = "data folder (default: $GRFKIT_DATA_DIR, else grfkit's per-user data folder)"
    listing = data_sub.add_parser("list", help="name, files, size, licence, citation and local state of each",
                                  description="Name, files, size, licence, citation and local state of each "
                                              "data set.", **fmt)
    listing.add_argument("--data-dir", type=Path, default=None, help=data_dir_help)
    _quiet(listing)
    listing.set_defaults(func=_cmd_data_list)
    fetch = data_sub.add_parser("fetch", help="download the missing files, verifying every SHA-256 (resumes)",
                                description="Download the missing files of the named data sets (all by default), "
                                            "verifying every file's SHA-256; an interrupted download resumes.",
                                **fmt)
    fetch.add_argument("names", nargs="*", metavar="NAME", help="data sets to fetch (default: all)")
    fetch.add_argument("--data-dir", type=Path, default=None, help=data_dir_help)
    _quiet(fetch)
    fetch.set_defaults(func=_cmd_data_fetch)

    cache = sub.add_parser("cache", help="grfkit's computation caches (never the downloaded data)",
                           description="grfkit's computation caches (never the downloaded data).", **fmt)
    cache_sub = cache.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    cache_dir_help = "cache folder (default: $GRFKIT_CACHE_DIR, else ~/.cache/grfkit)"
    ls = cache_sub.add_parser("ls", help="every cache entry: kind, size, age, and whether this code made it",
                              description="Every cache entry: kind, key, size, modification time, and whether "
                                          "the current code computed it.", **fmt)
    ls.add_argument("--cache-dir", type=Path, default=None, help=cache_dir_help)
    _quiet(ls)
    ls.set_defaults(func=_cmd_cache_ls)
    clear = cache_sub.add_parser("clear", help="delete cache entries (only what grfkit wrote)",
                                 description="Delete cache entries; only entries grfkit wrote, never other files "
                                             "or the downloaded data.", **fmt)
    clear.add_argument("--stale", action="store_true", help="only entries made by other versions of the code")
    clear.add_argument("--cache-dir", type=Path, default=None, help=cache_dir_help)
    clear.add_argument("--yes", action="store_true", help="do not ask (required when not run from a terminal)")
    _quiet(clear)
    clear.set_defaults(func=_cmd_cache_clear)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``grfkit`` command.

    Parameters
    ----------
    argv
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 2 when grfkit reports bad input or
        configuration, 130 when interrupted with Ctrl-C.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    command = " ".join(c for c in (args.command, getattr(args, "data_command", None),
                                   getattr(args, "cache_command", None)) if c)
    try:
        with warnings.catch_warnings():
            # Warnings (an old folder moved aside, a damaged cache entry recomputed) as one plain line each.
            warnings.showwarning = lambda message, *_, **__: print(f"grfkit {command}: warning: {message}",
                                                                   file=sys.stderr)
            return args.func(args)
    except GrfkitError as err:
        print(f"grfkit {command}: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"grfkit {command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
