# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # 8. How much treadmill data is enough?
#
# ```{admonition} Learning objectives
# After this chapter you can
# - read a learning curve: a strategy's leave-one-subject-out error against the amount of
#   one kind of training data, with every runner's own curve behind the mean;
# - say, with paired statistics, from how much treadmill data on mixing it in pays off, and
#   whether more overground runners would do the same job;
# - tell which fine-tuning variant and which model size this data set supports;
# - run a hyper-parameter search without letting the held-out runner choose the settings
#   (nested cross-validation), and report the outer score, never the inner one;
# - put a sweep on a cluster, and say what it cost.
# ```
#
# Run time: see {ref}`run-times`.
#
# Chapters 4 and 5 answered the study's question for one data set: does a large treadmill
# set help estimate the force overground? A lab planning its own study asks the next
# question: **how much** treadmill data, and would the same effort spent on more overground
# runners buy more? Each answer is a *sweep*: the leave-one-subject-out experiment of
# chapter 4, run again at each amount of data, every point cached like the experiment
# (`grfkit.experiment.sweeps`). The subsets are nested and seeded: the runners of a smaller
# treadmill fraction are also in every larger one, and the overground runners a held-out
# runner trains with never include that runner.
#
# Sweeps multiply the experiment's cost by their length, so this chapter is also about
# compute. At book scale the sweeps took the hours its last section lists; the published
# book therefore **reads them from kept results** (`results/sweeps/book`, each with the
# commit and command that made it) instead of recomputing them. `run_sweeps = True` runs
# them here; `None` (the default) runs them only where no kept sweep of this scale and seed
# exists, as at `ci` scale, where a few values of each sweep run in seconds.
# `executor`, `workers` and `scheduler` say where the folds run (`"dask"` starts a local
# Dask cluster, or joins the one at `scheduler`); the results do not depend on them.

# %% tags=["parameters"]
scale = "book"
seed = 0
run_sweeps = None
executor = "local"
workers = 2
scheduler = None
results_dir = "../results"

# %%
from fractions import Fraction
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display
from myst_nb import glue

from grfkit.executors import local_cluster
from grfkit.experiment.comparisons import (
    describe_comparison,
    paired_comparison,
    significantly_better,
)
from grfkit.experiment.sweeps import (
    FINE_TUNING_VARIANTS,
    load_sweep,
    run_sweep,
    sweep_statistics,
    sweep_table,
)
from grfkit.experiment.tuning import tune
from grfkit.experiment.tuning_results import TuningResult
from grfkit.plots.sweeps import learning_curve_figure
from grfkit.model.presets import get_preset
from grfkit.scales import preset_for_scale
from grfkit.storage.cohort_cache import cache_dir, load_or_build_stances

kept_root = Path(results_dir) / "sweeps" / scale
live_root = cache_dir() / "sweeps" / f"{scale}-seed{seed}"
# A few values of each sweep where they run here at ci scale (seconds each).
CI_VALUES = {
    "treadmill-fraction": [0, 1 / 2, 1],
    "overground-participants": [2, "all"],
    "fine-tuning": ["all", "output"],
    "model-size": [8, 16],
}
cluster = None
if executor == "dask" and scheduler is None and run_sweeps is not False:
    # one local cluster for every sweep of the chapter, its dashboard shown
    cluster = local_cluster(workers)
    scheduler = cluster.scheduler_address
    display(Markdown(f"Dask dashboard: <{cluster.dashboard_link}>"))
runner = {"executor": executor, "workers": workers, "scheduler": scheduler}
glue("lr_default", f"{get_preset('fast').fine_tune_lr_factor:g}",
     display=False)
glue("paper_units", get_preset("paper").hidden_size, display=False)
glue("fast_units", get_preset("fast").hidden_size, display=False)


def kept_or_run(name, **options):
    """The kept sweep of this scale and seed, or one run here."""
    kept = kept_root / name
    live = run_sweeps
    if live is None:
        live = not (kept / "sweep.csv").is_file()
    if not live:
        sweep = load_sweep(kept)
        made = sweep.provenance
        assert (made["scale"], made["seed"]) == (scale, seed), made
        return sweep
    values = options.pop("values", None)
    if scale == "ci":
        values = CI_VALUES[name]
    return run_sweep(name, scale=scale, seed=seed, out_dir=live_root,
                     values=values, progress=False, **options, **runner)


def origin(sweep):
    """Where a sweep's numbers come from, in one line."""
    made = sweep.provenance
    state = "dirty" if made["git"]["dirty"] else "clean"
    return (f"`{made['command']}` at commit `{made['git']['commit'][:10]}`"
            f" ({state} tree)")


