# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # 4. Evaluation: rRMSE, leave-one-subject-out, and the leakage guard
#
# How good is an estimated force curve, and how do we know the number is honest? This chapter
# explains the study's error measure, the **relative root mean squared error** ({term}`rRMSE`),
# and its evaluation scheme, **leave-one-subject-out** ({term}`LOSO`) cross-validation
# {cite:p}`carter_transfer_abstract`, then demonstrates that the participant a model is tested on
# never leaks into its training, and asks which inputs the model relies on.
#
# The experiment run here — the {glue:text}`n_wearable_strategies` wearable training strategies
# of chapter 5 and {glue:text}`n_baselines` baselines without any wearable signal, for both
# forces ({term}`vGRF` and {term}`apGRF`) and every held-out participant — is the one chapter 5
# discusses; both chapters share its cache, so it is trained only once.
#
# ```{admonition} Learning objectives
# :class: tip
#
# After this chapter you can
# * compute a stance's rRMSE by hand and say which range it divides by;
# * explain why LOSO holds out whole participants, and what a {term}`fold` is;
# * read a paired slope chart of participants across strategies;
# * tell a code-level leak, which a test can catch, from design-level leakage, which it cannot;
# * read a permutation importance, negative values and plate-derived inputs included.
# ```
#
# Run time: see {ref}`run-times`.
#
# :::{note}
# `preset` `None` takes the scale's default model (`"fast"` for the book). `workers` is the
# number of processes that train in parallel (each with one torch thread); the results do not
# depend on it.
# :::

# %% tags=["parameters"]
scale = "book"
seed = 0
preset = None
workers = 2

# %%
import numpy as np
import pandas as pd
from myst_nb import glue

from grfkit.constants import N_POINTS
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.leakage import leakage_guard
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.store import default_results_dir
from grfkit.experiment.strategies import (
    STRATEGIES,
    pretrain,
    split_domains,
    train_strategy,
)
from grfkit.model.baselines import BASELINES
from grfkit.model.features import build_targets
from grfkit.model.importance import permutation_importance
from grfkit.model.metrics import (
    median_and_worst_stances,
    rmse,
    rrmse_pct,
    summarise,
)
from grfkit.model.training import split_participants
from grfkit.plots.results import (
    feature_importance,
    participant_errors,
    rrmse_example,
)
from grfkit.scales import preset_for_scale
from grfkit.storage.cohort_cache import load_or_build_stances

config = ExperimentConfig(scale=scale, seed=seed,
                          preset=preset or preset_for_scale(scale))
stances = load_or_build_stances(scale, seed)
overground, treadmill = split_domains(stances)
glue("n_overground", str(len(overground.participants)), display=False)
glue("n_wearable_strategies", str(len(STRATEGIES)), display=False)
glue("n_baselines", str(len(BASELINES)), display=False)
glue("n_rows_per_fold", str(len(config.strategies)), display=False)
config

# %% [markdown]
# ## Leave one subject out
#
# With only a handful of overground participants ({glue:text}`n_overground` in this run),
# setting a fixed group aside for testing would waste most of them and make the result depend on
# who happened to be in that group. LOSO uses every participant once as the test set:
#
# 1. hold out participant 1; train on everyone else; estimate participant 1's stances;
# 2. hold out participant 2; train again from scratch on everyone else; ...
#
# and so on. Each of these rounds — one held-out participant, a model trained without them, and
# its estimates of their stances — is called a **{term}`fold`**; there is one fold per overground
# participant. Each participant's error is therefore measured by a model that has never seen
# *that person* — the situation of a new runner buying the insoles. Testing on unseen stances of
# people who *were* in the training set would be far easier and would overstate the accuracy,
# because stances of one runner resemble each other.
#
# ### What the wearables have to beat
#
# Each held-out participant is scored by {glue:text}`n_rows_per_fold` estimators per force,
# each in its own fold: the {glue:text}`n_wearable_strategies` wearable training strategies of
# chapter 5 and
# {glue:text}`n_baselines` baselines that use no wearable signal at all. **`baseline_mean`**
# predicts, for every stance, the training participants' mean force curve in body weights, and
# **`baseline_static`** the mean curve of the training stances nearest in contact time, speed,
# body mass and gradient; both are fitted on the training participants only and scaled by the
# held-out stance's body weight (body mass is allowed, since the network gets it too).
# They answer the question an rRMSE alone cannot: how much of the force curve could be guessed
# without the insoles and IMUs, and so **what do the wearables add?** A network that does not
# beat them has learnt the typical running stance, not this runner's.
#
# The experiment writes one row per estimator × force × held-out participant. Finished folds are
# cached on disk, so an interrupted run resumes where it stopped, and a finished one (e.g. when
# chapter 5 asks for the same configuration) is only read back. With `keep_models=True` every
# fold's trained model is kept too (`models/` in the results folder): chapter 7 uses them.

