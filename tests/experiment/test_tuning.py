"""grfkit.experiment.tuning: nested leave-one-subject-out hyper-parameter search on the ci cohort with the ci preset."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import grfkit.experiment.tuning as tuning
from grfkit.cli import main
from grfkit.errors import ConfigError
from grfkit.experiment.strategies import exaggerate_participant
from grfkit.experiment.tuning import (
    SEARCH_SPACE,
    Dimension,
    LeakageError,
    TuningResult,
    check_inner_folds,
    grouped_folds,
    tune,
)
from grfkit.experiment.tuning_results import INNER_SCORE

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: A small search: 3 trials asked 2 at a time (two batches), 2 inner folds (of 2 and 1 runners), the ci preset.
SMALL = {"strategy": "overground", "target": "vgrf", "preset": "ci", "seed": 0, "n_trials": 3, "parallel_trials": 2,
         "inner_folds": 2}
#: Columns that hold times, which differ from run to run.
TIMES = ["compute_time_s"]


@pytest.fixture(scope="module")
def ci_stances():
    """The ci cohort, seed 0 (4 overground runners, 6 treadmill runners), from grfkit's cohort cache."""
    from grfkit.storage.cohort_cache import load_or_build_stances

    return load_or_build_stances("ci", 0, progress=False)


@pytest.fixture(scope="module")
def og01(ci_stances, tmp_path_factory) -> TuningResult:
    """The small search with OG01 held out, in this process (workers=1)."""
    return tune(ci_stances, **SMALL, participants=["OG01"], cache_dir=tmp_path_factory.mktemp("cache-og01"))


def _same(a: TuningResult, b: TuningResult) -> None:
    pd.testing.assert_frame_equal(a.trials, b.trials, check_exact=True)
    pd.testing.assert_frame_equal(a.chosen.drop(columns=TIMES), b.chosen.drop(columns=TIMES), check_exact=True)


def test_end_to_end_at_ci_scale_writes_the_results_folder(ci_stances, tmp_path: Path) -> None:
    out = tmp_path / "tuned"
    result = tune(ci_stances, out, strategy="combined", preset="ci", n_trials=2, parallel_trials=2, inner_folds=2,
                  cache_dir=tmp_path / "cache", command="grfkit tune ...")
    assert sorted(p.name for p in out.iterdir()) == [".grfkit-output.json", "chosen.csv", "provenance.json",
                                                    "trials.csv"]
    assert list(result.chosen["participant"]) == ["OG01", "OG02", "OG03", "OG04"]  # every outer fold
    assert len(result.trials) == 4 * 2 and set(result.trials["state"]) == {"complete"}
    for name, dimension in SEARCH_SPACE.items():
        values = result.trials[name]
        if dimension.choices:
            assert set(values) <= set(dimension.choices)
        else:
            assert values.between(dimension.low, dimension.high).all()
    assert np.isfinite(result.chosen["outer_rrmse_pct"]).all() and (result.chosen["n_outer_stances"] > 0).all()
    # The inner best is the best trial's inner score, and is labelled as such.
    best = result.trials.loc[result.trials.groupby("participant")["inner_rrmse_pct"].idxmin()]
    assert list(best["inner_rrmse_pct"]) == list(result.chosen[INNER_SCORE])
    assert "optimistic" in INNER_SCORE and "optimistic" in result.summary()
    assert result.outer_rrmse_pct == pytest.approx(result.chosen["outer_rrmse_pct"].mean())
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["command"] == "grfkit tune ..." and provenance["executor"]["executor"] == "local"
    assert provenance["config"]["strategy"] == "combined" and provenance["config"]["trials"] == 2
    assert {"commit", "dirty"} <= set(provenance["git"]) and provenance["wall_time_s"] > 0
    assert provenance["compute_time_s"] > 0
    _same(TuningResult.load(out), result)


def test_inner_folds_never_see_the_held_out_participant(ci_stances, tmp_path: Path, monkeypatch) -> None:
    seen = []
    original = tuning._fit_task

    def recording(data, job):
        seen.append(job)
        return original(data, job)

    monkeypatch.setattr(tuning, "_fit_task", recording)
    tune(ci_stances, **{**SMALL, "n_trials": 2, "inner_folds": 3}, participants=["OG02"], cache_dir=tmp_path)
    inner = [job for job in seen if job.inner]
    assert len(inner) == 2 * 3 and len(seen) == 2 * 3 + 1  # 2 trials x 3 folds, then the refit
    for job in inner:
        assert "OG02" not in job.train + job.test and not set(job.train) & set(job.test)
    assert {job.test for job in inner} == {("OG01",), ("OG03",), ("OG04",)}  # LOSO: 3 folds, 3 training runners
    (refit,) = [job for job in seen if not job.inner]
    assert refit.test == ("OG02",) and refit.train == ("OG01", "OG03", "OG04")


