"""run_experiment through grfkit.executors: Dask gives the local results, survives a killed worker; devices; CLI flags."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest
import torch

from grfkit.cli import main
from grfkit.errors import ConfigError
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.strategies import split_domains
from grfkit.io.stances import StanceDataset
from grfkit.model.devices import resolve_device

distributed = pytest.importorskip("distributed")

STRATEGIES = ("overground", "transfer", "combined", "baseline_static")
N_JOBS = 2 + len(STRATEGIES) * 2 * 2  # a pre-training per target, then strategies x targets x 2 held out


@pytest.fixture(scope="module")
def ci(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The ci cohort, the ci experiment on 2 held-out participants, and its local (workers=1) run."""
    from grfkit.preprocess.chain import preprocess_raw
    from grfkit.simulate.cohort import simulate_cohort

    work = tmp_path_factory.mktemp("executors")
    stances = preprocess_raw(simulate_cohort("ci", 0, work / "raw")).stances
    held_out = tuple(str(p) for p in split_domains(stances)[0].participants[:2])
    config = ExperimentConfig(scale="ci", seed=0, preset="ci", strategies=STRATEGIES, participants=held_out)
    started = time.perf_counter()
    run_experiment(config, work / "local", stances=stances, cache_dir=work / "cache-local", progress=False)
    return {"stances": stances, "config": config, "work": work, "local_s": time.perf_counter() - started}


def _dask_run(ci: dict, tmp_path: Path, on_fold=None):
    started = time.perf_counter()
    results = run_experiment(ci["config"], tmp_path / "dask", stances=ci["stances"], cache_dir=tmp_path / "cache",
                             progress=False, executor="dask", workers=2, on_fold=on_fold)
    print(f"ci experiment ({N_JOBS} fits): local workers=1 {ci['local_s']:.1f} s, "
          f"dask LocalCluster 2 workers {time.perf_counter() - started:.1f} s")
    return results


def _assert_each_fit_computed_once(results) -> None:
    timings = results.timings
    folds = timings[timings["kind"] == "fold"]
    assert not folds.duplicated(["strategy", "target", "subject"]).any()
    assert len(folds) == N_JOBS - 2 and (timings["kind"] == "pretrain").sum() == 2
    assert not timings["cached"].any() and results.provenance["n_fits_computed"] == N_JOBS


def test_a_dask_local_cluster_gives_the_local_results_to_the_byte(ci, tmp_path) -> None:
    models = []
    results = _dask_run(ci, tmp_path, on_fold=lambda fold, loaded: models.append((fold.strategy, fold.model)))
    assert (tmp_path / "dask" / "results.csv").read_bytes() == (ci["work"] / "local" / "results.csv").read_bytes()
    _assert_each_fit_computed_once(results)
    executor = results.provenance["executor"]
    assert executor["executor"] == "dask" and executor["workers"] == 2
    assert executor["dashboard"].startswith("http://127.0.0.1:")
    assert results.provenance["device"] == "cpu"
    # The workers return the folds' models to this process.
    assert len(models) == N_JOBS - 2 and all(m is not None for _, m in models)


def test_a_killed_dask_worker_loses_nothing_and_duplicates_nothing(ci, tmp_path) -> None:
    killed: list[int] = []

    def kill_a_busy_worker(fold, loaded) -> None:
        if killed:
            return
        client = distributed.default_client()
        busy = [address for address, tasks in client.processing().items() if tasks]
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    results = _dask_run(ci, tmp_path, on_fold=kill_a_busy_worker)
    assert len(killed) == 1
    assert (tmp_path / "dask" / "results.csv").read_bytes() == (ci["work"] / "local" / "results.csv").read_bytes()
    _assert_each_fit_computed_once(results)


