# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # 3. The model: a bidirectional LSTM
#
# The study estimates each force curve of a {term}`stance` — 101 points from initial contact
# ({term}`IC`) to toe-off ({term}`TO`) — from the wearable signals of that same stance, with a
# recurrent neural network built around a **bidirectional long short-term memory** layer
# ({term}`BiLSTM`) {cite:p}`carter_transfer_abstract`. Two independent models are trained: one
# for the vertical force ({term}`vGRF`), one for the anteroposterior force ({term}`apGRF`).
#
# This chapter shows what goes into the model, what it looks like inside, and one training run
# from start to finish. Chapter 4 then evaluates it properly, participant by participant.
#
# ```{admonition} Learning objectives
# :class: tip
#
# After this chapter you can
# * list the model's {glue:text}`n_channels` inputs and say why they are z-scored and why the
#   force is learnt in body weights;
# * read the network's layer sizes from a preset, including the 2 × units of the LSTM's output;
# * say what an {term}`epoch`, a {term}`batch`, an optimiser step and the {term}`learning rate`
#   are, and what {term}`dropout` does to a training curve;
# * tell over-fitting from the ordinary gap between training and validation loss;
# * name the inputs that come from the lab rather than from the wearables.
# ```
#
# Run time: see {ref}`run-times`.
#
# :::{admonition} Words used in this chapter
# :class: note
# optimiser step
# : one update of the network's weights: the error on one {term}`batch` of stances is
#   differentiated with respect to every weight, and each weight moves a little against its
#   gradient. An {term}`epoch` is as many steps as there are batches in the training set.
#
# Adam
# : the optimiser used here: it moves each weight by a step scaled by the {term}`learning rate`
#   and by running averages of that weight's recent gradients, so that every weight gets a step
#   of sensible size.
#
# ReLU
# : rectified linear unit, max(0, x): the non-linearity after each hidden dense layer.
#
# units
# : the width of a layer. An LSTM with 512 units per direction produces 512 numbers per time
#   point reading forwards and 512 reading backwards: 1024 in all.
#
# BW²
# : the unit of the loss. Forces are learnt in body weights ({term}`BW`); the loss is the mean
#   of the squared errors, so it is in body weights squared. A loss of 0.01 BW² is a typical
#   error of √0.01 = 0.1 BW.
# :::
#
# :::{note}
# `preset` chooses the model size (`None`: the scale's default, see
# `grfkit.scales.SCALE_PRESETS` — `"fast"` for the book and the paper scale, a tiny
# smoke-test model at `ci` scale whose numbers mean nothing). `num_threads` is the number of CPU
# threads torch may use; these networks are small, and one thread is the robust choice on a
# shared machine (two threads on two busy cores can be several times *slower*).
# :::

# %% tags=["parameters"]
scale = "book"
seed = 0
preset = None
num_threads = 1

# %%
import numpy as np
import pandas as pd
from myst_nb import glue

from grfkit.constants import N_POINTS
from grfkit.experiment.strategies import split_domains
from grfkit.io.stances import StanceDataset
from grfkit.model.features import PUBLISHED_FEATURES
from grfkit.model.metrics import evaluate, participant_metrics
from grfkit.model.network import build_network
from grfkit.model.presets import PRESETS, get_preset
from grfkit.model.training import fit, predict, split_participants
from grfkit.plots.results import predicted_vs_measured, training_curves
from grfkit.scales import preset_for_scale
from grfkit.storage.cohort_cache import load_or_build_stances

preset = preset or preset_for_scale(scale)
stances = load_or_build_stances(scale, seed)
overground, treadmill = split_domains(stances)
print(f"preset {preset!r}; {len(overground)} overground stances "
      f"({len(overground.participants)} participants), "
      f"{len(treadmill)} treadmill stances "
      f"({len(treadmill.participants)} runners)")