@given(participants=st.sets(st.text("ABCDEFGH0123", min_size=1, max_size=3), min_size=2, max_size=12),
       n_folds=st.integers(2, 6))
def test_grouped_folds_partition_the_training_participants(participants: set[str], n_folds: int) -> None:
    folds = grouped_folds(sorted(participants), n_folds)
    assert len(folds) == min(n_folds, len(participants))
    validated = [p for _, validation in folds for p in validation]
    assert sorted(validated) == sorted(participants)  # each validated exactly once
    for train, validation in folds:
        assert set(train) | set(validation) == participants and not set(train) & set(validation)
    check_inner_folds(folds, "held-out")  # a participant outside the list is never in a fold


def test_perturbing_the_held_out_participant_changes_no_trial_or_choice(ci_stances, og01, tmp_path: Path) -> None:
    absurd = exaggerate_participant(ci_stances, "OG01", 1000.0, target_factor=1000.0, mass_factor=3.0)
    perturbed = tune(absurd, **SMALL, participants=["OG01"], cache_dir=tmp_path)
    pd.testing.assert_frame_equal(perturbed.trials, og01.trials, check_exact=True)
    kept = ["participant", *SEARCH_SPACE, "best_trial", INNER_SCORE]
    pd.testing.assert_frame_equal(perturbed.chosen[kept], og01.chosen[kept], check_exact=True)
    assert perturbed.chosen["outer_rrmse_pct"].item() != og01.chosen["outer_rrmse_pct"].item()  # it is scored


