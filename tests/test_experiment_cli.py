"""Tests of ``grfkit experiment`` (the command line of grfkit.experiment.runner)."""

import dataclasses
import json
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest

import grfkit.experiment.runner as experiment
import grfkit.model.presets as model
from grfkit.cli import main
from grfkit.io.stances import StanceDataset
from grfkit.storage.cohort_cache import CACHE_DIR_ENV


@pytest.fixture
def small_run(monkeypatch, tmp_path, stance_factory, tiny_preset):
    """Synthetic stances instead of a simulated cohort, a 'tiny' preset, a private cache."""
    overground = stance_factory(participants=("OG01", "OG02", "OG03"), stances_per_participant=3, seed=1)
    treadmill = stance_factory(participants=("TM01",), stances_per_participant=6, seed=2, dataset="treadmill")
    stances = StanceDataset.concat([overground, treadmill])
    requested = []

    def fake_load(config, progress):
        requested.append((config.scale, config.seed))
        return stances

    monkeypatch.setattr(experiment, "_load_stances", fake_load)
    monkeypatch.setattr(model, "PRESETS", MappingProxyType({**model.PRESETS, "tiny": tiny_preset}))
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    return requested


def test_experiment_command_writes_the_results_table(small_run, tmp_path: Path, capsys) -> None:
    out = tmp_path / "results"
    argv = ["-q", "experiment", "--scale", "ci", "--seed", "5", "--out", str(out), "--preset", "tiny",
            "--targets", "vgrf", "--strategies", "overground", "combined"]
    assert main(argv) == 0
    assert small_run == [("ci", 5)]
    printed = capsys.readouterr().out
    assert "rRMSE %" in printed and "combined" in printed and "results.csv" in printed
    table = pd.read_csv(out / "results.csv")
    assert {"strategy", "target", "subject", "rrmse_pct"} <= set(table.columns)
    assert sorted(set(table["strategy"])) == ["combined", "overground"] and len(table) == 6
    assert (tmp_path / "cache" / "experiments" / "folds").is_dir()  # the default cache: $GRFKIT_CACHE_DIR

    # Run again into another folder with the same cache: nothing is retrained.
    assert main([*argv[:7], str(tmp_path / "again"), *argv[8:]]) == 0
    assert (tmp_path / "again" / "results.csv").read_bytes() == (out / "results.csv").read_bytes()


def test_experiment_subset_of_participants_and_cache_dir(small_run, tmp_path: Path) -> None:
    out, cache = tmp_path / "results", tmp_path / "elsewhere"
    assert main(["-q", "experiment", "--out", str(out), "--preset", "tiny", "--targets", "apgrf",
                 "--participants", "OG02", "--cache-dir", str(cache), "--workers", "1", "--threads", "1"]) == 0
    table = pd.read_csv(out / "results.csv")
    assert set(table["subject"]) == {"OG02"} and len(table) == 6  # four strategies and two baselines by default
    assert list(table["strategy"][-2:]) == ["baseline_mean", "baseline_static"]
    assert (cache / "pretrained").is_dir()


def test_experiment_bad_input_exits_2(small_run, tmp_path: Path, capsys) -> None:
    status = main(["-q", "experiment", "--out", str(tmp_path / "r"), "--preset", "tiny", "--participants", "OG99"])
    assert status == 2
    assert "ConfigError" in capsys.readouterr().err
    assert main(["-q", "experiment", "--out", str(tmp_path / "r"), "--preset", "huge"]) == 2
    assert "ConfigError: unknown model preset 'huge'" in capsys.readouterr().err
    for argv in (["--strategies", "mixed"], ["--targets", "mlgrf"]):
        with pytest.raises(SystemExit) as info:
            main(["experiment", "--out", str(tmp_path / "r"), *argv])
        assert info.value.code == 2


def test_experiment_on_a_saved_stance_data_set(small_run, tmp_path: Path, stance_factory) -> None:
    overground = stance_factory(participants=("OG01", "OG02"), stances_per_participant=3, seed=8)
    treadmill = stance_factory(participants=("TM01",), stances_per_participant=4, seed=9, dataset="treadmill")
    StanceDataset.concat([overground, treadmill]).save(tmp_path / "stances")
    out = tmp_path / "results"
    assert main(["-q", "experiment", "--stances", str(tmp_path / "stances"), "--out", str(out), "--preset", "tiny",
                 "--targets", "vgrf", "--strategies", "overground"]) == 0
    assert small_run == []  # nothing simulated
    table = pd.read_csv(out / "results.csv")
    assert list(table["subject"]) == ["OG01", "OG02"]
    assert f"stance data set {tmp_path / 'stances'}" in (out / "provenance.json").read_text()
    command = json.loads((out / "provenance.json").read_text())["command"]
    assert command.startswith("grfkit -q experiment --stances ") and command.endswith("--strategies overground")