# %% [markdown]
# ## What the model sees
#
# The inputs are those of the published code {cite:p}`carter2024`, left foot only: the
# {glue:text}`n_fsr` force-sensitive resistors ({term}`FSR`) of the insole, the insole's centre
# of pressure ({term}`COP`, anteroposterior and mediolateral), the shoe {term}`IMU`'s
# accelerometer and gyroscope (3 axes each) — all as curves of {glue:text}`n_points` points —
# and {glue:text}`n_static` **static** values, one number per stance repeated at every time
# point: contact time, body mass, speed, incline and insole length. That makes a
# {glue:text}`n_points` × {glue:text}`n_channels` matrix per stance.
#
# Every channel is **z-scored** ({term}`z-score`: mean subtracted, divided by the standard
# deviation) with statistics from the *training* stances only — never from the participant a
# model is tested on (chapter 4 checks this). The statistics run over all training stances and
# all {glue:text}`n_points` time points, static channels included, so every stance weighs the
# same in them. (The published code uses the distinct values of a static channel instead; with
# many stances per participant the two differ little.) A channel with no spread in the
# training data — the incline, when every training bout is level — is only centred, not
# divided by zero.
#
# The targets are expressed in **body weights** (force / (mass × 9.81 m/s²)) while training, so
# that light and heavy runners weigh alike and the loss stays near 1 whatever the force
# component; estimates are converted back to newtons for evaluation. (The published code trains
# on newtons; the evaluation is the same either way.)

# %%
static = set(PUBLISHED_FEATURES.static)
channels = PUBLISHED_FEATURES.channels
glue("n_channels", str(len(channels)), display=False)
glue("n_static", str(len(static)), display=False)
glue("n_fsr", str(sum("fsr" in c for c in channels)), display=False)
glue("n_points", str(N_POINTS), display=False)
pd.DataFrame({
    "channel": channels,
    "kind": ["static (one value per stance)" if c in static
             else f"curve ({N_POINTS} points)" for c in channels],
})

# %% [markdown]
# ## Inside the network
#
# ```text
# inputs (batch, 101 time points, 29 channels), z-scored
#   → dropout
#   → bidirectional LSTM: reads the stance forwards and backwards in time
#   → dropout
#   → at every time point: dense layers with ReLU (and dropout)
#   → one number per time point: the force, in body weights
# ```
#
# Reading the stance in both directions lets the estimate at, say, 30 % of stance use what
# happens later in the stance too — possible because the model sees the whole stance at once
# (it is not a real-time estimator).
#
# :::{warning}
# **Not a wearable-only estimator.** The stance window the model sees is cut at the
# {term}`IC` and {term}`TO` detected on the **force plate** (chapter 2), and the input
# `contact_time_s` is the plate's TO − IC; running speed (`speed_mps`) comes from a **lab
# marker**. The model therefore gets from the lab the timing of every stance and the speed,
# which a runner outside the lab would have to estimate from the insole and IMU, with errors of
# their own that none of this book's numbers include.
# :::
#
# grfkit offers named configurations (**presets**). `"paper"` follows the code published with
# the treadmill study {cite:p}`carter2024`: {glue:text}`paper_units` LSTM units per direction,
# so the LSTM puts out 2 × {glue:text}`paper_units` = {glue:text}`paper_lstm_out` numbers per
# time point (forwards and backwards side by side); the dense head then maps them
# {glue:text}`paper_head`. The preset table below lists only the *hidden* dense widths
# (`dense_sizes`); the first number of that chain is the LSTM's output and the last is the
# single force value. Dropout {glue:text}`paper_dropout`, Adam with
# {term}`learning rate` {glue:text}`paper_lr`, batch size {glue:text}`paper_batch`,
# {glue:text}`paper_epochs` epoch: {glue:text}`paper_weights` weights in all
# (`benchmarks/bench_paper_scale.py` measures how long that takes to train).
#
# `"paper"` is the published *network and optimiser*, not the published pipeline: the
# published code builds 400-point sequences (here 101 points, as the abstract states), places
# the FSRs in millimetres (here as fractions of the insole) and does not include its filtering
# (here the force is filtered at 20 Hz, as the abstract states), and its fine-tuning settings
# are not published (grfkit's are its own; chapter 5).
#
# `"fast"`, the book's default, shrinks the network to {glue:text}`fast_units` units per
# direction ({glue:text}`fast_head`) so that the whole study runs on a laptop — but it is
# **also a different training regime**, not just a smaller network: the table after the
# presets shows each setting it changes, among them the learning rate, the batch size, the
# dropout and a minimum of {glue:text}`fast_min_steps` optimiser steps, so that a small
# overground training set is passed over often enough to converge. Chapter 5 compares the two
# presets on the same folds.