def test_overground_only_folds_survive_a_change_of_the_treadmill_set(run, config, stances, tmp_path) -> None:
    overground, treadmill = split_domains(stances)
    first = run(config, stances, tmp_path, "a", cache_dir=tmp_path / "cache")
    fewer = StanceDataset.concat([overground, treadmill.subset(treadmill.meta["participant"] == "TM01")])
    second = run(config, fewer, tmp_path, "b", cache_dir=tmp_path / "cache")
    timings = second.timings.set_index(["kind", "strategy", "subject"])["cached"]
    for strategy in ("overground", "baseline_mean", "baseline_static"):
        assert timings.xs(strategy, level="strategy").all(), strategy
    for strategy in ("treadmill", "transfer", "combined"):
        assert not timings.xs(strategy, level="strategy").any(), strategy
    kept = first.table[first.table["strategy"] == "overground"].reset_index(drop=True)
    pd.testing.assert_frame_equal(second.table[second.table["strategy"] == "overground"].reset_index(drop=True), kept)


def test_executor_and_device_settings_are_checked_before_any_training(run, config, stances, tmp_path,
                                                                      monkeypatch) -> None:
    with pytest.raises(ConfigError, match="unknown executor"):
        run(config, stances, tmp_path, "a", executor="ray")
    with pytest.raises(ConfigError, match="dask executor"):
        run(config, stances, tmp_path, "b", scheduler="tcp://127.0.0.1:8786")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        run(config, stances, tmp_path, "c", device="cuda")
    assert not (tmp_path / "cache-a").exists() and not (tmp_path / "c").exists()


def test_the_device_is_part_of_the_cache_key(run, small, stances, tmp_path, monkeypatch) -> None:
    cpu = run(small, stances, tmp_path, "cpu", cache_dir=tmp_path / "cache")
    # "auto" on a machine without a GPU is the CPU: the same keys, every fit from the cache.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    auto = run(small, stances, tmp_path, "auto", cache_dir=tmp_path / "cache", device="auto")
    assert auto.provenance["n_fits_computed"] == 0 and auto.provenance["device"] == "cpu"
    assert (tmp_path / "cpu" / "results.csv").read_bytes() == (tmp_path / "auto" / "results.csv").read_bytes()
    assert cpu.provenance["executor"] == {"executor": "local", "workers": 1, "dashboard": None}


def test_resolve_device(monkeypatch) -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ConfigError, match="no CUDA GPU.*--device cpu"):
        resolve_device("cuda")
    with pytest.raises(ConfigError, match="unknown device 'gpu'"):
        resolve_device("gpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda") == resolve_device("cuda")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --executor dask"),
        (["--device", "cuda"], "no CUDA GPU"),
    ],
)
def test_cli_rejects_bad_executor_and_device_flags(flags, message, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code = main(["experiment", "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "-q", *flags])
    assert code != 0 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_knows_the_executors_and_devices(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["experiment", "--out", "x", "--executor", "ray"])
    assert "invalid choice: 'ray'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["experiment", "--out", "x", "--device", "tpu"])
    assert "invalid choice: 'tpu'" in capsys.readouterr().err


def test_train_refuses_cuda_without_a_gpu(stances, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    folder = stances.save(tmp_path / "stances")
    code = main(["train", str(folder), "--target", "vgrf", "--out", str(tmp_path / "model"), "--device", "cuda", "-q"])
    assert code == 2 and "no CUDA GPU" in capsys.readouterr().err
    assert not (tmp_path / "model").exists()


def test_estimation_off_the_lean_path_gives_the_same_curves(stances, tiny_preset) -> None:
    """A device other than "cpu" runs the network itself (here "cpu:0", the same CPU): same curves."""
    from grfkit.field.predict import estimate_curves_bw
    from grfkit.model.training import fit

    model = fit(stances, target="vgrf", preset=tiny_preset, seed=1)
    lean = estimate_curves_bw(model, stances)
    network = estimate_curves_bw(model, stances, device="cpu:0")
    assert network.shape == lean.shape == (len(stances), 101)
    assert abs(network - lean).max() < 1e-5