# %%
results = run_experiment(config, default_results_dir(config), stances=stances,
                         workers=workers, progress=False, keep_models=True)
print(results.summary())
provenance = results.provenance
print(f"{provenance['n_fits_computed']} trainings computed, "
      f"{provenance['n_fits_cached']} read from the cache; "
      f"{provenance['compute_time_s'] / 60:.1f} min of training and "
      "evaluation")

# %% [markdown]
# ### The same folds with scikit-learn
#
# The loop above is grfkit's own. For readers who know scikit-learn, `GrfEstimator` wraps one
# strategy's training as a scikit-learn estimator (`fit`, `predict`, `get_params`): `X` is the
# stance data set, because the model needs each stance's metadata (body mass, speed, contact
# time), and `y` the measured curves in newtons. `cross_validate` with `LeaveOneGroupOut` and
# the participants as groups makes the same {term}`LOSO` folds, trains them with the same code,
# seed and threads, and scores them with `neg_rrmse_scorer` (minus the rRMSE, since
# scikit-learn maximises scores). Here for the overground strategy's vertical force, beside the
# experiment's numbers:

# %%
from sklearn.model_selection import LeaveOneGroupOut, cross_validate

from grfkit.experiment.estimator import GrfEstimator, neg_rrmse_scorer

estimator = GrfEstimator("vgrf", "overground", preset=config.preset,
                         seed=config.seed,
                         num_threads=config.num_threads)
groups = overground.meta["participant"]
cv = cross_validate(estimator, overground, overground.target("vgrf_n"),
                    groups=groups, cv=LeaveOneGroupOut(),
                    scoring=neg_rrmse_scorer, return_indices=True,
                    n_jobs=workers)
experiment_rows = results.table.query(
    "strategy == 'overground' and target == 'vgrf'")
side_by_side = pd.DataFrame({
    "subject": [groups.iloc[t[0]] for t in cv["indices"]["test"]],
    "rRMSE, cross_validate (%)": -cv["test_score"],
}).merge(experiment_rows[["subject", "rrmse_pct"]], on="subject")
side_by_side = side_by_side.rename(
    columns={"rrmse_pct": "rRMSE, experiment (%)"})
sklearn_pct, experiment_pct = (side_by_side.iloc[:, k] for k in (1, 2))
assert np.allclose(sklearn_pct, experiment_pct, rtol=1e-13, atol=0)
largest = np.abs(sklearn_pct - experiment_pct).max()
glue("sklearn_largest_difference", f"{largest:.1g}", display=False)
side_by_side

# %% [markdown]
# The largest difference is {glue:text}`sklearn_largest_difference` percentage points: the same
# numbers, up to the last bits of a floating-point sum (pandas sums a table of both forces in
# another order than a table of one).

# %% [markdown]
# ## rRMSE, worked through
#
# For one stance, with the measured curve $y_i$ and the estimate $\hat y_i$ at the $N$ points
# $i$ of the stance (every stance is resampled to $N$ = {glue:text}`n_points` points, 0 to
# 100 % of stance):
#
# $$
# \mathrm{RMSE} = \sqrt{\frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2}, \qquad
# \mathrm{rRMSE} = 100\,\% \times \frac{\mathrm{RMSE}}{\max_i y_i - \min_i y_i}.
# $$
#
# Definitions of rRMSE vary between papers: some divide by the range of the measured curve,
# others divide by the mean of the measured and the estimated curve's ranges, as
# {cite:t}`ren2008` do, and the numbers are not interchangeable. This study's — its abstract
# normalises the RMSE "to the range of the gold standard signal"
# {cite:p}`carter_transfer_abstract` — and grfkit's (`grfkit.model.metrics.rrmse_pct`) is the
# one above: the RMSE over the **range of the measured curve**, per {term}`stance`, then
# averaged (below). For the median vGRF stance shown below, the mean-of-both-ranges
# definition would give
# {glue:text}`vgrf_median_rrmse_mean_range` % instead of {glue:text}`vgrf_median_rrmse` %.
# (Where a measured curve is flat, its range is zero and the rRMSE undefined; such stances are
# counted, not dropped.) A difference between two rRMSEs is given in
# **{term}`percentage points <percentage point>` (pp)** — the plain difference of the two
# percentages, not a percentage of the first.
#
# Dividing by the range makes errors comparable between forces of very different size. In this
# cohort the measured vertical force peaks at a median of {glue:text}`vgrf_peak_bw` body
# weights, while the anteroposterior force spans only {glue:text}`apgrf_range_bw` body weights
# from braking to propulsion (median range), so an RMSE of the same size in newtons is small for
# one and large for the other.