# %%
def head_chain(p) -> str:
    """The per-time-point layer widths of a preset, LSTM output first."""
    widths = [2 * p.hidden_size, *p.dense_sizes, 1]
    return " → ".join(str(w) for w in widths)


def n_weights(p) -> int:
    network = build_network(p, len(PUBLISHED_FEATURES))
    return sum(q.numel() for q in network.parameters())


presets = pd.DataFrame({
    name: {**p.to_dict(), "dense_sizes": str(list(p.dense_sizes)),
           "per time point": head_chain(p),
           "weights": f"{n_weights(p):,}"}
    for name, p in PRESETS.items()
}, dtype=object).drop(index="name")
paper, fast = get_preset("paper"), get_preset("fast")
for key, value in {
    "paper_units": paper.hidden_size,
    "paper_lstm_out": 2 * paper.hidden_size,
    "paper_head": head_chain(paper),
    "paper_dropout": f"{paper.dropout:g}",
    "paper_lr": f"{paper.learning_rate:g}",
    "paper_batch": paper.batch_size,
    "paper_epochs": paper.epochs,
    "paper_weights": f"{n_weights(paper):,}",
    "fast_units": fast.hidden_size,
    "fast_head": head_chain(fast),
    "fast_min_steps": fast.min_steps,
}.items():
    glue(key, str(value), display=False)
presets.rename_axis("setting")

# %% [markdown]
# What `"fast"` changes besides the size, setting by setting:

# %%
changed = [k for k in paper.training_dict()
           if k not in ("name", "hidden_size", "dense_sizes")
           and paper.to_dict()[k] != fast.to_dict()[k]]
pd.DataFrame({
    "paper": [paper.to_dict()[k] for k in changed],
    "fast": [fast.to_dict()[k] for k in changed],
}, index=pd.Index(changed, name="setting"), dtype=object)

# %% [markdown]
# The network of the preset this page runs with:

# %%
print(build_network(preset, len(PUBLISHED_FEATURES)))

# %% [markdown]
# ## One training run
#
# As an example, train the two models (vGRF and apGRF) on the treadmill set plus all overground
# participants but one — the {term}`combined training` strategy of chapter 5 — and keep the
# last overground participant aside as a **validation** participant. The validation participant
# is split off *inside* `fit`, by participant, before anything is fitted: it contributes neither
# to the z-scoring statistics nor to the weights; after every epoch the model is only
# *evaluated* on it, which gives the dashed validation curve below.
#
# Training is reproducible: `fit` seeds its own random streams (weight initialisation, dropout
# and the shuffling of stances into batches) from `seed` and switches torch to deterministic
# algorithms while it trains, so the same data, preset, seed and number of threads give the
# same weights bit for bit on a CPU.

# %%
held_out = overground.participants[-1]
training_set = StanceDataset.concat([treadmill, overground])
models = {
    target: fit(training_set, target=target, preset=preset, seed=seed,
                validation_participants=[held_out], progress=False,
                num_threads=num_threads)
    for target in ("vgrf", "apgrf")
}
quantities = {
    "training stances": lambda h: h.n_stances,
    "epochs": lambda h: h.epochs,
    "optimiser steps": lambda h: len(h.step_loss),
    "wall time (s)": lambda h: round(h.wall_time_s, 1),
    "final training loss (BW²)": lambda h: round(h.epoch_loss[-1], 4),
    "final validation loss (BW²)": lambda h: round(h.validation_loss[-1], 4),
}
pd.DataFrame({
    target: [value(model.history[0]) for value in quantities.values()]
    for target, model in models.items()
}, index=list(quantities), dtype=object)

# %% [markdown]
# ## Training curves
#
# The loss is the mean squared error in BW². The training loss (solid) is the mean over the
# epoch's optimiser steps, measured with dropout active, on the stances being learnt; the
# validation loss (dashed) is measured at the end of the epoch, without dropout, on the
# held-out participant. A validation loss that stops falling while the training loss keeps going
# down would mean over-fitting.

# %%
training_curves(models["vgrf"].history,
                title=f"vGRF model: training curves ({preset} preset)")

# %% [markdown]
# The vGRF model: {glue:text}`vgrf_verdict`

# %%
training_curves(models["apgrf"].history,
                title=f"apGRF model: training curves ({preset} preset)")