def test_a_leaky_inner_split_makes_the_run_fail(ci_stances, tmp_path: Path, monkeypatch) -> None:
    honest = tuning.grouped_folds

    def leaky(participants, n_folds):
        folds = honest(participants, n_folds)
        return [((*folds[0][0], "OG03"), folds[0][1]), *folds[1:]]  # OG03, the held-out runner, trained on

    monkeypatch.setattr(tuning, "grouped_folds", leaky)
    with pytest.raises(LeakageError, match="held-out participant 'OG03' is in inner fold 0"):
        tune(ci_stances, **SMALL, participants=["OG03"], cache_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # nothing was trained or cached
    # The task checks again: a job that validates on the held-out participant fails before training.
    job = tuning._FitJob(strategy="overground", target="vgrf", preset=tuning.get_preset("ci"), seed=0, num_threads=1,
                         held_out="OG03", train=("OG01", "OG02"), test=("OG03",), inner=True)
    with pytest.raises(LeakageError):
        tuning._fit_task({"stances": ci_stances}, job)


def test_results_do_not_depend_on_the_number_of_workers(ci_stances, og01, tmp_path: Path) -> None:
    pooled = tune(ci_stances, **SMALL, participants=["OG01"], cache_dir=tmp_path, workers=2)
    _same(pooled, og01)
    assert pooled.provenance["executor"]["workers"] == 2


def test_a_stopped_run_resumes_from_its_finished_outer_folds(ci_stances, og01, tmp_path: Path,
                                                             monkeypatch) -> None:
    class Stop(Exception):
        pass

    def stop(chosen, loaded):
        raise Stop(chosen["participant"])

    with pytest.raises(Stop) as first:
        tune(ci_stances, **SMALL, participants=["OG01", "OG04"], cache_dir=tmp_path, on_fold=stop)
    finished = str(first.value)
    calls = []
    original = tuning._fit_task
    monkeypatch.setattr(tuning, "_fit_task", lambda data, job: calls.append(job.held_out) or original(data, job))
    resumed = tune(ci_stances, **SMALL, participants=["OG01", "OG04"], cache_dir=tmp_path)
    assert set(calls) == {"OG01", "OG04"} - {finished} and len(calls) == 3 * 2 + 1  # only the unfinished fold
    assert resumed.provenance["n_outer_folds_from_cache"] == 1
    kept = resumed.chosen[resumed.chosen["participant"] == "OG01"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept.drop(columns=TIMES), og01.chosen.drop(columns=TIMES), check_exact=True)
    pd.testing.assert_frame_equal(resumed.trials[resumed.trials["participant"] == "OG01"], og01.trials,
                                  check_exact=True)


def test_cli_tune_prints_the_choice_and_writes_the_folder(ci_stances, tmp_path: Path, monkeypatch, capsys) -> None:
    import grfkit.storage.cohort_cache as cohort_cache

    monkeypatch.setattr(cohort_cache, "load_or_build_stances", lambda *args, **kwargs: ci_stances)
    out = tmp_path / "out"
    argv = ["tune", "--scale", "ci", "--seed", "0", "--strategy", "overground", "--target", "vgrf", "--preset", "ci",
            "--trials", "2", "--inner-folds", "2", "--parallel-trials", "2", "--executor", "local", "--workers", "1",
            "--participants", "OG04", "--cache-dir", str(tmp_path / "cache"), "--out", str(out), "-q"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "OG04" in printed and "outer rRMSE (nested cross-validation)" in printed and str(out) in printed
    result = TuningResult.load(out)
    assert list(result.chosen["participant"]) == ["OG04"] and len(result.trials) == 2
    assert result.provenance["command"].startswith("grfkit tune --scale ci")


@pytest.mark.parametrize(("argv", "message"), [
    (["--trials", "0"], "trials must be a positive integer"),
    (["--inner-folds", "1"], "inner_folds must be an integer of at least 2"),
    (["--participants", "OG09"], "outer participants ['OG09'] are not overground participants"),
    (["--scheduler", "tcp://127.0.0.1:1"], "a scheduler address needs the dask executor"),
    (["--preset", "huge"], "unknown model preset 'huge'"),
])
def test_cli_bad_arguments_give_clear_errors(ci_stances, tmp_path: Path, monkeypatch, capsys, argv,
                                             message) -> None:
    import grfkit.storage.cohort_cache as cohort_cache

    monkeypatch.setattr(cohort_cache, "load_or_build_stances", lambda *args, **kwargs: ci_stances)
    base = ["tune", "--strategy", "overground", "--preset", "ci", "--cache-dir", str(tmp_path / "c"),
            "--out", str(tmp_path / "out"), "-q"]
    assert main([*base, *argv]) == 2
    assert "grfkit tune: " in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_baseline_strategy(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["tune", "--strategy", "baseline_mean", "--out", "x"])
    assert raised.value.code == 2 and "invalid choice: 'baseline_mean'" in capsys.readouterr().err


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"strategy": "baseline_static"}, "is a baseline with no hyper-parameters"),
    ({"strategy": "sideways"}, "unknown strategy 'sideways'"),
    ({"target": "mlgrf"}, "unknown target 'mlgrf'"),
    ({"parallel_trials": 0}, "parallel_trials must be a positive integer"),
    ({"search_space": {"hidden_units": Dimension(choices=(8,))}}, r"search space names \['hidden_units'\]"),
    ({"search_space": {}}, "search space names nothing"),
    ({"participants": []}, r"outer participants \[\] are not"),
    ({"executor": "cluster"}, "unknown executor 'cluster'"),
])
def test_bad_arguments_give_clear_errors(ci_stances, tmp_path: Path, kwargs, message) -> None:
    with pytest.raises(ConfigError, match=message):
        tune(ci_stances, **{**SMALL, "participants": ["OG01"], **kwargs}, cache_dir=tmp_path)


def test_too_few_participants_and_bad_dimensions_are_refused(ci_stances, tmp_path: Path) -> None:
    overground = ci_stances.subset(ci_stances.meta["participant"].isin(["OG01", "OG02"]).to_numpy())
    with pytest.raises(ConfigError, match="at least 3 overground participants"):
        tune(overground, **SMALL, cache_dir=tmp_path)
    with pytest.raises(ConfigError, match="needs treadmill stances"):
        tune(ci_stances.subset((ci_stances.meta["dataset"] == "overground").to_numpy()),
             **{**SMALL, "strategy": "combined"}, cache_dir=tmp_path)
    with pytest.raises(ConfigError, match="either choices or low and high"):
        Dimension()
    with pytest.raises(ConfigError, match="low > 0 when log"):
        Dimension(low=0.0, high=1.0, log=True)


def test_the_tune_command_choices_are_the_librarys() -> None:
    from grfkit.cli import build_parser
    from grfkit.cli_tune import TUNE_STRATEGIES
    from grfkit.experiment.strategies import STRATEGIES
    from grfkit.scales import SCALES

    assert TUNE_STRATEGIES == STRATEGIES
    for scale in ("ci", "book", "paper"):
        assert scale in SCALES and build_parser().parse_args(["tune", "--scale", scale, "--out", "x"]).scale == scale