# %%
glue("n_points", str(N_POINTS), display=False)
vgrf_peak_bw = np.median(build_targets(overground, "vgrf").max(axis=1))
apgrf_range_bw = np.median(np.ptp(build_targets(overground, "apgrf"), axis=1))
glue("vgrf_peak_bw", f"{vgrf_peak_bw:.1f}", display=False)
glue("apgrf_range_bw", f"{apgrf_range_bw:.2f}", display=False)

# %% [markdown]
# Here are held-out stances of the combined strategy — the shaded area is the error between the
# curves, the arrow the measured range. Rather than the first stance in the table, we show two
# that say something about the distribution: the stance with the **median** rRMSE of the
# combined strategy (half its stances are better, half worse) and its **worst** one. For vGRF
# the median stance has an rRMSE of {glue:text}`vgrf_median_rrmse` % and the worst
# {glue:text}`vgrf_worst_rrmse` %; for apGRF, {glue:text}`apgrf_median_rrmse` % and
# {glue:text}`apgrf_worst_rrmse` % (whose stances they are is printed below).

# %%
curves = results.curves()
# One row per held-out stance, in the order of the curves:
per_stance = results.stances
subjects = per_stance["subject"].to_numpy(str)
assert (subjects == curves["subject"].astype(str)).all()


def describe(row: int) -> str:
    measured = curves["measured_n"][row]
    estimated = curves["estimated_n"][row]
    return (f"participant {curves['subject'][row]}, "
            f"bout {curves['bout'][row]}, "
            f"contact at {float(curves['ic_s'][row]):.2f} s: "
            f"RMSE {rmse(measured, estimated):.1f} N, "
            f"range {np.ptp(measured):.0f} N, "
            f"rRMSE {rrmse_pct(measured, estimated):.2f} %")


picks = {target: median_and_worst_stances(per_stance, target=target)
         for target in ("vgrf", "apgrf")}
for target, pick in picks.items():
    for which, row in pick.items():
        value = per_stance["rrmse_pct"].iloc[row]
        glue(f"{target}_{which}_rrmse", f"{value:.1f}", display=False)
        print(f"{target}, {which} stance of the combined strategy: "
              f"{describe(row)}")
median_row = picks["vgrf"]["median"]
measured = curves["measured_n"][median_row]
estimated = curves["estimated_n"][median_row]
mean_range = (np.ptp(measured) + np.ptp(estimated)) / 2
glue("vgrf_median_rrmse_mean_range",
     f"{100 * rmse(measured, estimated) / mean_range:.1f}", display=False)

# %% [markdown]
# The median vGRF stance of the combined strategy:

# %%
rrmse_example(curves["measured_n"][picks["vgrf"]["median"]],
              curves["estimated_n"][picks["vgrf"]["median"]])

# %% [markdown]
# Half of the combined strategy's vGRF stances are estimated at least this well.
#
# And its worst vGRF stance:

# %%
rrmse_example(curves["measured_n"][picks["vgrf"]["worst"]],
              curves["estimated_n"][picks["vgrf"]["worst"]])

# %% [markdown]
# The worst stance shows what a mean rRMSE hides: a single stance can be estimated
# {glue:text}`vgrf_worst_over_median` times worse than the median one.
#
# The study's numbers are then aggregated in two steps: the **mean over a participant's
# stances** gives one rRMSE per held-out participant, and the **mean and range (min–max) over
# participants** is what the study reports. A participant with many stances therefore counts as
# much as one with few. The median and the worst apGRF stance of the combined strategy:

# %%
rrmse_example(curves["measured_n"][picks["apgrf"]["median"]],
              curves["estimated_n"][picks["apgrf"]["median"]])

# %% [markdown]
# The apGRF's range is small, so an error of a few tens of newtons is already a large rRMSE.

# %%
rrmse_example(curves["measured_n"][picks["apgrf"]["worst"]],
              curves["estimated_n"][picks["apgrf"]["worst"]])

# %% [markdown]
# The worst apGRF stance of the combined strategy, at {glue:text}`apgrf_worst_rrmse` % against
# a median of {glue:text}`apgrf_median_rrmse` %.

# %%
rrmse_all = per_stance["rrmse_pct"].to_numpy()
ratio = (rrmse_all[picks["vgrf"]["worst"]]
         / rrmse_all[picks["vgrf"]["median"]])
glue("vgrf_worst_over_median", f"{ratio:.1f}", display=False)

# %% [markdown]
# ## Every participant's error
#
# The mean hides how much participants differ. The chart below is a **paired slope chart**: the
# wearable strategies, then the baselines, are along the x axis, and each held-out
# participant is **one line** joining their mean rRMSE under every strategy, one panel per force.
# The participants are the same people in every column, so the comparison is paired: a line
# that falls from one strategy to the next is a participant that strategy helped, lines that
# cross show that the strategies do not rank everyone alike, and a strategy that helps everyone
# has all its lines falling together. Hover over a line to see whose it is.

# %%
participant_errors(results.table)

# %% [markdown]
# Lines that cross show that no strategy is best for every participant; chapter 5 tests the
# differences participant by participant.

# %% [markdown]
# rRMSE is not the only way to look at a curve. The results table also holds the RMSE in body
# weights, Pearson's correlation $r$ between the curves (shape, regardless of scale), and errors
# of features a coach would read off the curve: the vGRF peak, and the apGRF braking and
# propulsive peaks and impulses (mean absolute errors, estimated minus measured). The mean over
# participants, one column per strategy (the chart above shows the spread; "mean" and
# "nearest" are the two no-wearable baselines):

# %%
metric_labels = {
    "rrmse_pct": "rRMSE (%)",
    "rmse_bw": "RMSE (BW)",
    "r": "Pearson's r",
    "peak_abs_error_bw": "|peak error| (BW)",
    "braking_peak_abs_error_bw": "|braking peak| (BW)",
    "propulsive_peak_abs_error_bw": "|propulsive peak| (BW)",
    "braking_impulse_abs_error_bws": "|braking impulse| (BW·s)",
    "propulsive_impulse_abs_error_bws": "|propulsive imp.| (BW·s)",
}
short_names = {"overground": "overgr.", "treadmill": "treadm.",
               "baseline_mean": "mean", "baseline_static": "nearest"}


def metric_summary(target: str) -> pd.DataFrame:
    rows = results.table.loc[results.table["target"] == target]
    shown = [m for m in metric_labels if rows[m].notna().all()]
    summary = summarise(rows, columns=shown, by=["strategy"])
    means = summary.set_index("strategy")[[f"{m}_mean" for m in shown]]
    means.columns = [metric_labels[m] for m in shown]
    return means.rename(index=short_names).T.round(3)


metric_summary("vgrf")

# %% [markdown]
# **Peak error and rRMSE need not agree.** Ranked by the mean vGRF rRMSE, the wearable
# strategies come out {glue:text}`rank_by_rrmse`; ranked by the mean absolute error of the vGRF
# peak, {glue:text}`rank_by_peak`. {glue:text}`rank_agreement` The rRMSE weighs every point of
# the curve — the loading slope, the timing of the peak, the unloading — while the peak error
# looks at one number: a model can hit the peak's height and miss its timing or the slopes, or
# shape the curve well and be a little off at the top. Which to trust depends on the question: a
# coach who reads peak loading cares about the peak; the study's headline is the whole curve.

# %%
vgrf_rows = results.table.loc[(results.table["target"] == "vgrf")
                              & results.table["strategy"].isin(STRATEGIES)]
means = vgrf_rows.groupby("strategy")[["rrmse_pct",
                                       "peak_abs_error_bw"]].mean()
