"""The kept runs the book reads: chapter 8's sweeps and search, chapter 5's paper-scale runs; complete, clean, ours."""

import re
import subprocess
from pathlib import Path

import pytest

from grfkit.experiment.store import load_results
from grfkit.experiment.strategies import ALL_STRATEGIES
from grfkit.experiment.sweeps import load_sweep, sweep_table
from grfkit.experiment.tuning_results import INNER_SCORE, TuningResult

ROOT = Path(__file__).resolve().parents[2]
KEPT = ROOT / "results" / "sweeps" / "book"
KEPT_TUNING = ROOT / "results" / "tuning" / "book-combined-vgrf"
CHAPTER = ROOT / "notebooks" / "08_treadmill_data.py"
SWEEP_NAMES = ("treadmill-fraction", "overground-participants", "fine-tuning", "model-size")


def _clean_and_ours(git: dict) -> None:
    assert re.fullmatch(r"[0-9a-f]{40}", git["commit"]) and git["dirty"] is False
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, text=True)
    if inside.returncode != 0:  # an exported tree without git: the commit cannot be checked here
        return
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip() == "true"
    if shallow:  # a shallow clone lacks older commits: their ancestry cannot be checked here
        return
    ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", git["commit"], "HEAD"], cwd=ROOT)
    assert ancestor.returncode == 0, f"{git['commit']} is not in this repository's history"


@pytest.mark.parametrize("name", SWEEP_NAMES)
def test_a_kept_sweep_is_book_scale_clean_and_complete(name) -> None:
    sweep = load_sweep(KEPT / name)
    made = sweep.provenance
    assert (made["sweep"], made["scale"], made["seed"]) == (name, "book", 0)
    assert made["command"].startswith(f"grfkit sweep {name} --scale book --seed 0")
    _clean_and_ours(made["git"])
    table = sweep_table(sweep)
    assert table["rrmse_pct"].notna().all() and (table["rrmse_pct"] > 0).all()
    # every point scores the same 8 held-out runners for every strategy and target it ran
    per_point = table.groupby(["point", "strategy", "target"])["subject"].nunique()
    assert (per_point == 8).all(), per_point[per_point != 8]
    assert {p["point"] for p in made["points"]} == set(table["point"])
    assert all(p["compute_time_s"] > 0 or p["n_fits_computed"] == 0 for p in made["points"])


def test_the_kept_search_is_nested_clean_and_reports_the_outer_score() -> None:
    tuned = TuningResult.load(KEPT_TUNING)
    made = tuned.provenance
    _clean_and_ours(made["git"])
    assert made["command"].startswith("grfkit tune --scale book --seed 0 --strategy combined --target vgrf")
    chosen = tuned.chosen
    assert chosen["participant"].is_unique and chosen["outer_rrmse_pct"].notna().all()
    assert INNER_SCORE in chosen.columns  # kept, labelled optimistic
    # the chapter shows the outer score and drops the inner one
    source = CHAPTER.read_text(encoding="utf-8")
    assert "outer_rrmse_pct" in source and 'drop(columns=["inner_best_rrmse_pct_optimistic"])' in source


RUNS = {"paper": ("fast", "cpu"), "paper-preset-gpu": ("paper", "cuda")}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_kept_paper_run_is_clean_complete_and_on_the_paper_cohort(name) -> None:
    results = load_results(ROOT / "results" / name)
    made = results.provenance
    preset, device = RUNS[name]
    _clean_and_ours(made["git"])
    assert made["command"].startswith("grfkit experiment --scale paper --seed 0")
    assert (made["config"]["scale"], made["config"]["preset"]["name"], made.get("device", "cpu")) == (
        "paper", preset, device)
    # every strategy and target scored on all 15 held-out participants of the study's design
    table = results.table
    assert set(table["strategy"]) == set(ALL_STRATEGIES) and set(table["target"]) == {"vgrf", "apgrf"}
    assert (table.groupby(["strategy", "target"])["subject"].nunique() == 15).all()
    assert table["rrmse_pct"].notna().all() and made["n_fits_computed"] + made["n_fits_cached"] == 182


def test_the_kept_paper_runs_hold_out_the_same_participants_on_the_same_data() -> None:
    """Chapter 5 compares them participant by participant, which needs the same stances."""
    fast, paper = (load_results(ROOT / "results" / name) for name in sorted(RUNS))
    assert fast.provenance["data"]["fingerprint"] == paper.provenance["data"]["fingerprint"]
    # the baselines train no network: identical in both runs, whatever the preset and device
    baselines = [s for s in ALL_STRATEGIES if s.startswith("baseline")]
    keys = ["strategy", "target", "subject"]
    a, b = ((r.table.loc[r.table["strategy"].isin(baselines)].set_index(keys)["rrmse_pct"].sort_index())
            for r in (fast, paper))
    assert a.round(9).equals(b.round(9))