# %% [markdown]
# The apGRF model: {glue:text}`apgrf_verdict`
#
# **Why do the training and the validation loss differ so much?** In this run the final vGRF
# training loss is {glue:text}`vgrf_train_loss` BW² against a validation loss of
# {glue:text}`vgrf_val_loss` BW². Three things make the two numbers different measurements:
#
# 1. **Dropout.** The training loss is measured with dropout switching off a random part of
#    the network at every step; the validation loss with the whole network.
# 2. **An average over the epoch.** The training loss averages the steps of the epoch, early
#    (worse) steps included; the validation loss is taken once, at the end.
#
#    Measured like the validation loss — evaluation mode, after the last epoch, which removes
#    both effects — the same training stances give {glue:text}`vgrf_train_eval_loss` BW².
# 3. **Different stances.** {glue:text}`n_treadmill_train` of the {glue:text}`n_train`
#    training stances are treadmill stances, run at many speeds and inclines; the validation
#    participant runs overground. In evaluation mode the final
#    model's loss is {glue:text}`vgrf_treadmill_eval_loss` BW² on the treadmill training
#    stances and {glue:text}`vgrf_overground_eval_loss` BW² on the overground ones.
#
# The two numbers are therefore not comparable as they stand — a training loss above the
# validation loss is not a sign that something is wrong; only the *trend* of each curve over
# the epochs speaks about over-fitting.

# %%
def verdict(history) -> str:
    """Over-fitting by this chapter's rule, in words, from one training run."""
    train, valid = history.epoch_loss, history.validation_loss
    if len(valid) < 2:
        return ("one epoch only, so the curves have one point each and say "
                "nothing about over-fitting.")
    best = history.best_epoch()
    if history.overfits():
        return (f"the validation loss is lowest after epoch {best} "
                f"({valid[best - 1]:.4f} BW²) and ends at "
                f"{valid[-1]:.4f} BW², "
                f"while the training loss keeps falling to {train[-1]:.4f}"
                " BW². By the rule above, that is over-fitting: the "
                "later epochs fit the training stances better and the "
                "held-out runner worse.")
    return (f"the validation loss is lowest in the last epoch "
            f"({valid[-1]:.4f} BW²), and the training loss goes from "
            f"{train[0]:.4f} to {train[-1]:.4f} BW²: no over-fitting by "
            f"the rule above, within these {len(valid)} epochs.")


fitted_overground, _ = split_participants(overground, [held_out])
for target, model in models.items():
    glue(f"{target}_verdict", verdict(model.history[0]), display=False)
h = models["vgrf"].history[0]
glue("vgrf_train_loss", f"{h.epoch_loss[-1]:.4f}", display=False)
glue("vgrf_val_loss", f"{h.validation_loss[-1]:.4f}", display=False)
parts = {
    "train_eval": StanceDataset.concat([treadmill, fitted_overground]),
    "treadmill_eval": treadmill,
    "overground_eval": fitted_overground,
}
glue("n_treadmill_train", str(len(treadmill)), display=False)
glue("n_train", str(len(parts["train_eval"])), display=False)
for name, part in parts.items():
    loss = models["vgrf"].evaluation_loss_bw2(part)
    glue(f"vgrf_{name}_loss", f"{loss:.4f}", display=False)

# %% [markdown]
# ## Estimates against measurements
#
# Three stances of the held-out participant, each from a different {term}`bout` where the
# participant ran more than one, measured (solid) and estimated (dashed), in newtons. The model
# never saw this participant.

# %%
_, test = split_participants(overground, [held_out])
estimates = {target: predict(model, test, num_threads=num_threads)
             for target, model in models.items()}
labels = [f"{held_out} {bout} @ {ic:.1f} s"
          for bout, ic in zip(test.meta["bout"], test.meta["ic_s"])]
bouts = test.meta["bout"].astype(str).to_numpy()
first_of_bout = [int(np.flatnonzero(bouts == b)[0])
                 for b in dict.fromkeys(bouts)]
later = [i for i in range(len(test)) if i not in first_of_bout]
shown = (first_of_bout + later)[:3]
shown_labels = [labels[i] for i in shown]
predicted_vs_measured(test.target("vgrf_n")[shown],
                      estimates["vgrf"][shown], labels=shown_labels,
                      title=f"vGRF of {held_out}: measured vs estimated")