order_rrmse = means["rrmse_pct"].sort_values(kind="stable").index.tolist()
order_peak = means["peak_abs_error_bw"].sort_values(kind="stable").index
order_peak = order_peak.tolist()


def ranking(order: list[str], column: str, unit: str) -> str:
    return " < ".join(f"{s} ({means.loc[s, column]:.3g}{unit})"
                      for s in order)


glue("rank_by_rrmse", ranking(order_rrmse, "rrmse_pct", " %"),
     display=False)
glue("rank_by_peak", ranking(order_peak, "peak_abs_error_bw", " BW"),
     display=False)
same = order_rrmse == order_peak
glue("rank_agreement",
     "Here the two orders agree." if same
     else "The two orders differ, so 'best' depends on the measure.",
     display=False)

# %% [markdown]
# And for apGRF (braking values are magnitudes; impulses in body-weight seconds):

# %%
metric_summary("apgrf")

# %% [markdown]
# :::{warning}
# **The estimator is not wearable-only.** Each stance is cut from the recording at the initial
# contact ({term}`IC`) and toe-off ({term}`TO`) detected on the **force plate**, so the
# stance window — and with it the model input `contact_time_s` — comes from the very
# instrument whose force is being estimated, and running speed (`speed_mps`) comes from a
# **lab marker**, not from the wearables. The static baseline uses both as well. A runner
# outside the lab would have to detect contacts from the insole or IMU and estimate speed
# themselves, with errors of their own that these numbers do not include.
# :::
#
# ## The leakage guard
#
# A {term}`LOSO` number is only honest if the held-out participant influences *nothing* that is
# fitted: not the weights, not the z-scoring statistics (a classic leak: statistics computed on
# all data before splitting), not the baselines' curves and standardisation, and not any choice
# of model. There is one such choice: transfer learning chooses **how long to fine-tune** by an
# inner cross-validation **over the training participants only** — the fold's training
# participants are dealt into groups ({glue:text}`n_inner_folds`), the pre-trained model is
# fine-tuned on all but one group and scored on the group left out, and the number of passes
# with the lowest mean error wins. The held-out participant is never among the inner folds:
# there is no early stopping or any other choice made on the test participant. In grfkit the
# fold function receives the whole overground set and the *name* of the participant to hold out
# and splits it itself, so a caller cannot pass the wrong data by mistake.
#
# The demonstration: run the same fold twice — once on the real data and once after making the
# held-out participant absurd: every input multiplied by {glue:text}`input_factor`, the measured
# forces by {glue:text}`force_factor` and the body mass by {glue:text}`mass_factor`. If
# anything fitted depended on that participant, the two fits would differ. They are compared
# bit for bit (scaler, every weight and every recorded training loss; for the baselines, every
# fitted array) for the overground-only model, for transfer
# learning (with its inner cross-validation; to keep this short, the model it starts from is
# pre-trained here on only {glue:text}`n_demo_runners` treadmill runners — the check does not
# depend on how good it is) and for both baselines:

# %%
held_out = overground.participants[0]
absurd = dict(factor=1000.0, target_factor=1000.0, mass_factor=3.0)
for name, key in (("input_factor", "factor"),
                  ("force_factor", "target_factor"),
                  ("mass_factor", "mass_factor")):
    glue(name, f"{absurd[key]:g}", display=False)
_, demo_runners = split_participants(treadmill, treadmill.participants[:3])
common = dict(preset=config.preset, seed=seed,
              num_threads=config.num_threads)
demo_pretrained = pretrain(demo_runners, target="vgrf", **common)
fold = dict(target="vgrf", treadmill=treadmill,
            pretrained=demo_pretrained, **common)
guard = leakage_guard(("overground", "transfer", *BASELINES), overground,
                      held_out, **absurd, **fold)
glue("n_demo_runners", str(len(demo_runners.participants)), display=False)
n_inner_folds = config.model_preset.fine_tune_inner_folds
inner_text = (f"{n_inner_folds} with this preset" if n_inner_folds
              else "none with this preset: it fine-tunes for a fixed "
                   "number of passes")
glue("n_inner_folds", inner_text, display=False)
assert guard["identical fit"].all(), "the held-out one leaked"
guard