# %% [markdown]
# ## 8.1 The treadmill fraction
#
# The first sweep keeps every overground runner and varies the treadmill set: none, then a
# growing fraction of its runners. The overground-only model and the
# no-wearable baseline use no treadmill data, so they run once and appear as dashed lines;
# treadmill only, transfer learning and combined training run at every fraction.

# %%
fraction = kept_or_run(
    "treadmill-fraction",
    strategies=["overground", "treadmill", "transfer", "combined",
                "baseline_static"],
)
fractions = sweep_table(fraction)
n_runners = fractions["subject"].nunique()
n_treadmill = max(p.get("n_treadmill_participants", 0)
                  for p in fraction.provenance["points"])
glue("fraction_origin", Markdown(origin(fraction)), display=False)
glue("fraction_values", ", ".join(
    str(Fraction(v).limit_denominator(64))
    for v in fraction.provenance["values"] if v), display=False)
glue("n_runners", n_runners, display=False)
glue("n_treadmill_runners", n_treadmill, display=False)
learning_curve_figure(
    fractions.loc[fractions["value"] > 0].pipe(
        lambda t: pd.concat([t, fractions.loc[fractions["value"] == 0]])),
    x_title="fraction of the treadmill runners",
    log_x=True,
    flat=("overground", "baseline_static"),
    title="Leave-one-subject-out rRMSE against the treadmill data",
)

# %% [markdown]
# Source: {glue:md}`fraction_origin`; fractions {glue:text}`fraction_values`. Thick lines
# are means over the
# {glue:text}`n_runners` held-out runners, thin lines each runner; the full treadmill set
# has {glue:text}`n_treadmill_runners` runners.
#
# A mean says little with so few runners. The table compares combined training and
# transfer learning with the overground-only model at every fraction, runner by runner: the
# mean difference in percentage points (negative: the treadmill data helped), its 95 %
# bootstrap interval, how many runners it helped and a Wilcoxon signed-rank test.

# %%
MIXED = [("transfer", "overground"), ("combined", "overground")]
statistics = sweep_statistics(fraction, pairs=MIXED)
against_overground = statistics.loc[statistics["value"] > 0]


def significant_fractions(rows, alpha=0.05):
    """The fractions at which the strategy was significantly better."""
    helps = rows.loc[significantly_better(rows, alpha), "value"]
    if helps.empty:
        return f"at none of the {len(rows)} fractions"
    listed = ", ".join(str(Fraction(v).limit_denominator(64)) for v in helps)
    return f"at {listed} of the treadmill runners (of {len(rows)} fractions)"


for (target, a), rows in against_overground.groupby(["target", "a"]):
    rows = rows.sort_values("value")
    glue(f"fraction_sig_{a}_{target}", significant_fractions(rows),
         display=False)
    glue(f"fraction_all_{a}_{target}",
         describe_comparison(rows.iloc[-1]), display=False)
    glue(f"fraction_smallest_{a}_{target}",
         describe_comparison(rows.iloc[0]), display=False)
shown = against_overground[
    ["target", "a", "value", "mean_a", "mean_b", "mean_difference_pp",
     "ci_low_pp", "ci_high_pp", "n_improved", "n_participants", "p_value"]
]
shown.sort_values(["target", "a", "value"]).round(3)

# %% [markdown]
# In words:
#
# - Combined training is significantly better than overground only (Wilcoxon p < 0.05) for
#   vGRF {glue:text}`fraction_sig_combined_vgrf`, and for apGRF
#   {glue:text}`fraction_sig_combined_apgrf`; transfer learning for vGRF
#   {glue:text}`fraction_sig_transfer_vgrf`, and for apGRF
#   {glue:text}`fraction_sig_transfer_apgrf`.
# - With the smallest treadmill set: {glue:text}`fraction_smallest_combined_vgrf`
#   {glue:text}`fraction_smallest_combined_apgrf`
# - With all of it: {glue:text}`fraction_all_combined_vgrf`
#   {glue:text}`fraction_all_combined_apgrf`
#
# The treadmill-only model is the curve to read for the domain gap: it never sees an
# overground stance, so more treadmill runners help it only as far as the treadmill is like
# the ground. Where its curve stays above the overground-only line, the treadmill alone does
# not reach the target domain, and the distance between it and the combined curve is what
# the overground runners add.
#
# ## 8.2 More overground runners instead?
#
# The second sweep keeps the whole treadmill set and varies the overground runners each
# model trains with, from two to all the others. For each held-out runner the training runners
# are drawn from the others by a seeded permutation, and the smaller sets are nested in the
# larger ones. Treadmill only does not change (it uses no overground runner) and is left
# out.

