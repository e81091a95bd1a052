"""Ablation sweeps at ci scale with the ci preset: nested subsets, sweep.csv, resuming, bad values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import ConfigError, OutputError
from grfkit.experiment.comparisons import holm_adjusted
from grfkit.experiment.store import load_results
from grfkit.experiment.strategies import split_domains
from grfkit.experiment.sweeps import (
    SWEEPS,
    Sweep,
    _training_subset,
    _treadmill_subset,
    load_sweep,
    run_sweep,
    sweep_statistics,
    sweep_table,
)
from grfkit.storage.cohort_cache import load_or_build_stances

pytestmark = pytest.mark.usefixtures("one_torch_thread")

COLUMNS = ["point", "value", "preset", "strategy", "target", "subject", "rrmse_pct", "n_train_stances",
           "wall_time_s"]


@pytest.fixture(scope="module")
def ci_stances():
    return load_or_build_stances("ci", 0, progress=False)


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """One output folder and fold cache for the module (sweeps share pre-trained models)."""
    return tmp_path_factory.mktemp("sweeps")


def _sweep(name, shared, ci_stances, **kwargs):
    kwargs.setdefault("targets", ["vgrf"])
    return run_sweep(name, scale="ci", seed=0, out_dir=shared / "out", preset="ci", stances=ci_stances,
                     cache_dir=shared / "cache", progress=False, **kwargs)


names = st.lists(st.integers(0, 99), min_size=2, max_size=20, unique=True).map(lambda x: [f"P{i:02d}" for i in x])


@settings(max_examples=50, deadline=None)
@given(names, st.integers(0, 2**32 - 1), st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_treadmill_subsets_are_nested_and_sized(participants, seed, f1, f2) -> None:
    small, large = sorted((f1, f2))
    a, b = _treadmill_subset(participants, small, seed), _treadmill_subset(participants, large, seed)
    assert len(a) == max(1, round(small * len(participants)))
    assert b[: len(a)] == a and set(b) <= set(participants) and len(set(b)) == len(b)
    assert _treadmill_subset(participants[::-1], large, seed) == b  # order of the input does not matter


@settings(max_examples=50, deadline=None)
@given(names, st.integers(0, 2**32 - 1), st.data())
def test_training_subsets_exclude_the_held_out_and_are_nested(participants, seed, data) -> None:
    held_out = data.draw(st.sampled_from(participants))
    n = data.draw(st.integers(1, len(participants) - 1))
    chosen = _training_subset(participants, held_out, n, seed)
    everyone = _training_subset(participants, held_out, len(participants) - 1, seed)
    assert held_out not in everyone and len(chosen) == n
    assert everyone[:n] == chosen and sorted(everyone) == sorted(set(participants) - {held_out})


def test_treadmill_fraction_table_provenance_and_resume(shared, ci_stances) -> None:
    sweep = _sweep("treadmill-fraction", shared, ci_stances, values=[0, 0.5, 1], strategies=["overground", "combined"])
    table = sweep.table
    assert list(table.columns) == COLUMNS
    assert table.groupby("point")["strategy"].unique().map(list).to_dict() == {
        "f0": ["overground"], "f0.5": ["combined"], "f1": ["combined"]}
    assert len(table) == 3 * 4 and table["rrmse_pct"].notna().all() and (table["wall_time_s"] > 0).all()
    points = {p["point"]: p for p in sweep.provenance["points"]}
    treadmill = [str(p) for p in split_domains(ci_stances)[1].participants]
    half = points["f0.5"]["treadmill_participants"]
    assert len(half) == round(0.5 * len(treadmill)) and points["f1"]["treadmill_participants"][:len(half)] == half
    assert sorted(points["f1"]["treadmill_participants"]) == sorted(treadmill)
    # combined trains on the overground others plus the chosen treadmill participants' stances
    counts = ci_stances.meta["participant"].astype(str).value_counts()
    combined = table.loc[table["point"] == "f0.5"].set_index("subject")["n_train_stances"]
    overground = table.loc[table["point"] == "f0"].set_index("subject")["n_train_stances"]
    assert (combined - overground == counts[half].sum()).all()
    point = load_results(sweep.folder / "points" / "f0.5")
    assert point.provenance["data"]["n_treadmill_participants"] == len(half)
    provenance = json.loads((sweep.folder / "provenance.json").read_text())
    assert provenance["sweep"] == "treadmill-fraction" and provenance["scale"] == "ci"
    assert provenance["compute_time_s"] == pytest.approx(sum(p["compute_time_s"] for p in provenance["points"]))
    assert provenance["n_fits_computed"] > 0 and "commit" in provenance["git"]
    again = _sweep("treadmill-fraction", shared, ci_stances, values=[0, 0.5, 1], strategies=["overground", "combined"])
    assert again.provenance["n_fits_computed"] == 0
    reread = load_sweep(sweep.folder)
    np.testing.assert_allclose(reread.table["rrmse_pct"], table["rrmse_pct"])
    wide = sweep_table(reread, wide=True)
    assert {"overground", "combined"} <= set(wide.columns) and len(wide) == 12
    stats = sweep_statistics(reread, n_bootstrap=200)
    assert set(stats["point"]) == {"f0.5", "f1"}  # combined against the fraction-0 overground reference
    assert set(zip(stats["a"], stats["b"])) == {("overground", "combined")}
    assert (stats["n_participants"] == 4).all()
    flipped = sweep_statistics(reread, pairs=[("combined", "overground"), ("transfer", "overground")],
                               n_bootstrap=200)
    assert set(zip(flipped["a"], flipped["b"])) == {("combined", "overground")}  # transfer did not run
    np.testing.assert_allclose(flipped["mean_difference_pp"], -stats["mean_difference_pp"])
    np.testing.assert_allclose(flipped["p_value"], stats["p_value"])


def test_overground_participants_never_train_on_the_held_out(shared, ci_stances) -> None:
    sweep = _sweep("overground-participants", shared, ci_stances, values=[2, "all"], strategies=["overground"])
    overground = [str(p) for p in split_domains(ci_stances)[0].participants]
    counts = ci_stances.meta["participant"].astype(str).value_counts()
    assert sorted(set(sweep.table["point"])) == ["n2", "nall"]
    assert sorted(sweep.table["value"].unique()) == [2.0, len(overground) - 1.0]
    for point in sweep.provenance["points"]:
        held_out, chosen = point["held_out"], point["training_participants"]
        assert held_out not in chosen and len(chosen) == point["value"]
        results = load_results(sweep.folder / point["folder"])
        assert results.provenance["data"]["held_out"] == [held_out]
        assert sorted(results.provenance["data"]["overground_participants"]) == sorted([held_out, *chosen])
        row = sweep.table.loc[(sweep.table["point"] == point["point"]) & (sweep.table["subject"] == held_out)]
        assert row["n_train_stances"].item() == counts[chosen].sum()
    small = {p["held_out"]: p["training_participants"] for p in sweep.provenance["points"] if p["point"] == "n2"}
    full = {p["held_out"]: p["training_participants"] for p in sweep.provenance["points"] if p["point"] == "nall"}
    assert all(full[h][:2] == small[h] for h in overground)


def test_fine_tuning_variants_and_model_size(shared, ci_stances) -> None:
    tuned = _sweep("fine-tuning", shared, ci_stances, values=["all", "output"])
    assert list(dict.fromkeys(tuned.table["preset"])) == ["ci", "ci-ft-output"]
    assert set(tuned.table["strategy"]) == {"transfer"} and len(tuned.table) == 8
    assert [(p["fine_tune_trainable"], p["fine_tune_lr_factor"]) for p in tuned.provenance["points"]] == [
        ("all", 0.5), ("output", 0.5)]
    stats = sweep_statistics(tuned, between="points", n_bootstrap=100)
    assert list(stats[["point", "a", "b", "strategy"]].iloc[0]) == ["output", "output", "all", "transfer"]
    sized = _sweep("model-size", shared, ci_stances, values=[8, 16], strategies=["overground"])
    assert list(dict.fromkeys(sized.table["preset"])) == ["ci", "ci-h16"]
    assert [p["hidden_size"] for p in sized.provenance["points"]] == [8, 16]


def test_bad_sweeps_are_config_errors(shared, ci_stances, tmp_path) -> None:
    def bad(name, match, **kwargs):
        with pytest.raises(ConfigError, match=match):
            _sweep(name, shared, ci_stances, **kwargs)

    bad("warp-speed", "unknown sweep")
    bad("treadmill-fraction", r"\[0, 1\]", values=[0.5, 1.5])
    bad("treadmill-fraction", "not a number", values=["half"])
    bad("overground-participants", "at least 2", values=[1])
    bad("overground-participants", "nothing to run", values=[3, 8])  # ci: 4 overground, at most 2 others
    bad("overground-participants", "does not run", strategies=["treadmill"])
    bad("fine-tuning", "unknown variants", values=["lstm"])
    bad("model-size", "positive", values=[0])
    bad("model-size", "whole number", values=[12.5])
    bad("model-size", "without repeats", values=[8, 8])
    with pytest.raises(ConfigError, match="at least 3"):
        run_sweep("overground-participants", scale="ci", seed=0, out_dir=tmp_path, preset="ci", progress=False,
                  stances=ci_stances.subset(ci_stances.meta["participant"].isin(["OG01", "OG02", "TM01"]).to_numpy()))
    (tmp_path / "out" / "model-size").mkdir(parents=True)
    (tmp_path / "out" / "model-size" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="notes.txt"):
        _sweep("model-size", tmp_path, ci_stances, values=[8])
    assert set(SWEEPS) == {"treadmill-fraction", "overground-participants", "fine-tuning", "model-size"}


def test_output_variant_trains_only_the_last_layer(shared, ci_stances) -> None:
    from grfkit.model.training import fine_tune, fit

    overground, treadmill = split_domains(ci_stances)
    base = fit(treadmill, target="vgrf", preset="ci", seed=0, progress=False)
    tuned = fine_tune(base, overground, trainable="output", seed=0, progress=False, learning_rate=1e-2)
    before, after = base.network.state_dict(), tuned.network.state_dict()
    last = f"head.{len(base.network.head) - 1}."
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {last + "weight", last + "bias"}


def test_command_line(shared, capsys) -> None:
    from grfkit import cli
    from grfkit.cli_sweep import SWEEP_NAMES

    assert SWEEP_NAMES == tuple(SWEEPS)
    argv = ["-q", "sweep", "model-size", "--scale", "ci", "--preset", "ci", "--values", "8", "--strategies",
            "overground", "--targets", "vgrf", "--out", str(shared / "cli"), "--cache-dir", str(shared / "cache")]
    assert cli.main(argv) == 0
    assert "h8" in capsys.readouterr().out
    sweep = load_sweep(shared / "cli" / "model-size")
    assert sweep.provenance["command"].startswith("grfkit -q sweep model-size") and len(sweep.table) == 4
    assert cli.main(["sweep", "treadmill-fraction", "--values", "3/2", "--out", str(shared / "cli")]) == 2
    assert "[0, 1]" in capsys.readouterr().err


def test_sweep_statistics_adds_holm_adjusted_p_over_every_row(tmp_path) -> None:
    rng = np.random.default_rng(0)
    rows = [{"point": point, "value": value, "preset": "ci", "strategy": "transfer", "target": target,
             "subject": f"P{i}", "rrmse_pct": 10.0 + shift * i + rng.normal(0.0, 0.3)}
            for point, value, shift in (("all", 0.5, 0.0), ("head", 0.5, -0.2), ("lr1", 1.0, 0.1))
            for target in ("vgrf", "apgrf") for i in range(8)]
    sweep = Sweep(name="fine-tuning", table=pd.DataFrame(rows), provenance={}, folder=tmp_path)
    stats = sweep_statistics(sweep, between="points", reference="all", n_bootstrap=50)
    assert len(stats) == 4  # two variants x two targets: one family of four comparisons
    np.testing.assert_array_equal(stats["p_holm"].to_numpy(), holm_adjusted(stats["p_value"]))
    assert (stats["p_holm"] >= stats["p_value"]).all()
    assert sweep_statistics(sweep, between="strategies", n_bootstrap=50).empty  # one strategy: no pairs


def test_a_dask_sweep_without_a_scheduler_starts_one_cluster_for_every_point(monkeypatch, shared, ci_stances) -> None:
    import contextlib

    import grfkit.experiment.runner as runner
    import grfkit.experiment.sweeps as sweeps

    started, closed, schedulers = [], [], []

    @contextlib.contextmanager
    def fake_cluster(workers):
        started.append(workers)
        try:
            yield type("Cluster", (), {"scheduler_address": "tcp://127.0.0.1:1"})()
        finally:
            closed.append(workers)

    class Stop(Exception):
        pass

    def fake_run(config, out_dir, *, executor="local", scheduler=None, **options):
        schedulers.append((executor, scheduler))
        if len(schedulers) == 3:
            raise Stop
        keys = ["strategy", "target", "subject"]
        return type("Results", (), {"table": pd.DataFrame(columns=[*keys, "rrmse_pct"]), "provenance": {},
                                    "timings": pd.DataFrame(columns=["kind", *keys, "n_train_stances",
                                                                     "wall_time_s"])})()

    monkeypatch.setattr(sweeps, "local_cluster", fake_cluster)
    monkeypatch.setattr(runner, "run_experiment", fake_run)
    with pytest.raises(Stop):
        _sweep("treadmill-fraction", shared, ci_stances, values=[0.25, 0.5, 1], strategies=["combined"],
               executor="dask", workers=2)
    assert started == [2] and closed == [2]  # one cluster, closed even when a point fails
    assert schedulers == [("dask", "tcp://127.0.0.1:1")] * 3
    schedulers.clear()
    with pytest.raises(Stop):  # a given scheduler is used as it is; no cluster is started
        _sweep("treadmill-fraction", shared, ci_stances, values=[0.25, 0.5, 1], strategies=["combined"],
               executor="dask", scheduler="tcp://10.0.0.1:8786")
    assert started == [2] and schedulers == [("dask", "tcp://10.0.0.1:8786")] * 3