def test_experiment_baselines_only_and_a_participant_in_both_domains(small_run, tmp_path: Path, stance_factory,
                                                                     capsys) -> None:
    overground = stance_factory(participants=("OG01", "OG02"), stances_per_participant=3, seed=8)
    overground.save(tmp_path / "overground")
    out = tmp_path / "results"
    assert main(["-q", "experiment", "--stances", str(tmp_path / "overground"), "--out", str(out),
                 "--strategies", "baseline_mean", "baseline_static"]) == 0
    table = pd.read_csv(out / "results.csv")
    assert list(table["strategy"]) == (["baseline_mean"] * 2 + ["baseline_static"] * 2) * 2  # vGRF, then apGRF
    assert (table["n_undefined"] == 0).all()
    assert "baseline_static" in capsys.readouterr().out

    twin = stance_factory(participants=("OG02",), stances_per_participant=4, seed=9, dataset="treadmill")
    StanceDataset.concat([overground, twin]).save(tmp_path / "both")
    assert main(["-q", "experiment", "--stances", str(tmp_path / "both"), "--out", str(tmp_path / "r2")]) == 2
    assert "ConfigError" in (err := capsys.readouterr().err) and "['OG02'] appear in both" in err
    assert not (tmp_path / "r2").exists()


def test_experiment_on_a_cohort_without_the_domain_gap(small_run, tmp_path: Path, stance_factory,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import grfkit.storage.cohort_cache as cc

    asked = {}
    overground = stance_factory(participants=("OG01", "OG02"), stances_per_participant=3, seed=8)
    treadmill = stance_factory(participants=("TM01",), stances_per_participant=4, seed=9, dataset="treadmill")

    def fake(scale, seed, cache=None, *, progress=False, gap):
        asked.update(scale=scale, seed=seed, gap=gap)
        return StanceDataset.concat([overground, treadmill])

    monkeypatch.setattr(cc, "load_or_build_stances", fake)
    out = tmp_path / "results"
    assert main(["-q", "experiment", "--out", str(out), "--preset", "tiny", "--targets", "vgrf",
                 "--strategies", "baseline_mean", "--gap-off", "all"]) == 0
    assert not any(dataclasses.asdict(asked["gap"]).values())
    assert "domain gap nogap" in json.loads((out / "provenance.json").read_text())["data"]["source"]
    assert main(["-q", "experiment", "--out", str(out), "--stances", str(tmp_path), "--gap-off", "all"]) == 2


_POOL_SCRIPT = '''
import os
import time
from pathlib import Path
from types import SimpleNamespace

from tqdm import tqdm

import grfkit.experiment.runner as experiment


def slow_fold(job):
    (Path(os.environ["GRFKIT_TEST_PIDS"]) / str(os.getpid())).write_text("")
    time.sleep(120)
    return 0.0


experiment._fold_in_worker = slow_fold  # at the top level, so that the spawned workers run it too

if __name__ == "__main__":
    jobs = [SimpleNamespace(pretrained_path=None, path=Path("/nonexistent") / str(i)) for i in range(2)]
    experiment._run_pool(2, [], jobs, None, None, {}, [], tqdm(disable=True), None)
'''


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_workers_end_when_the_experiment_is_killed(tmp_path: Path, how: str, process_alive) -> None:
    """After kill -9 or SIGTERM of `experiment --workers 2`, no worker keeps training."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "run.py"
    script.write_text(_POOL_SCRIPT)
    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, str(script)], env={**os.environ, "GRFKIT_TEST_PIDS": str(pids)})
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2:
            assert parent.poll() is None and time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
            workers = [int(p.name) for p in pids.iterdir()]
        parent.send_signal(getattr(signal, how))
        parent.wait(timeout=30)
        deadline = time.monotonic() + 5
        while any(map(process_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(process_alive, workers)), f"workers {workers} outlived the killed experiment"
        if how == "SIGTERM":
            assert parent.returncode == 128 + signal.SIGTERM
    finally:
        parent.kill()
        for pid in workers:
            if process_alive(pid):
                os.kill(pid, signal.SIGKILL)