# %%
runners = kept_or_run("overground-participants")
runners_table = sweep_table(runners)
counts = runners_table["value"].unique()
glue("runners_origin", Markdown(origin(runners)), display=False)
glue("runner_values", ", ".join(
    str(v) for v in runners.provenance["values"]), display=False)
learning_curve_figure(
    runners_table,
    x_title="overground runners in training",
    title="rRMSE against the overground runners in training",
)

# %%
mixed_vs_og = sweep_statistics(runners, pairs=MIXED)
fewest = mixed_vs_og["value"].min()
for row in mixed_vs_og.loc[mixed_vs_og["value"] == fewest].itertuples():
    if row.a == "combined":
        glue(f"runners_fewest_{row.target}",
             describe_comparison(row._asdict()), display=False)
glue("runners_fewest", f"{fewest:.0f}", display=False)
means = runners_table.groupby(["target", "strategy", "value"])[
    "rrmse_pct"].mean().unstack("value").round(2)
means

# %% [markdown]
# Source: {glue:md}`runners_origin`; training runners {glue:text}`runner_values`. With
# {glue:text}`runners_fewest` overground runners
# in training: {glue:text}`runners_fewest_vgrf` {glue:text}`runners_fewest_apgrf`
#
# Read the overground-only rows from left to right: that is what collecting more
# overground runners buys a model that has no treadmill data. The combined rows show how
# much of that the treadmill set already provides. Where the combined curve is flat, the
# treadmill data stand in for overground runners; where it still falls, both kinds of data
# help.
#
# ## 8.3 How to fine-tune
#
# Transfer learning has choices of its own: which layers to retrain and how fast. The third
# sweep runs the transfer strategy with every layer trainable (the default, `all`), the LSTM
# frozen (`head`: only the dense layers), only the output layer (`output`), and every layer
# at another multiple of the training learning rate (`lr0.1`, `lr0.25`, `lr1`) instead of
# the preset's {glue:text}`lr_default`. Each variant is compared with the default, runner
# by runner.

# %%
tuning_sweep = kept_or_run("fine-tuning")
variants = sweep_statistics(tuning_sweep, between="points",
                            reference="all")
glue("finetune_origin", Markdown(origin(tuning_sweep)), display=False)
glue("finetune_variants", Markdown("; ".join(
    "`{}`: {} layers, factor {}".format(
        v, *(x or "of the preset" for x in FINE_TUNING_VARIANTS[v]))
    for v in tuning_sweep.provenance["values"])), display=False)
best = variants.loc[variants.groupby("target")["mean_difference_pp"].idxmin()]
for row in best.itertuples():
    glue(f"finetune_best_{row.target}", describe_comparison(row._asdict()),
         display=False)
n_significant = int((variants["p_value"] < 0.05).sum())
glue("finetune_n_significant", n_significant, display=False)
# p_holm: Holm's correction for the number of comparisons in the table
glue("finetune_n_holm", int((variants["p_holm"] < 0.05).sum()),
     display=False)
glue("finetune_n", len(variants), display=False)
variants[["target", "a", "b", "mean_a", "mean_b", "mean_difference_pp",
          "ci_low_pp", "ci_high_pp", "n_improved", "n_participants",
          "p_value", "p_holm"]].round(3)

# %% [markdown]
# Source: {glue:md}`finetune_origin`; variants {glue:md}`finetune_variants`.
# {glue:text}`finetune_n_significant` of {glue:text}`finetune_n` comparisons (variant and
# force) differ significantly from the default; after Holm's correction for making that many
# comparisons, {glue:text}`finetune_n_holm` do. The variant with
# the lowest mean: {glue:text}`finetune_best_vgrf` {glue:text}`finetune_best_apgrf`
#
# ## 8.4 How large a network
#
# The study's network has {glue:text}`paper_units` LSTM units per direction; the book's
# `fast` preset has {glue:text}`fast_units`. The fourth sweep trains models of other sizes
# ({glue:text}`size_strategies`).

# %%
size = kept_or_run("model-size", values=[16, 32, 128])
size_table = sweep_table(size)
glue("size_origin", Markdown(origin(size)), display=False)
glue("size_strategies", ", ".join(
    s.replace("_", " ") for s in size.provenance["strategies"]), display=False)
