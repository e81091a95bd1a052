"""Tests of grfkit.experiment.runner end to end: data checks, results files, determinism, resume, leakage, workers."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.report import summarise_results
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.store import load_results
from grfkit.experiment.strategies import ALL_STRATEGIES, STRATEGIES, exaggerate_participant
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BASELINES, fit_baseline, predict_baseline
from grfkit.model.metrics import evaluate

OVERGROUND = ("OG01", "OG02", "OG03")


def test_data_that_do_not_suit_the_config(run, config, stances, tmp_path) -> None:
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


def test_results_folder_contents(run, config, stances, tmp_path) -> None:
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


def test_baseline_rows_are_scored_like_the_strategies(run, config, stances, tmp_path) -> None:
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


def test_undefined_rrmse_is_counted_not_dropped(run, config, stances, tmp_path) -> None:
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


def test_same_seed_and_config_give_bit_identical_results(run, config, stances, tmp_path) -> None:
    a = run(config, stances, tmp_path, "a")
    b = run(config, stances, tmp_path, "b")  # its own cache: everything recomputed
    assert b.provenance["n_fits_cached"] == 0
    for name in ("results.csv", "stances.csv", "summary.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for key, value in a.curves().items():
        np.testing.assert_array_equal(value, b.curves()[key])
    c = run(ExperimentConfig(**{**config.__dict__, "seed": 4}), stances, tmp_path, "c")
    assert not c.table["rrmse_pct"].equals(a.table["rrmse_pct"])


def test_killed_run_resumes_without_redoing_finished_folds(run, config, stances, tmp_path, fit_counter) -> None:
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


def test_held_out_participant_touches_nothing_fitted_in_the_experiment(config, stances, tmp_path) -> None:
    """Extreme inputs, forces and body mass of the held-out participant: every fold's model is bit-identical."""
    extreme = exaggerate_participant(stances, "OG02", 1000.0, target_factor=1000.0, mass_factor=3.0)
    subset = ExperimentConfig(**{**config.__dict__, "participants": ("OG02",)})
    models = {}
    for name, data in (("normal", stances), ("extreme", extreme)):
        models[name] = {}
        results = run_experiment(
            subset, tmp_path / name, stances=data, cache_dir=tmp_path / f"cache-{name}", progress=False,
            on_fold=lambda fold, loaded, kept=models[name]: kept.update({fold.strategy: fold.model}),
        )
        models[name]["rrmse"] = results.table["rrmse_pct"].to_numpy()
    for strategy in STRATEGIES:
        a, b = models["normal"][strategy], models["extreme"][strategy]
        assert a.scaler.equals(b.scaler), strategy
        sa, sb = a.network.state_dict(), b.network.state_dict()
        assert all(torch.equal(sa[k], sb[k]) for k in sa), strategy
    for baseline in BASELINES:
        assert models["normal"][baseline].equals(models["extreme"][baseline]), baseline
    assert not np.array_equal(models["normal"]["rrmse"], models["extreme"]["rrmse"])


def test_worker_processes_give_the_same_results(run, tiny_preset, stances, tmp_path) -> None:
    config = ExperimentConfig(preset=tiny_preset, strategies=("treadmill", "transfer"), targets=("apgrf",))
    run(config, stances, tmp_path, "one")
    two = run(config, stances, tmp_path, "two", workers=2)
    assert (tmp_path / "one" / "results.csv").read_bytes() == (tmp_path / "two" / "results.csv").read_bytes()
    assert two.provenance["machine"]["workers"] == 2 and two.provenance["n_fits_computed"] == 1 + 6


_POOL_SCRIPT = '''
import os
import time
from pathlib import Path

from tqdm import tqdm

import grfkit.experiment.runner as experiment


def slow_fold(data, *args):
    (Path(os.environ["GRFKIT_TEST_PIDS"]) / str(os.getpid())).write_text("")
    time.sleep(120)


experiment._fold_task = slow_fold  # at the top level, so that the spawned workers run it too

if __name__ == "__main__":
    jobs = [experiment._FoldJob(strategy="overground", target="vgrf", subject=str(i), path=Path("/nonexistent"),
                                key=str(i), key_parts="{}") for i in range(2)]
    run = experiment._Run(None, {}, {}, [], tqdm(disable=True), None, 0)
    run.execute("local", 2, None, {}, [], jobs)
'''


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_workers_end_when_the_experiment_is_killed(how: str, pool_workers) -> None:
    """After kill -9 or SIGTERM of `experiment --workers 2`, no worker keeps training."""
    import signal

    parent, workers = pool_workers.start(_POOL_SCRIPT, within_s=120)
    parent.send_signal(getattr(signal, how))
    parent.wait(timeout=30)
    assert pool_workers.ended(workers), f"workers {workers} outlived the killed experiment"
    if how == "SIGTERM":
        assert parent.returncode == 128 + signal.SIGTERM
