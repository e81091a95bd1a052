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
# The study estimates each force curve of a stance — 101 points from initial contact to toe-off —
# from the wearable signals of that same stance, with a recurrent neural network built around a
# **bidirectional long short-term memory (LSTM)** layer {cite:p}`carter_transfer_abstract`. Two
# independent models are trained: one for the vertical GRF (vGRF), one for the anteroposterior
# GRF (apGRF).
#
# This chapter shows what goes into the model, what it looks like inside, and one training run
# from start to finish. Chapter 4 then evaluates it properly, participant by participant.
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
import pandas as pd

from grfkit.experiment.strategies import split_domains
from grfkit.io.stances import StanceDataset
from grfkit.model.features import PUBLISHED_FEATURES
from grfkit.model.metrics import evaluate, participant_metrics
from grfkit.model.network import PRESETS, build_network
from grfkit.model.training import fit, predict, split_participants
from grfkit.plots.results import predicted_vs_measured, training_curves
from grfkit.scales import preset_for_scale
from grfkit.storage.cohort_cache import load_or_build_stances

preset = preset or preset_for_scale(scale)
stances = load_or_build_stances(scale, seed)
overground, treadmill = split_domains(stances)
print(f"preset {preset!r}; {len(overground)} overground stances ({len(overground.participants)} participants), "
      f"{len(treadmill)} treadmill stances ({len(treadmill.participants)} runners)")

# %% [markdown]
# ## What the model sees
#
# The inputs are those of the published code {cite:p}`carter2024`, left foot only: the 16
# force-sensitive resistors (FSR) of the insole, the insole's centre of pressure (anteroposterior
# and mediolateral), the shoe IMU's accelerometer and gyroscope (3 axes each) — all as curves of
# 101 points — and five **static** values, one number per stance repeated at every time point:
# contact time, body mass, speed, incline and insole length. That makes a 101 × 29 matrix per
# stance.
#
# Every channel is **z-scored** (mean subtracted, divided by the standard deviation) with
# statistics from the *training* stances only — never from the participant a model is tested on
# (chapter 4 checks this). The targets are expressed in **body weights** (force / (mass × 9.81))
# while training, so that light and heavy runners weigh alike, and converted back to newtons for
# evaluation.

# %%
pd.DataFrame(
    {
        "channel": PUBLISHED_FEATURES.channels,
        "kind": ["static (one value per stance)" if c in PUBLISHED_FEATURES.static else "curve (101 points)"
                 for c in PUBLISHED_FEATURES.channels],
    }
)

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
# grfkit offers two configurations (**presets**). `"paper"` follows the code published with the
# treadmill study {cite:p}`carter2024`: 512 LSTM units per direction, dense layers 1024 → 64 → 32
# → 1, dropout 0.2, Adam with learning rate 5 × 10⁻⁴, batch size 8, one epoch. It has about
# 2.3 million weights and trains at roughly 20–30 stances per second on a 2-core laptop CPU —
# about 15 minutes for one pass over the paper-scale treadmill set, and the study needs dozens of
# trainings. `"fast"`, the default, keeps the architecture but shrinks it (32 units per direction)
# so that the whole study runs on a laptop; it trains for at least 300 optimiser steps so that a
# small overground training set is passed over often enough to converge. Chapter 5 and
# `benchmarks/bench_paper_scale.py` compare the two on the same folds.

# %%
pd.DataFrame(
    [
        {**p.to_dict(), "weights": sum(q.numel() for q in build_network(p, len(PUBLISHED_FEATURES)).parameters())}
        for p in PRESETS.values()
    ]
).set_index("name")

# %%
print(build_network(preset, len(PUBLISHED_FEATURES)))

# %% [markdown]
# ## One training run
#
# As an example, train the two models (vGRF and apGRF) on the treadmill set plus all overground
# participants but one — the *combined* strategy of chapter 5 — and keep the last overground
# participant aside as a **validation** participant. The validation participant is split off
# *inside* `fit`, by participant, before anything is fitted: it contributes neither to the
# z-scoring statistics nor to the weights; after every epoch the model is only *evaluated* on it,
# which gives the dashed validation curve below.

# %%
held_out = overground.participants[-1]
training_set = StanceDataset.concat([treadmill, overground])
models = {
    target: fit(training_set, target=target, preset=preset, seed=seed, validation_participants=[held_out],
                progress=False, num_threads=num_threads)
    for target in ("vgrf", "apgrf")
}
pd.DataFrame.from_dict(
    {
        target: {
            "training stances": h.n_stances,
            "epochs": h.epochs,
            "optimiser steps": len(h.step_loss),
            "wall time (s)": round(h.wall_time_s, 1),
            "stances per second": round(h.stances_per_s),
            "final training loss (BW²)": round(h.epoch_loss[-1], 4),
            "final validation loss (BW²)": round(h.validation_loss[-1], 4),
        }
        for target, h in ((t, m.history[0]) for t, m in models.items())
    },
    orient="index",
)

# %% [markdown]
# ## Training curves
#
# The loss is the mean squared error in body weights squared. The training loss (solid) is
# measured with dropout active, on the stances being learnt; the validation loss (dashed) is
# measured without dropout on the held-out participant. A validation loss that stops falling
# while the training loss keeps going down would mean over-fitting.

# %%
training_curves(models["vgrf"].history, title=f"vGRF model: training curves ({preset} preset)")

# %%
training_curves(models["apgrf"].history, title=f"apGRF model: training curves ({preset} preset)")

# %% [markdown]
# ## Estimates against measurements
#
# Three stances of the held-out participant, measured (solid) and estimated (dashed), in newtons.
# The model never saw this participant.

# %%
_, test = split_participants(overground, [held_out])
estimates = {target: predict(model, test, num_threads=num_threads) for target, model in models.items()}
labels = [f"{held_out} {bout} @ {ic:.1f} s" for bout, ic in zip(test.meta["bout"], test.meta["ic_s"])]
predicted_vs_measured(test.target("vgrf_n")[:3], estimates["vgrf"][:3], labels=labels[:3],
                      title=f"vGRF of {held_out}: measured vs estimated")

# %%
predicted_vs_measured(test.target("apgrf_n")[:3], estimates["apgrf"][:3], labels=labels[:3],
                      title=f"apGRF of {held_out}: measured vs estimated")

# %% [markdown]
# Over all of this participant's stances (chapter 4 explains the metrics):

# %%
pd.concat(
    [participant_metrics(evaluate(test, estimates[t], t)).assign(target=t) for t in models]
).set_index(["participant", "target"])[["n_stances", "rrmse_pct", "rmse_bw", "r"]].round(3)
