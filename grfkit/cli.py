"""Command-line interface: ``grfkit`` simulate, preprocess, experiment, train, export, predict, tune, sweep, data, cache.

Each command is one arrow of the data flow (raw recordings → stance data set
→ results) and calls exactly one library function, so the shell and the
notebooks do the same thing.  ``experiment``, ``tune`` and ``sweep`` live in
:mod:`grfkit.cli_experiment`, :mod:`grfkit.cli_tune` and :mod:`grfkit.cli_sweep`,
the options they share in :mod:`grfkit.cli_options`.  Output folders are
protected by :mod:`grfkit.storage.output_folders`: nothing a user did not ask
to replace is ever deleted.

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

from grfkit import __version__
from grfkit.cli_experiment import add_experiment_command
from grfkit.cli_options import (
    EXPERIMENT_TIME,
    PRESETS,
    SPEED_SOURCES,
    STRATEGIES,
    TARGETS,
    HelpFormatter,
    add_device,
    add_gap_off,
    add_overwrite,
    add_quiet,
    domain_gap,
    scale_help,
)
from grfkit.cli_sweep import add_sweep_command
from grfkit.cli_tune import add_tune_command
from grfkit.errors import (
    ConfigError,
    GrfkitError,
    MissingFileError,
    OutputError,
    RawDataError,
)
from grfkit.storage.output_folders import check_output

__all__ = ["build_parser", "main"]


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

    gap = domain_gap(args.gap_off)
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
    from grfkit.storage.cache_entries import cache_table

    table = cache_table(args.cache_dir)
    print(table.to_string(index=False) if len(table) else "no cache entries")
    return 0


def _cmd_cache_clear(args: argparse.Namespace) -> int:
    from grfkit.storage.cache_entries import cache_table, clear_cache

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
        ``experiment``, ``train``, ``export``, ``predict``, ``tune``, ``sweep``, ``data list|fetch`` and
        ``cache ls|clear``.
    """
    fmt = {"formatter_class": HelpFormatter}
    parser = argparse.ArgumentParser(
        prog="grfkit", epilog=_EPILOG, **fmt,
        description="Running ground reaction forces from wearables: simulate a cohort, preprocess raw recordings "
                    "into stances, run the training strategies, fetch public real data.")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--version", action="version", version=f"grfkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sim = sub.add_parser("simulate", help="generate a simulated raw cohort (both data sets, with ground truth)",
                         description="Generate a simulated raw cohort (both data sets, with ground truth).", **fmt)
    sim.add_argument("--scale", choices=tuple(EXPERIMENT_TIME), default="ci", help=scale_help())
    sim.add_argument("--seed", type=int, default=0, help="cohort seed (same seed and scale: same files)")
    sim.add_argument("--out", type=Path, required=True, help="raw data folder to write")
    add_overwrite(sim, "raw data folder")
    add_gap_off(sim)
    add_quiet(sim)
    sim.set_defaults(func=_cmd_simulate)

    pre = sub.add_parser("preprocess", help="raw recordings -> time-normalised stance data set",
                         description="Raw recordings -> time-normalised stance data set.", **fmt)
    pre.add_argument("raw_dir", type=Path, metavar="RAW_DIR", help="folder in the grfkit raw data format")
    pre.add_argument("--out", type=Path, required=True,
                     help="stance data set folder to write (not inside RAW_DIR)")
    pre.add_argument("--strict", action="store_true", help="stop at the first bad bout instead of skipping it")
    add_overwrite(pre, "stance data set")
    add_quiet(pre)
    pre.set_defaults(func=_cmd_preprocess)

    add_experiment_command(sub, HelpFormatter)

    train = sub.add_parser("train", help="train one strategy's model on every participant and save it",
                           description="Train one strategy's model on every participant of a stance data set and "
                                       "save it as a model folder (weights, normalisation, channels and units, "
                                       "provenance).", **fmt)
    train.add_argument("stances", type=Path, metavar="STANCES", help="stance data set folder (grfkit preprocess)")
    train.add_argument("--target", choices=TARGETS, required=True, help="force to estimate")
    train.add_argument("--strategy", choices=STRATEGIES[:4], default="combined", help="training strategy")
    train.add_argument("--out", type=Path, required=True, help="model folder to write")
    train.add_argument("--preset", default="fast", metavar="{" + ",".join(PRESETS) + "}",
                       help="model and training settings (grfkit.model.presets.PRESETS)")
    train.add_argument("--seed", type=int, default=0, help="training seed")
    train.add_argument("--threads", type=int, default=1, help="torch threads")
    add_device(train, "trains")
    train.add_argument("--members", type=int, default=1,
                       help="models of different seeds; above 1 writes an ensemble folder of "
                            "--calibration-groups x MEMBERS models with a calibrated uncertainty band and "
                            "out-of-distribution ranges")
    train.add_argument("--calibration-groups", type=int, default=4,
                       help="with --members > 1: groups of overground participants held out in turn to calibrate "
                            "the band")
    add_overwrite(train, "model folder")
    add_quiet(train)
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
    add_quiet(export)
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
    predict.add_argument("--speed-source", choices=SPEED_SOURCES, default="auto",
                         help="auto: the treadmill belt's speed, else the shoe IMU's; stated: the speed the "
                              "recording states (belt, bouts.csv), else the IMU's; imu: always the IMU's")
    predict.add_argument("--nominal", type=float, default=0.9,
                         help="nominal coverage of an ensemble's band (ignored for a single model)")
    predict.add_argument("--strict", action="store_true", help="stop at the first bad bout instead of skipping it")
    predict.add_argument("--workers", type=int, default=None,
                         help="processes reading bouts in parallel (results do not depend on it; default: the "
                              "number of CPUs, at most 4)")
    add_device(predict, "estimates a single model's curves (ensembles: cpu only)")
    add_overwrite(predict, "predictions folder")
    add_quiet(predict)
    predict.set_defaults(func=_cmd_predict)

    add_tune_command(sub, HelpFormatter)

    add_sweep_command(sub, HelpFormatter)

    data = sub.add_parser("data", help="public real data sets: list them, download and verify them",
                          description="Public real data sets: list them, download and verify them.", **fmt)
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    data_dir_help = "data folder (default: $GRFKIT_DATA_DIR, else grfkit's per-user data folder)"
    listing = data_sub.add_parser("list", help="name, files, size, licence, citation and local state of each",
                                  description="Name, files, size, licence, citation and local state of each "
                                              "data set.", **fmt)
    listing.add_argument("--data-dir", type=Path, default=None, help=data_dir_help)
    add_quiet(listing)
    listing.set_defaults(func=_cmd_data_list)
    fetch = data_sub.add_parser("fetch", help="download the missing files, verifying every SHA-256 (resumes)",
                                description="Download the missing files of the named data sets (all by default), "
                                            "verifying every file's SHA-256; an interrupted download resumes.",
                                **fmt)
    fetch.add_argument("names", nargs="*", metavar="NAME", help="data sets to fetch (default: all)")
    fetch.add_argument("--data-dir", type=Path, default=None, help=data_dir_help)
    add_quiet(fetch)
    fetch.set_defaults(func=_cmd_data_fetch)

    cache = sub.add_parser("cache", help="grfkit's computation caches (never the downloaded data)",
                           description="grfkit's computation caches (never the downloaded data).", **fmt)
    cache_sub = cache.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    cache_dir_help = "cache folder (default: $GRFKIT_CACHE_DIR, else ~/.cache/grfkit)"
    ls = cache_sub.add_parser("ls", help="every cache entry: kind, size, age, and whether this code made it",
                              description="Every cache entry: kind, key, size, modification time, and whether "
                                          "the current code computed it.", **fmt)
    ls.add_argument("--cache-dir", type=Path, default=None, help=cache_dir_help)
    add_quiet(ls)
    ls.set_defaults(func=_cmd_cache_ls)
    clear = cache_sub.add_parser("clear", help="delete cache entries (only what grfkit wrote)",
                                 description="Delete cache entries; only entries grfkit wrote, never other files "
                                             "or the downloaded data.", **fmt)
    clear.add_argument("--stale", action="store_true", help="only entries made by other versions of the code")
    clear.add_argument("--cache-dir", type=Path, default=None, help=cache_dir_help)
    clear.add_argument("--yes", action="store_true", help="do not ask (required when not run from a terminal)")
    add_quiet(clear)
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
