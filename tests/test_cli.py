"""Tests of the ``grfkit`` command line: simulate, preprocess, experiment, data and cache."""

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
from grfkit.scales import SCALES
from grfkit.storage.cohort_cache import CACHE_DIR_ENV


def test_simulate_then_preprocess(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_scale,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(SCALES, "ci", tiny_scale)  # the ci scale's code path with a tiny cohort
    raw = tmp_path / "raw"
    assert main(["-q", "simulate", "--scale", "ci", "--seed", "3", "--out", str(raw)]) == 0
    assert (raw / "dataset.json").is_file() and (raw / "truth" / "stances.csv").is_file()
    out = tmp_path / "stances"
    assert main(["-q", "preprocess", str(raw), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "treadmill:" in printed and "stance data set:" in printed
    ds = StanceDataset.load(out)
    assert len(ds) > 0 and (ds.skipped["reason"] != "").all()


def test_simulate_with_the_domain_gap_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   tiny_scale) -> None:
    import json

    monkeypatch.setitem(SCALES, "ci", tiny_scale)
    raw = tmp_path / "raw"
    assert main(["-q", "simulate", "--scale", "ci", "--out", str(raw), "--gap-off", "treadmill_incline",
                 "belt_dynamics"]) == 0
    gap = json.loads((raw / "dataset.json").read_text())["domain_gap"]
    assert not gap["treadmill_incline"] and not gap["belt_dynamics"] and gap["session_sensors"]
    assert main(["-q", "simulate", "--scale", "ci", "--out", str(tmp_path / "none"), "--gap-off", "all"]) == 0
    assert not any(json.loads((tmp_path / "none" / "dataset.json").read_text())["domain_gap"].values())
    with pytest.raises(SystemExit):
        main(["simulate", "--out", "x", "--gap-off", "gravity"])


def test_bad_input_exits_2_with_a_typed_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["-q", "preprocess", str(tmp_path / "nowhere"), "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert status == 2
    assert "MissingFileError" in err and "nowhere" in err


def test_unknown_scale_is_rejected_by_the_parser() -> None:
    with pytest.raises(SystemExit) as info:
        main(["simulate", "--scale", "huge", "--out", "x"])
    assert info.value.code == 2


# --- the command line as people expect it ----------------------------------------------


def test_version_and_python_dash_m(capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess
    import sys

    import grfkit

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"grfkit {grfkit.__version__}"
    done = subprocess.run([sys.executable, "-m", "grfkit", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"grfkit {grfkit.__version__}"


def test_help_is_fast_and_imports_neither_torch_nor_pandas() -> None:
    import subprocess
    import sys

    script = (
        "import sys, time\n"
        "started = time.perf_counter()\n"
        "from grfkit.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(time.perf_counter() - started, 'torch' in sys.modules, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    seconds, torch_loaded, pandas_loaded = done.stdout.split()[-3:]
    assert torch_loaded == "False" and pandas_loaded == "False"
    assert float(seconds) < 1.0


def test_help_shows_defaults_scale_sizes_and_the_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    for step in ("grfkit simulate", "grfkit preprocess", "grfkit experiment", "grfkit data fetch", "grfkit cache"):
        assert step in top
    with pytest.raises(SystemExit):
        main(["experiment", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: fast)" in text and "(default: 1)" in text and "(default: 0)" in text
    for name in ("ci", "book", "paper"):
        scale = SCALES[name]
        assert f"{name}: {scale.overground_participants} overground runners" in text
        assert f"{scale.treadmill_participants} treadmill runners x {len(scale.treadmill_conditions)} conditions" in text
    assert "about 21 min" in text and "2-core CPU" in text


def test_quiet_is_accepted_after_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_scale,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import grfkit.simulate.cohort as cohort

    monkeypatch.setitem(SCALES, "ci", tiny_scale)
    seen = []
    real = cohort.simulate_cohort

    def spy(*args, progress, **kwargs):
        seen.append(progress)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(cohort, "simulate_cohort", spy)
    assert main(["simulate", "--out", str(tmp_path / "a"), "-q"]) == 0
    assert main(["-q", "simulate", "--out", str(tmp_path / "b")]) == 0
    assert main(["simulate", "--out", str(tmp_path / "c")]) == 0
    assert seen == [False, False, True]


def test_the_cli_choices_are_the_librarys() -> None:
    import dataclasses

    import grfkit.cli_options as options
    from grfkit.experiment.config import TARGETS
    from grfkit.experiment.strategies import ALL_STRATEGIES
    from grfkit.model.presets import PRESETS
    from grfkit.simulate import DomainGap

    assert options.STRATEGIES == ALL_STRATEGIES and options.TARGETS == TARGETS
    assert set(options.PRESETS) == set(PRESETS)
    assert options.GAP_SWITCHES == tuple(f.name for f in dataclasses.fields(DomainGap))
    assert set(options.EXPERIMENT_TIME) == set(SCALES)


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import grfkit.simulate.cohort as cohort

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cohort, "simulate_cohort", interrupted)
    try:
        status = main(["-q", "simulate", "--out", str(tmp_path / "raw")])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped as a traceback")
    assert status == 130 and capsys.readouterr().err == "grfkit simulate: interrupted\n"


# --- data and cache commands (grfkit.real.registry, grfkit.storage.cache) -------------------------------


def test_data_list_and_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    import grfkit.real.data_folder as datasets

    calls = []

    def table(data_dir=None):
        calls.append(("list", data_dir))
        return pd.DataFrame({"name": ["hamner2013"], "title": ["Hamner"], "n_files": [3], "size_mb": [1.5],
                             "licence": ["CC-BY"], "citation": ["Hamner 2013"], "local_path": ["/d/hamner2013"],
                             "status": ["absent"]})

    def fetch(names=None, data_dir=None, progress=True):
        calls.append(("fetch", names, data_dir, progress))
        return [Path("/d") / n for n in names or ["hamner2013", "dorn2012"]]

    monkeypatch.setattr(datasets, "dataset_table", table, raising=False)
    monkeypatch.setattr(datasets, "fetch_datasets", fetch, raising=False)
    assert main(["data", "list", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["hamner2013 [absent]: Hamner", "  3 files, 1.5 MB, in /d/hamner2013",
                                                    "  licence: CC-BY", "  cite: Hamner 2013"]
    assert main(["data", "fetch", "dorn2012", "--data-dir", str(tmp_path), "-q"]) == 0
    assert main(["data", "fetch"]) == 0
    assert calls == [("list", tmp_path), ("fetch", ["dorn2012"], tmp_path, False), ("fetch", None, None, True)]
    assert "verified: /d/dorn2012" in capsys.readouterr().out


@pytest.fixture
def fake_cache(monkeypatch: pytest.MonkeyPatch):
    import pandas as pd

    import grfkit.storage.cache_entries as cache

    cleared = []
    table = pd.DataFrame({"kind": ["fold", "cohort"], "key": ["k1", "k2"], "path": ["/c/k1", "/c/k2"],
                          "size_mb": [2.0, 3.0], "modified": ["2026-01-01", "2026-01-02"], "current": [False, True]})
    monkeypatch.setattr(cache, "cache_table", lambda cache_dir=None: table, raising=False)

    def clear(cache_dir=None, stale_only=False):
        cleared.append((cache_dir, stale_only))
        return 2_000_000 if stale_only else 5_000_000

    monkeypatch.setattr(cache, "clear_cache", clear, raising=False)
    return cleared


def test_cache_ls_and_clear(fake_cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    import io

    import grfkit.storage.cache_entries as cache

    cache_table = cache.cache_table(None)
    assert main(["cache", "ls", "--cache-dir", str(tmp_path)]) == 0
    assert "k1" in capsys.readouterr().out
    assert main(["cache", "clear", "--stale", "--yes", "--cache-dir", str(tmp_path)]) == 0
    assert fake_cache == [(tmp_path, True)]
    assert "1 stale cache entries (2.0 MB)" in capsys.readouterr().out

    monkeypatch.setattr(cache, "cache_table", lambda cache_dir=None: cache_table.iloc[0:0])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal, but nothing to confirm
    assert main(["cache", "clear"]) == 0 and "nothing to delete" in capsys.readouterr().out
    assert fake_cache == [(tmp_path, True)]


def test_cache_clear_asks_first_and_needs_yes_without_a_terminal(fake_cache, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a terminal
    assert main(["cache", "clear"]) == 2
    assert "pass --yes" in capsys.readouterr().err and fake_cache == []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["cache", "clear"]) == 0 and fake_cache == []
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["cache", "clear"]) == 0 and fake_cache == [(None, False)]
    assert "2 cache entries (5.0 MB)" in capsys.readouterr().out


# --------------------------------------------------------------------------- experiment


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