glue("size_targets", " and ".join(
    {"vgrf": "vGRF", "apgrf": "apGRF"}[t] for t in size.provenance["targets"]),
    display=False)
size_means = size_table.groupby(["target", "strategy", "value"])[
    "rrmse_pct"].mean().unstack("value").round(2)
fits = size.table.groupby("value")["wall_time_s"].median().round(1)
glue("size_fit_s", ", ".join(f"{v:.0f} units {s:.0f} s"
                             for v, s in fits.items()), display=False)
size_means

# %% [markdown]
# Source: {glue:md}`size_origin` ({glue:text}`size_targets`). A fold's median training
# time, as recorded when it was trained (sizes shared with an earlier sweep come from its
# cache, and the machine's load differed): {glue:text}`size_fit_s`.
# The LSTM's cost grows roughly with the square of its units, so on this CPU the published
# size was left out of the kept sweep (`benchmarks/README.md` gives the measured cost per
# stance); it belongs on a GPU (`grfkit experiment --device cuda`).
#
# ## 8.5 Tuning the network without the held-out runner
#
# The treadmill study chose its network's settings with Optuna on cross-validation folds.
# Done naively — pick the settings with the best leave-one-subject-out score, report that
# score — the held-out runners have chosen the settings, and the score is optimistic.
# `grfkit tune` nests the search: for each held-out runner, an Optuna study searches the
# settings on inner folds of **the other runners only**, the best settings are trained on
# all of them, and only then is the held-out runner scored. A test perturbs the held-out
# runner's inputs, forces and body mass and checks that the search does not move. The
# result is the outer score; the inner best score is kept, labelled optimistic, and not
# reported as a result.

# %%
kept_tuning = Path(results_dir) / "tuning" / f"{scale}-combined-vgrf"
live_tuning = run_sweeps or (
    run_sweeps is None and not (kept_tuning / "chosen.csv").is_file())
if live_tuning:
    stances = load_or_build_stances(scale, seed, progress=False)
    tuned = tune(
        stances, strategy="combined", target="vgrf",
        preset=preset_for_scale(scale), seed=seed,
        n_trials=3 if scale == "ci" else 20,
        inner_folds=2 if scale == "ci" else 3,
        parallel_trials=3, **runner,
        # at ci scale, two held-out runners are enough to run the procedure
        participants=("OG01", "OG02") if scale == "ci" else None,
    )
else:
    tuned = TuningResult.load(kept_tuning)
made = tuned.provenance
glue("tune_command", Markdown(
    f"`{made.get('command') or 'tune(...) in this chapter'}`"), display=False)
glue("tune_trials", made["config"]["trials"], display=False)
glue("tune_inner", made["config"]["inner_folds"], display=False)
glue("tune_outer", f"{tuned.outer_rrmse_pct:.2f} %", display=False)
glue("tune_n_outer", len(tuned.chosen), display=False)
chosen = tuned.chosen.set_index("participant")
searched = [c for c in ("hidden_size", "learning_rate", "dropout",
                        "batch_size") if c in chosen.columns]
glue("tune_n_distinct", len(chosen[searched].drop_duplicates()),
     display=False)
chosen.drop(columns=["inner_best_rrmse_pct_optimistic"]).round(4)

# %% [markdown]
# The tuned combined model, vGRF ({glue:md}`tune_command`, {glue:text}`tune_trials`
# trials on {glue:text}`tune_inner` inner folds for each of {glue:text}`tune_n_outer`
# held-out runners): mean outer rRMSE {glue:text}`tune_outer`. The searches chose
# {glue:text}`tune_n_distinct` different settings for {glue:text}`tune_n_outer` held-out
# runners: each saw other training runners, and a nested search reports the procedure, not
# one setting. Against the default preset's combined model on the same runners:

# %%
default = fractions.loc[
    (fractions["strategy"] == "combined") & (fractions["target"] == "vgrf")
    & (fractions["value"] == fractions["value"].max())
]
pair = pd.concat([
    default.assign(strategy="default preset"),
    tuned.chosen.rename(columns={"participant": "subject",
                                 "outer_rrmse_pct": "rrmse_pct"})
    .assign(strategy="tuned", target="vgrf"),
])
tuned_vs_default = paired_comparison(pair, "tuned", "default preset",
                                     target="vgrf")
glue("tuned_vs_default", describe_comparison(tuned_vs_default),
     display=False)
better = (tuned_vs_default["p_value"] < 0.05
          and tuned_vs_default["mean_difference_pp"] < 0)
glue("tune_verdict", "found settings that beat the preset" if better
     else "did not beat the preset significantly", display=False)