# %% [markdown]
# The fitted models and baselines are identical (and transfer learning chose the same number of
# fine-tuning passes); only the held-out participant's scores change, as they must, because
# their inputs, forces and weight did. (With forces that large, every estimate is far off,
# whichever model made it. The rRMSEs of the real data are not the experiment's either: this
# transfer model starts from the small demonstration pre-training.) The same check runs in
# grfkit's test suite for every strategy, both baselines, and the whole experiment — there with
# a small preset that fine-tunes for a fixed number of passes, so the inner cross-validation is
# exercised by the demonstration above.
#
# :::{important}
# The guard catches **code-level** leaks only: a held-out value that reaches something fitted.
# It cannot catch **design-level** leakage. The model presets — for instance the minimum of
# {glue:text}`min_steps` training steps and the fine-tuning learning rate of
# {glue:text}`fine_tune_lr_factor` × the training rate of the {glue:text}`preset_name` preset —
# and fixes to the simulator were chosen by people who had seen earlier results on these same
# folds. Choices made that way may suit these participants better than they would suit new
# ones, and no code check can exclude that; only data that nobody has looked at can.
# :::

# %%
model_preset = config.model_preset
glue("min_steps", str(model_preset.min_steps), display=False)
glue("fine_tune_lr_factor", f"{model_preset.fine_tune_lr_factor:g}",
     display=False)
glue("preset_name", model_preset.name, display=False)

# %% [markdown]
# ## Which inputs does the model use?
#
# **Permutation feature importance**: shuffle one input channel across the test stances (each
# stance gets that channel from another, random stance; everything else stays in place) and
# measure how much the rRMSE rises, in percentage points. A channel the model ignores costs
# nothing when shuffled; a channel it relies on costs a lot. The published code offers a similar
# per-channel analysis {cite:p}`carter2024` (it replaces the channel with random numbers;
# shuffling keeps each channel within its observed range). Correlated channels share their
# importance: shuffling one FSR costs little if its neighbours carry the same information.
#
# Here for the combined strategy, trained without the last {glue:text}`n_importance_participants`
# overground participants and tested on their {glue:text}`n_importance_stances` stances
# ({glue:text}`n_shuffles` shuffles per channel; the bars show the mean and SD over shuffles).

# %%
held_out_pair = overground.participants[-2:]
train, test = split_participants(overground, held_out_pair)
n_shuffles = 5
importance = pd.concat(
    [
        permutation_importance(
            train_strategy("combined", train, target=target,
                           treadmill=treadmill, **common),
            test,
            n_repeats=n_shuffles,
            seed=seed,
            num_threads=config.num_threads,
        ).assign(target=target)
        for target in ("vgrf", "apgrf")
    ]
)
glue("n_importance_participants", str(len(held_out_pair)), display=False)
glue("n_importance_stances", str(len(test)), display=False)
glue("n_shuffles", str(n_shuffles), display=False)
feature_importance(importance,
                   title="Permutation importance, combined strategy, "
                   f"held out: {', '.join(held_out_pair)}")

# %% [markdown]
# Bars to the right are channels the model relies on; bars near zero, or left of it, are
# channels it can do without on these {glue:text}`n_importance_participants` participants.

# %% [markdown]
# The {glue:text}`n_top` most important channels per force (the rise in rRMSE when the channel
# is shuffled, in percentage points (pp), and its SD over the shuffles):

# %%
n_top = 5
glue("n_top", str(n_top), display=False)
importance.groupby("target", sort=False).head(n_top)[
    ["target", "channel", "kind", "increase_pp", "increase_sd_pp"]
].round(2).rename(columns={"increase_pp": "rRMSE rise (pp)",
                           "increase_sd_pp": "SD (pp)"})

# %% [markdown]
# How to read these numbers:
#
# * **Negative importances** ({glue:text}`n_negative` of the {glue:text}`n_importance_rows`
#   channel–force pairs here) mean that shuffling the channel happened to *lower* the error
#   on these few test stances. That is noise, not a channel that hurts: only
#   {glue:text}`n_importance_participants` participants were tested, so increases and
#   decreases of that size cannot be told apart from chance.
# * The most important vGRF input here is {glue:text}`top_vgrf_channel`; `contact_time_s`
#   ranks {glue:text}`contact_time_rank` for vGRF. Contact time is **derived from the force
#   plate** (the warning above): part of what the model "reads" from it is the plate's own
#   timing of the stance, not a wearable signal.
# * `gradient_deg` is zero for every overground stance by construction (the runway is level),
#   so shuffling it changes nothing: its importance is {glue:text}`gradient_importance` pp.
#   That does not mean the model ignores gradient on a treadmill, only that it cannot matter
#   here.

