"""Tests of grfkit.experiment.runner, config, store and report: config, determinism, resume, atomic cache, leakage, results files."""

import errno
import json
import re
import shutil
import tempfile

import numpy as np
import pandas as pd
import pytest
import torch

import grfkit.experiment.store as store
import grfkit.experiment.strategies as strategies
from grfkit.errors import (
    CacheError,
    ChannelMismatchError,
    ConfigError,
    MissingFileError,
)
from grfkit.experiment.config import PUBLISHED_RRMSE, TARGETS, ExperimentConfig
from grfkit.experiment.report import (
    compare_with_published,
    format_summary,
    summarise_results,
)
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.store import code_fingerprint, load_results, stance_fingerprint
from grfkit.experiment.strategies import (
    ALL_STRATEGIES,
    STRATEGIES,
    exaggerate_participant,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BASELINES, fit_baseline, predict_baseline
from grfkit.model.metrics import evaluate
from grfkit.storage.cache import CacheWarning

OVERGROUND = ("OG01", "OG02", "OG03")


@pytest.fixture
def stances(stance_factory) -> StanceDataset:
    overground = stance_factory(participants=OVERGROUND, stances_per_participant=4, seed=11)
    treadmill = stance_factory(participants=("TM01", "TM02"), stances_per_participant=5, seed=12, dataset="treadmill")
    return StanceDataset.concat([overground, treadmill])


@pytest.fixture
def config(tiny_preset) -> ExperimentConfig:
    return ExperimentConfig(scale="ci", seed=3, preset=tiny_preset, targets=("vgrf",), num_threads=1)


@pytest.fixture
def fit_counter(monkeypatch):
    """Count training runs (fit and fine_tune) made through the strategies."""
    calls = {"fit": 0, "fine_tune": 0}

    def counting(name):
        original = getattr(strategies, name)

        def wrapper(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    for name in calls:
        monkeypatch.setattr(strategies, name, counting(name))
    return calls


def run(config, stances, tmp_path, name, **kwargs):
    """Run into ``tmp_path/name`` with a cache of its own (unless ``cache_dir`` is given)."""
    kwargs.setdefault("cache_dir", tmp_path / f"cache-{name}")
    return run_experiment(config, tmp_path / name, stances=stances, progress=False, **kwargs)


# --- config ----------------------------------------------------------------------


def test_config_defaults_and_normalisation() -> None:
    c = ExperimentConfig()
    assert (c.scale, c.seed, c.preset, c.strategies, c.targets, c.participants, c.num_threads) == (
        "ci", 0, "fast", ALL_STRATEGIES, TARGETS, None, 1)
    assert set(BASELINES) < set(c.strategies)
    c = ExperimentConfig(scale="book", strategies=["combined"], targets="apgrf", participants=["OG02"])
    assert c.strategies == ("combined",) and c.targets == ("apgrf",) and c.participants == ("OG02",)
    assert c.to_dict()["preset"]["hidden_size"] == c.model_preset.hidden_size
    json.dumps(c.to_dict())
    with pytest.raises(AttributeError):
        c.seed = 1  # frozen


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strategies": ("overground", "mixed")}, "unknown strategy 'mixed'"),
        ({"targets": ("mlgrf",)}, "unknown targets"),
        ({"preset": "huge"}, "unknown model preset 'huge'"),
        ({"scale": "tiny"}, "unknown scale 'tiny'"),
        ({"strategies": ()}, "non-empty"),
        ({"targets": ("vgrf", "vgrf")}, "without repeats"),
        ({"num_threads": 0}, "num_threads"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_config_raises_config_error(kwargs, message) -> None:
    with pytest.raises(ConfigError, match=message):
        ExperimentConfig(**kwargs)


def test_data_that_do_not_suit_the_config(config, stances, tmp_path) -> None:
    no_gyro = StanceDataset(stances.meta, stances.inputs[:, :, :-1], stances.targets, stances.input_channels[:-1],
                            stances.target_channels)
    with pytest.raises(ChannelMismatchError, match="gyro_z"):
        run(config, no_gyro, tmp_path, "a")
    overground = stances.subset((stances.meta["dataset"] == "overground").to_numpy())
    with pytest.raises(ConfigError, match="need treadmill stances"):
        run(config, overground, tmp_path, "b")
    with pytest.raises(ConfigError, match=r"\['OG07'\] are not overground participants"):
        run(ExperimentConfig(preset=config.preset, participants=("OG07",)), stances, tmp_path, "c")
    with pytest.raises(ConfigError, match="workers"):
        run(config, stances, tmp_path, "d", workers=0)
    twin = stances.subset((stances.meta["participant"] == "TM01").to_numpy())
    twin_meta = twin.meta.assign(dataset="overground")
    twin = StanceDataset(twin_meta, twin.inputs, twin.targets, twin.input_channels, twin.target_channels)
    with pytest.raises(ConfigError, match=r"\['TM01'\] appear in both"):
        run(config, StanceDataset.concat([stances, twin]), tmp_path, "e")
    assert not (tmp_path / "a").exists()  # nothing is written before the data are checked
    assert not (tmp_path / "cache-e").exists()
    # The baselines alone need no treadmill stances.
    only_baselines = ExperimentConfig(**{**config.__dict__, "strategies": BASELINES})
    assert list(run(only_baselines, overground, tmp_path, "f").table["strategy"].unique()) == list(BASELINES)


# --- fingerprints ------------------------------------------------------------------


def test_stance_fingerprint_follows_content(stances) -> None:
    assert stance_fingerprint(stances) == stance_fingerprint(StanceDataset.concat([stances]))
    changed = stances.inputs.copy()
    changed[0, 0, 0] += 1e-3
    other = StanceDataset(stances.meta, changed, stances.targets, stances.input_channels, stances.target_channels)
    assert stance_fingerprint(other) != stance_fingerprint(stances)
    meta = stances.meta.copy()
    meta.loc[0, "body_mass_kg"] += 1.0
    other = StanceDataset(meta, stances.inputs, stances.targets, stances.input_channels, stances.target_channels)
    assert stance_fingerprint(other) != stance_fingerprint(stances)
    assert len(code_fingerprint()) == 64 and code_fingerprint() == code_fingerprint()


# --- results -----------------------------------------------------------------------


def test_results_folder_contents(config, stances, tmp_path) -> None:
    results = run(config, stances, tmp_path, "out")
    table = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(table.columns[:8]) == ["strategy", "target", "subject", "n_stances", "n_undefined", "rrmse_pct",
                                       "rmse_bw", "r"]
    assert "peak_error_bw" in table.columns and "wall_time_s" not in table.columns
    assert len(table) == len(ALL_STRATEGIES) * len(OVERGROUND)
    assert table.groupby("strategy", sort=False).size().to_dict() == {s: 3 for s in ALL_STRATEGIES}
    assert (table["n_stances"] == 4).all() and set(table["target"]) == {"vgrf"}
    assert (table["n_undefined"] == 0).all()
    # Participant rows are the mean of their stances.
    per_stance = pd.read_csv(tmp_path / "out" / "stances.csv")
    mean = per_stance.groupby(["strategy", "subject"], sort=False)["rrmse_pct"].mean().to_numpy()
    np.testing.assert_allclose(table["rrmse_pct"].to_numpy(), mean)
    curves = results.curves()
    assert curves["measured_n"].shape == curves["estimated_n"].shape == (len(per_stance), 101)
    assert list(curves["strategy"]) == list(per_stance["strategy"])
    timings = pd.read_csv(tmp_path / "out" / "timings.csv")
    assert list(timings["kind"]).count("pretrain") == 1 and list(timings["kind"]).count("fold") == 18
    prov = json.loads((tmp_path / "out" / "provenance.json").read_text())
    for key in ("grfkit_version", "git", "config", "machine", "date_utc", "wall_time_s", "code_fingerprint"):
        assert key in prov
    assert prov["machine"]["torch"] == torch.__version__ and prov["config"]["seed"] == 3
    assert prov["n_fits_computed"] == 19 and prov["n_fits_cached"] == 0
    assert prov["data"]["held_out"] == list(OVERGROUND)


def test_baseline_rows_are_scored_like_the_strategies(config, stances, tmp_path) -> None:
    """Each baseline fold is fitted on the other overground participants and evaluated like a model fold."""
    only_baselines = ExperimentConfig(**{**config.__dict__, "strategies": BASELINES, "targets": ("apgrf",)})
    results = run(only_baselines, stances, tmp_path, "out")
    overground = stances.subset((stances.meta["dataset"] == "overground").to_numpy())
    for kind in BASELINES:
        for subject in OVERGROUND:
            is_subject = (overground.meta["participant"] == subject).to_numpy()
            model = fit_baseline(kind, overground.subset(~is_subject), target="apgrf")
            expected = evaluate(overground.subset(is_subject), predict_baseline(model, overground.subset(is_subject)),
                                "apgrf")
            row = results.table.loc[(results.table["strategy"] == kind) & (results.table["subject"] == subject)]
            assert row["n_stances"].item() == 4
            for column in ("rrmse_pct", "rmse_bw", "r", "braking_peak_error_bw", "propulsive_impulse_error_bws"):
                assert row[column].item() == pytest.approx(expected[column].mean(), rel=1e-12), (kind, column)
    timings = results.timings
    assert (timings.loc[timings["kind"] == "fold", "n_train_stances"] == 8).all()
    assert "pretrain" not in set(timings["kind"])


def test_undefined_rrmse_is_counted_not_dropped(config, stances, tmp_path) -> None:
    """A held-out stance with a flat measured curve has no rRMSE: it is counted in results and summary."""
    targets = stances.targets.copy()
    flat = np.flatnonzero((stances.meta["participant"] == "OG03").to_numpy())[:2]
    targets[flat, :, stances.target_channels.index("vgrf_n")] = 700.0
    data = StanceDataset(stances.meta, stances.inputs, targets, stances.input_channels, stances.target_channels)
    only_baselines = ExperimentConfig(**{**config.__dict__, "strategies": BASELINES})
    results = run(only_baselines, data, tmp_path, "out")
    table = results.table.set_index(["strategy", "subject"])
    for kind in BASELINES:
        assert table.loc[(kind, "OG03"), "n_undefined"] == 2 and table.loc[(kind, "OG03"), "n_stances"] == 4
        assert table.loc[(kind, "OG01"), "n_undefined"] == 0
        per_stance = results.stances.loc[(results.stances["strategy"] == kind) & (results.stances["subject"] == "OG03")]
        assert per_stance["rrmse_pct"].isna().sum() == 2  # kept in stances.csv, as NaN
        assert table.loc[(kind, "OG03"), "rrmse_pct"] == pytest.approx(per_stance["rrmse_pct"].dropna().mean())
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert list(summary["n_undefined"]) == [2, 2]
    assert "undefined 2" in results.summary()
    assert list(load_results(tmp_path / "out").table["n_undefined"]) == [0, 0, 2, 0, 0, 2]
    # Results written before the count existed still summarise.
    assert "n_undefined" not in summarise_results(results.table.drop(columns=["n_undefined"])).columns


def test_same_seed_and_config_give_bit_identical_results(config, stances, tmp_path) -> None:
    a = run(config, stances, tmp_path, "a")
    b = run(config, stances, tmp_path, "b")  # its own cache: everything recomputed
    assert b.provenance["n_fits_cached"] == 0
    for name in ("results.csv", "stances.csv", "summary.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for key, value in a.curves().items():
        np.testing.assert_array_equal(value, b.curves()[key])
    c = run(ExperimentConfig(**{**config.__dict__, "seed": 4}), stances, tmp_path, "c")
    assert not c.table["rrmse_pct"].equals(a.table["rrmse_pct"])


def test_killed_run_resumes_without_redoing_finished_folds(config, stances, tmp_path, fit_counter) -> None:
    reference = run(config, stances, tmp_path, "reference")
    total = dict(fit_counter)
    assert total == {"fit": 1 + 3 + 3, "fine_tune": 3}  # 1 pre-training, 3 overground, 3 combined, 3 transfer
    fit_counter.update(fit=0, fine_tune=0)

    finished = []

    def kill_after_five(fold, loaded):
        finished.append((fold.strategy, fold.subject, loaded))
        if len(finished) == 5:
            raise KeyboardInterrupt("killed")

    cache = tmp_path / "cache-resume"
    with pytest.raises(KeyboardInterrupt):
        run_experiment(config, tmp_path / "resume", stances=stances, cache_dir=cache, progress=False,
                       on_fold=kill_after_five)
    assert not (tmp_path / "resume" / "results.csv").exists()
    before = dict(fit_counter)
    fit_counter.update(fit=0, fine_tune=0)

    reloaded = []
    results = run_experiment(config, tmp_path / "resume", stances=stances, cache_dir=cache, progress=False,
                             on_fold=lambda fold, loaded: reloaded.append((fold.strategy, fold.subject, loaded)))
    # The 5 finished folds are loaded, the other 13 computed; nothing is trained twice.
    assert sorted(r for r in reloaded if r[2]) == sorted((s, p, True) for s, p, _ in finished)
    assert sum(not r[2] for r in reloaded) == 18 - 5
    assert before["fit"] + fit_counter["fit"] == total["fit"]
    assert before["fine_tune"] + fit_counter["fine_tune"] == total["fine_tune"]
    assert results.provenance["n_fits_cached"] == 5 + 1  # the folds and the pre-training
    assert (tmp_path / "resume" / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()
    assert reference.summary() == results.summary()

    # A finished run is not recomputed at all.
    fit_counter.update(fit=0, fine_tune=0)
    again = run_experiment(config, tmp_path / "again", stances=stances, cache_dir=cache, progress=False)
    assert fit_counter == {"fit": 0, "fine_tune": 0} and again.provenance["n_fits_computed"] == 0
    pd.testing.assert_frame_equal(again.table, reference.table)


def test_cache_writes_are_atomic(config, stances, tmp_path, monkeypatch) -> None:
    """A fold killed while being stored leaves no entry a later run would mistake for finished."""
    original = np.savez_compressed
    calls = []

    def dies_on_third_write(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(store.np, "savez_compressed", dies_on_third_write)
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="disk full"):
        run_experiment(config, tmp_path / "out", stances=stances, cache_dir=cache, progress=False)
    monkeypatch.undo()
    entries = list((cache / "folds").iterdir())
    assert len(entries) == 2  # no temporary or partial folders
    assert all(sorted(p.name for p in e.iterdir()) == ["curves.npz", "fold.json", "manifest.json", "stances.parquet"]
               for e in entries)
    assert not (tmp_path / "out").exists()
    results = run_experiment(config, tmp_path / "out", stances=stances, cache_dir=cache, progress=False)
    assert results.provenance["n_fits_cached"] == 2 + 1  # two folds and the pre-training
    assert len(list((cache / "folds").iterdir())) == 18
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp") or ".old-" in p.name]


def test_held_out_participant_touches_nothing_fitted_in_the_experiment(config, stances, tmp_path) -> None:
    """Extreme inputs, forces and body mass of the held-out participant: every fold's model is bit-identical."""
    extreme = exaggerate_participant(stances, "OG02", 1000.0, target_factor=1000.0, mass_factor=3.0)
    subset = ExperimentConfig(**{**config.__dict__, "participants": ("OG02",)})
    models = {}
    for name, data in (("normal", stances), ("extreme", extreme)):
        models[name] = {}
        results = run_experiment(subset, tmp_path / name, stances=data, cache_dir=tmp_path / f"cache-{name}",
                                 progress=False,
                                 on_fold=lambda fold, loaded, store=models[name]: store.update({fold.strategy: fold.model}))
        models[name]["rrmse"] = results.table["rrmse_pct"].to_numpy()
    for strategy in STRATEGIES:
        a, b = models["normal"][strategy], models["extreme"][strategy]
        assert a.scaler.equals(b.scaler), strategy
        sa, sb = a.network.state_dict(), b.network.state_dict()
        assert all(torch.equal(sa[k], sb[k]) for k in sa), strategy
    for baseline in BASELINES:
        assert models["normal"][baseline].equals(models["extreme"][baseline]), baseline
    assert not np.array_equal(models["normal"]["rrmse"], models["extreme"]["rrmse"])


def test_worker_processes_give_the_same_results(tiny_preset, stances, tmp_path) -> None:
    config = ExperimentConfig(preset=tiny_preset, strategies=("treadmill", "transfer"), targets=("apgrf",))
    run(config, stances, tmp_path, "one")
    two = run(config, stances, tmp_path, "two", workers=2)
    assert (tmp_path / "one" / "results.csv").read_bytes() == (tmp_path / "two" / "results.csv").read_bytes()
    assert two.provenance["machine"]["workers"] == 2 and two.provenance["n_fits_computed"] == 1 + 6


def test_summaries_in_the_studys_format(config, stances, tmp_path) -> None:
    results = run(config, stances, tmp_path, "out")
    summary = summarise_results(results.table)
    assert list(summary["strategy"]) == list(ALL_STRATEGIES) and (summary["n_participants"] == 3).all()
    assert (summary["n_undefined"] == 0).all()
    row = summary.iloc[0]
    assert row.rrmse_pct_min <= row.rrmse_pct_mean <= row.rrmse_pct_max
    text = results.summary()
    assert "preset tiny" in text and all(s in text for s in ALL_STRATEGIES) and "undefined" not in text
    assert f"{row.rrmse_pct_mean:.1f} ({row.rrmse_pct_min:.1f}–{row.rrmse_pct_max:.1f})" in format_summary(results.table)
    compared = compare_with_published(results.table)
    combined = compared.loc[compared["strategy"] == "combined"].iloc[0]
    assert (combined.published_mean, combined.published_min, combined.published_max) == PUBLISHED_RRMSE[("combined", "vgrf")]
    assert np.isnan(compared.loc[compared["strategy"] == "overground", "published_mean"]).all()

    loaded = load_results(tmp_path / "out")
    pd.testing.assert_frame_equal(loaded.table, results.table, check_dtype=False)
    assert loaded.summary() == text
    np.testing.assert_array_equal(loaded.curves()["estimated_n"], results.curves()["estimated_n"])
    (tmp_path / "out" / "curves.npz").unlink()
    with pytest.raises(MissingFileError):
        load_results(tmp_path / "out").curves()
    with pytest.raises(MissingFileError, match="results.csv"):
        load_results(tmp_path / "nothing")


def test_preset_for_scale() -> None:
    from grfkit.model.presets import PRESETS
    from grfkit.scales import SCALE_PRESETS, preset_for_scale

    assert preset_for_scale("ci") == "ci" and preset_for_scale("book") == preset_for_scale("paper") == "fast"
    assert set(SCALE_PRESETS.values()) <= set(PRESETS)
    with pytest.raises(ConfigError, match="unknown scale"):
        preset_for_scale("huge")


def test_rrmse_table_side_by_side(config, stances, tmp_path) -> None:
    from grfkit.experiment.report import rrmse_table

    table = run(config, stances, tmp_path, "out").table
    side = rrmse_table({"book": table, "only combined": table.loc[table["strategy"] == "combined"]})
    assert list(side.columns) == ["book", "only combined", "published"]
    assert side.index.names == ["strategy", "target"] and len(side) == len(ALL_STRATEGIES)
    row = summarise_results(table).set_index("strategy").loc["combined"]
    assert side.loc[("combined", "vgrf"), "book"] == (
        f"{row.rrmse_pct_mean:.1f} ({row.rrmse_pct_min:.1f}–{row.rrmse_pct_max:.1f})")
    assert side.loc[("combined", "vgrf"), "published"] == "6.1 (3.5–10.7)"
    assert side.loc[("overground", "vgrf"), "only combined"] == "–" == side.loc[("overground", "vgrf"), "published"]
    assert list(rrmse_table({"book": table}, published=None).columns) == ["book"]


def test_default_results_dir_is_per_config(monkeypatch, tmp_path) -> None:
    from grfkit.experiment.store import default_results_dir
    from grfkit.storage.cohort_cache import CACHE_DIR_ENV

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    a = default_results_dir(ExperimentConfig(scale="book", seed=0))
    assert a.parent == tmp_path / "results" and a.name.startswith("book-seed0-fast-")
    assert a == default_results_dir(ExperimentConfig(scale="book", seed=0))
    assert a != default_results_dir(ExperimentConfig(scale="book", seed=0, targets=("vgrf",)))


# --- cache integrity: damaged, foreign or altered entries are recomputed, never used ---------


@pytest.fixture
def small(config) -> ExperimentConfig:
    """Two strategies (one needs the pre-trained model): 6 folds and 1 pre-training."""
    return ExperimentConfig(**{**config.__dict__, "strategies": ("overground", "transfer")})


def _entry(cache, strategy: str, subject: str):
    """The fold entry of one strategy and held-out participant (from its manifest)."""
    for folder in (cache / "folds").iterdir():
        key = json.loads((folder / "manifest.json").read_text())["key"]
        if (key["strategy"], key["subject"]) == (strategy, subject):
            return folder
    raise AssertionError(f"no fold {strategy}/{subject}")


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _flip64(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


DAMAGED_FOLDS = [
    ("C9a", "curves.npz", _truncate),
    ("C9b", "stances.parquet", _truncate),
    ("C9c", "fold.json", _truncate),
    ("C9d", "curves.npz", lambda p: p.write_bytes(b"")),
    ("C9e", "stances.parquet", _flip64),
    ("manifest", "manifest.json", _truncate),
]


def test_a_damaged_fold_entry_is_recomputed_with_a_warning(small, stances, tmp_path, fit_counter) -> None:
    """C9a-e: truncated, emptied or flipped cache files: a warning naming the entry, then the same results."""
    cache = tmp_path / "cache"
    reference = run(small, stances, tmp_path, "reference", cache_dir=cache)
    for case, name, damage in DAMAGED_FOLDS:
        entry = _entry(cache, "overground", "OG02")
        damage(entry / name)
        fit_counter.update(fit=0, fine_tune=0)
        with pytest.warns(CacheWarning, match=re.escape(str(entry))):
            again = run(small, stances, tmp_path, case, cache_dir=cache)
        assert again.provenance["n_fits_computed"] == 1 and fit_counter == {"fit": 1, "fine_tune": 0}, case
        assert (tmp_path / case / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()
    pd.testing.assert_frame_equal(again.table, reference.table)


def test_another_folds_files_copied_in_are_not_used(small, stances, tmp_path) -> None:
    """C9f: another fold's valid files in an entry (with or without its manifest) never give its numbers."""
    cache = tmp_path / "cache"
    reference = run(small, stances, tmp_path, "reference", cache_dir=cache)
    source, target = _entry(cache, "transfer", "OG02"), _entry(cache, "overground", "OG02")
    for name in ("stances.parquet", "curves.npz"):
        shutil.copy(source / name, target / name)
    with pytest.warns(CacheWarning, match=re.escape(str(target))):
        run(small, stances, tmp_path, "files", cache_dir=cache)
    shutil.copy(source / "manifest.json", target / "manifest.json")
    shutil.copy(source / "fold.json", target / "fold.json")
    with pytest.warns(CacheWarning, match=r"another configuration \(differs in \['strategy'\]"):
        again = run(small, stances, tmp_path, "whole", cache_dir=cache)
    assert again.provenance["n_fits_computed"] == 1
    assert (tmp_path / "whole" / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()
    pd.testing.assert_frame_equal(again.table, reference.table)


def test_a_damaged_pretrained_model_is_trained_again(small, stances, tmp_path, fit_counter) -> None:
    """C9g: a truncated pre-trained model with all folds cached: no crash, trained again."""
    cache = tmp_path / "cache"
    run(small, stances, tmp_path, "reference", cache_dir=cache)
    (model_dir,) = (cache / "pretrained").iterdir()
    _truncate(model_dir / "weights.pt")
    fit_counter.update(fit=0, fine_tune=0)
    with pytest.warns(CacheWarning, match=re.escape(str(model_dir))):
        again = run(small, stances, tmp_path, "again", cache_dir=cache)
    assert fit_counter == {"fit": 1, "fine_tune": 0} and again.provenance["n_fits_computed"] == 1
    assert (tmp_path / "again" / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()


def test_an_altered_pretrained_model_is_not_used_by_its_folds(small, stances, tmp_path, fit_counter) -> None:
    """C9h: weights x3 (a valid file) and the dependent folds removed: the model is trained again first."""
    cache = tmp_path / "cache"
    run(small, stances, tmp_path, "reference", cache_dir=cache)
    (model_dir,) = (cache / "pretrained").iterdir()
    state = torch.load(model_dir / "weights.pt", weights_only=True)
    torch.save({k: v * 3 for k, v in state.items()}, model_dir / "weights.pt")
    for subject in OVERGROUND:
        shutil.rmtree(_entry(cache, "transfer", subject))
    fit_counter.update(fit=0, fine_tune=0)
    with pytest.warns(CacheWarning, match=re.escape(str(model_dir / "weights.pt"))):
        again = run(small, stances, tmp_path, "again", cache_dir=cache)
    assert fit_counter == {"fit": 1, "fine_tune": 3} and again.provenance["n_fits_computed"] == 1 + 3
    assert (tmp_path / "again" / "results.csv").read_bytes() == (tmp_path / "reference" / "results.csv").read_bytes()


def test_a_read_only_cache_is_a_typed_error_before_any_training(small, stances, tmp_path, monkeypatch,
                                                                 fit_counter) -> None:
    """A26c: the cache on a read-only mount (root ignores chmod, so the mount's errors are injected).

    A complete cache can still be read; one that lacks an entry fails with a CacheError naming it
    before anything is trained.
    """
    cache = tmp_path / "ro" / "cache"
    run(small, stances, tmp_path, "first", cache_dir=cache)
    path_type = type(cache)
    real_mkdir = path_type.mkdir

    def on_the_mount(path) -> bool:
        return tmp_path / "ro" in path_type(path).parents

    def mkdir(self, *args, **kwargs):
        if on_the_mount(self) and not self.exists():
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    def make_temporary(real):
        def call(*args, dir=None, **kwargs):
            if dir is not None and on_the_mount(path_type(dir) / "x"):
                raise OSError(errno.EROFS, "Read-only file system", str(dir))
            return real(*args, dir=dir, **kwargs)

        return call

    monkeypatch.setattr(path_type, "mkdir", mkdir)
    for name in ("mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, make_temporary(getattr(tempfile, name)))
    fit_counter.update(fit=0, fine_tune=0)
    again = run(small, stances, tmp_path, "again", cache_dir=cache)
    assert again.provenance["n_fits_computed"] == 0
    shutil.rmtree(_entry(cache, "overground", "OG03"))
    with pytest.raises(CacheError, match=re.escape(str(cache))):
        run(small, stances, tmp_path, "out", cache_dir=cache)
    assert fit_counter == {"fit": 0, "fine_tune": 0}
    monkeypatch.undo()
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(CacheError, match="Not a directory"):
        run(small, stances, tmp_path, "out", cache_dir=a_file / "cache")


def test_a_full_disk_while_caching_a_fold_is_a_typed_error_and_the_rerun_resumes(
    small, stances, tmp_path, monkeypatch
) -> None:
    """A27b: ENOSPC while a fold is stored: CacheError naming the entry; complete entries kept, none partial."""
    original = np.savez_compressed
    calls = []

    def full_on_third(file, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return original(file, *args, **kwargs)

    monkeypatch.setattr(store.np, "savez_compressed", full_on_third)
    cache = tmp_path / "cache"
    with pytest.raises(CacheError, match=r"No space left on device.*cache clear --stale") as raised:
        run(small, stances, tmp_path, "out", cache_dir=cache)
    assert str(cache / "folds") in str(raised.value)
    monkeypatch.undo()
    assert len(list((cache / "folds").iterdir())) == 2
    results = run(small, stances, tmp_path, "out", cache_dir=cache)
    assert results.provenance["n_fits_cached"] == 2 + 1