Markdown(describe_comparison(tuned_vs_default))

# %% [markdown]
# The search {glue:text}`tune_verdict`. A search of a few trials on a few runners has
# little power against a preset that was itself chosen with care; what it shows is the
# procedure, and a score earned on runners that took no part in the choice.
#
# ## 8.6 What the sweeps cost
#
# Every point of a sweep is one experiment; its folds are independent, so they run on
# whatever `grfkit.executors` offers: this process, a pool of local processes, or a Dask
# cluster (`executor = "dask"`; `scheduler = "tcp://HOST:PORT"` joins a running one). The
# results are bit-identical on every engine (a test runs the `ci` experiment on a two-worker
# Dask cluster, and again with a worker killed mid-run). The table gives the compute each
# sweep took: the sum of its fits' times, and the wall time of the run.

# %%
costs = []
for sweep in (fraction, runners, tuning_sweep, size):
    points = pd.DataFrame(sweep.provenance["points"])
    executor_used = sweep.provenance["executor"]
    costs.append({
        "sweep": sweep.name,
        "points": len(points),
        "fits": int(points["n_fits_computed"].sum()
                    + points["n_fits_cached"].sum()),
        "compute_min": points["compute_time_s"].sum() / 60,
        "wall_min": points["wall_time_s"].sum() / 60,
        "executor": f"{executor_used['kind']} x {executor_used['workers']}",
    })
costs = pd.DataFrame(costs)
glue("compute_total_h", f"{costs['compute_min'].sum() / 60:.1f}",
     display=False)
glue("tune_compute_min", f"{made['compute_time_s'] / 60:.0f}", display=False)
costs.round(1)

# %%
if cluster is not None:
    cluster.close()

# %% [markdown]
# In all, {glue:text}`compute_total_h` hours of training for four sweeps at this scale,
# plus {glue:text}`tune_compute_min` minutes for the search. Wall time is what a run took
# on a machine shared with other work, so it says more about that machine than about the
# method; `benchmarks/README.md` projects the paper-scale study and a 50-trial search onto
# 8, 32 and 128 workers from measured per-task times.
#
# ## What this means for a lab, and how it differs from the study
#
# The study had one treadmill set and one overground set; it did not vary them, so these
# curves have no published counterpart. They come from the simulated cohort, whose
# treadmill/overground difference is the simulator's (chapter 1), not a real treadmill's:
# a larger real gap would push the treadmill-only curve up and make overground runners
# worth more. The method carries over unchanged to real recordings: `grfkit sweep` takes a
# stance data set.
#
# ## Recap
#
# - A sweep reruns the leave-one-subject-out experiment at each amount of data, with nested
#   seeded subsets; every point is cached like the experiment, so a rerun only reads.
# - Read learning curves runner by runner: a claim that more data helps carries a paired
#   test and the number of runners.
# - Hyper-parameters are searched inside each outer fold on the training runners only; the
#   outer score is the result.
# - Folds, trials and sweep points are independent tasks: a process pool or a Dask cluster
#   runs them with identical results.
#
# ## Exercises
#
# ```{exercise} A sweep of your own
# :label: ex-08-sweep
#
# Run `grfkit sweep treadmill-fraction --scale ci --out my-sweeps --values 0 1/4 1` and load
# it with `load_sweep("my-sweeps/treadmill-fraction")`. Draw it with
# `learning_curve_figure(sweep_table(sweep), x_title="fraction", log_x=True,
# flat=("overground",))` after dropping the value 0 of the wearable strategies that use the
# treadmill. Which strategy's curve falls most?
# ```
#
# ```{solution} ex-08-sweep
# :class: dropdown
#
# At `ci` scale the models are tiny and the curves noisy; the treadmill-only curve usually
# falls most, because it depends on nothing else. With the handful of held-out runners of
# `ci` scale, a two-sided Wilcoxon test cannot reach significance even when every runner
# improves: say so rather than reading the means.
# ```
#
# ```{exercise} Tune on a cluster
# :label: ex-08-dask
#
# Set `executor = "dask"` and `run_sweeps = True` at `scale = "ci"` and rerun the chapter.
# Open the dashboard link the Dask client prints. Are the tables the same as with
# `executor = "local"`?
# ```
#
# ```{solution} ex-08-dask
# :class: dropdown
#
# Yes, to the last digit: every fold and trial is a task with its own seed, and the driver
# writes the results in a fixed order. Only the wall time differs: on a laptop the cluster's
# start-up costs more than it saves at `ci` scale.
# ```