# %%
vgrf_importance = importance.loc[importance["target"] == "vgrf"]
vgrf_channels = vgrf_importance["channel"].to_numpy()
n_negative = int((importance["increase_pp"] < 0).sum())
glue("n_negative", str(n_negative), display=False)
glue("n_importance_rows", str(len(importance)), display=False)
glue("top_vgrf_channel", str(vgrf_channels[0]), display=False)
rank = int(np.flatnonzero(vgrf_channels == "contact_time_s")[0]) + 1
glue("contact_time_rank", f"{rank} of {len(vgrf_channels)}",
     display=False)
gradient = importance.loc[importance["channel"] == "gradient_deg",
                          "increase_pp"]
glue("gradient_importance", f"{float(gradient.abs().max()):g}",
     display=False)
print("gradient_deg over the test stances: "
      f"{np.unique(test.meta['gradient_deg'])}; "
      f"importance (pp) per force: {gradient.tolist()}")

# %% [markdown]
# ## Recap
#
# * rRMSE is the RMSE of a stance divided by the range of its *measured* curve, averaged per
#   participant, then over participants; other papers divide by other ranges.
# * LOSO holds out whole participants, one {term}`fold` each, so every error is measured on a
#   runner the model has never seen.
# * Look past the mean: the median and worst stances, each participant's line across the
#   strategies, and features such as the peak, which can rank the strategies differently.
# * The leakage guard proves that nothing fitted sees the held-out participant; it cannot undo
#   choices people made after seeing these folds.
# * Permutation importance says what the model uses, on few participants, noisily — and its top
#   vGRF input may be the plate's own contact time.
#
# ## Exercises
#
# ```{exercise} The other rRMSE
# :label: ex-evaluation-mean-range
#
# Compute every stance's rRMSE with the mean of the measured and the estimated range as the
# divisor: `100 * rmse(m, e) / ((np.ptp(m) + np.ptp(e)) / 2)` for each row `m, e` of
# `curves["measured_n"]` and `curves["estimated_n"]`. Average per strategy and target, as the
# study does, and compare with `results.summary()`.
# ```
#
# ```{solution} ex-evaluation-mean-range
# :class: dropdown
#
# Where the estimate is flatter than the measurement (a peak not reached), its range is smaller,
# the divisor shrinks and this rRMSE is *larger*; where the estimate overshoots, it is smaller.
# For the median vGRF stance above it gives {glue:text}`vgrf_median_rrmse_mean_range` % instead
# of {glue:text}`vgrf_median_rrmse` %. Comparing numbers across papers therefore needs their
# definition, not just their value.
# ```
#
# ```{exercise} More shuffles, more participants
# :label: ex-evaluation-importance
#
# In the importance cell, set `n_shuffles = 20` and hold out four participants instead of two
# (`overground.participants[-4:]`). Do the negative importances shrink towards zero, and does
# the order of the top channels hold?
# ```
#
# ```{solution} ex-evaluation-importance
# :class: dropdown
#
# More shuffles shrink the SD over shuffles, and more test stances shrink the chance that a
# shuffle happens to help: negative importances move towards zero, as noise should. The top
# channels usually keep their places; channels that swap places were never told apart in the
# first place. (The model is trained on fewer participants, so its baseline rRMSE changes a
# little too.)
# ```
#
# ```{exercise} Break the guard
# :label: ex-evaluation-leak
#
# Make a leak on purpose: in the leakage-guard cell, hold out `overground.participants[1]`
# but pass `exaggerated=overground.participants[0]` to `leakage_guard`. The exaggerated runner
# is now in the *training* set. Is the fit still identical?
# ```
#
# ```{solution} ex-evaluation-leak
# :class: dropdown
#
# No: the absurd participant's inputs, forces and mass now reach the scaler and the weights, so
# `identical_fit` returns `False` and the test participant's rRMSE changes even though their own
# data did not. That is what the guard is built to notice.
# ```