# %% [markdown]
# The estimated vertical force follows the measured curve's rise, peak and fall; the
# differences are the subject of chapter 4.

# %%
predicted_vs_measured(test.target("apgrf_n")[shown],
                      estimates["apgrf"][shown], labels=shown_labels,
                      title=f"apGRF of {held_out}: measured vs estimated")

# %% [markdown]
# The anteroposterior force, braking (negative) then propulsive (positive), is a smaller and
# harder target: compare its errors with its range, as chapter 4's rRMSE does.
#
# Over all of this participant's stances (chapter 4 explains the metrics: {term}`rRMSE` in %,
# RMSE in BW, Pearson's r):

# %%
per_participant = pd.concat([
    participant_metrics(evaluate(test, estimates[t], t)).assign(target=t)
    for t in models
]).set_index(["participant", "target"])
per_participant[["n_stances", "rrmse_pct", "rmse_bw", "r"]].round(3).rename(
    columns={"n_stances": "stances", "rrmse_pct": "rRMSE (%)",
             "rmse_bw": "RMSE (BW)", "r": "Pearson's r"})

# %% [markdown]
# ## Recap
#
# * The model sees {glue:text}`n_channels` z-scored channels per time point — insole, IMU and
#   five static values — and learns the force in body weights.
# * A {term}`BiLSTM` reads the whole stance both ways; its output is 2 × units wide, and a
#   small dense head turns it into one force value per time point.
# * Presets change more than size: `"fast"` also changes the learning rate, batch size,
#   dropout and the number of optimiser steps.
# * A training loss above the validation loss comes from dropout, averaging and different
#   stances; over-fitting shows in the *trend* of the curves.
# * The stance window, contact time and speed come from the lab, not from the wearables.
#
# ## Exercises
#
# ```{exercise} Without dropout
# :label: ex-model-dropout
#
# In the training cell, pass a preset without dropout:
# `preset=dataclasses.replace(get_preset(preset), dropout=0.0, input_dropout=0.0)`
# (add `import dataclasses`). Rerun the training cells. How far apart are the final training
# and validation losses now, and how do the curves move?
# ```
#
# ```{solution} ex-model-dropout
# :class: dropdown
#
# The training loss drops towards the evaluation-mode training loss of the first run
# ({glue:text}`vgrf_train_eval_loss` BW² for vGRF): without dropout, the loss measured during
# training and the one measured after it are the same kind of measurement, so part of the gap
# closes. What remains comes from the averaging over the epoch and from the different stances.
# The validation curve may rise sooner: dropout is there to fight over-fitting.
# ```
#
# ```{exercise} A tenfold learning rate
# :label: ex-model-learning-rate
#
# Train with `preset=dataclasses.replace(get_preset(preset),
# learning_rate=10 * get_preset(preset).learning_rate)` and compare the training curves and the
# participant's rRMSE with the run above.
# ```
#
# ```{solution} ex-model-learning-rate
# :class: dropdown
#
# With steps ten times as large, Adam overshoots: the training loss falls faster at first but
# then jumps around or stalls higher, and the validation loss is usually worse. The learning
# rate is a setting to tune together with the batch size and the number of steps — one reason
# why the `"fast"` preset, which changes all three, trains differently from `"paper"`.
# ```
#
# ```{exercise} Without the plate's contact time
# :label: ex-model-contact-time
#
# Build a feature set without `contact_time_s`:
# `from grfkit.model.features import FeatureSet`, then
# `features = FeatureSet(channels=tuple(c for c in PUBLISHED_FEATURES.channels if c !=
# "contact_time_s"), static=tuple(c for c in PUBLISHED_FEATURES.static if c !=
# "contact_time_s"))`, and pass `features=features` to `fit`. How much does the held-out
# participant's rRMSE change?
# ```
#
# ```{solution} ex-model-contact-time
# :class: dropdown
#
# Expect the rRMSE to rise, for vGRF above all: the contact time tells the model how long the
# stance lasts, which sets the width of the vertical force curve, and chapter 4's permutation
# importance shows how much the model leans on it. It comes from the force plate, so this is a
# first step towards a wearable-only estimator, which would have to find the stance window and
# its duration from the insole itself.
# ```
