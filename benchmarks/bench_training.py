"""Training throughput of grfkit's training loop relative to a bare forward+backward loop.

Both loops run in this one process on the same in-memory stances (already
z-scored tensors for the bare loop), the same network architecture and batch
size, with the same number of torch threads, interleaved ``--repeats`` times
so that a change in machine load affects both alike.  The bare loop is the
floor of what any training loop can cost: forward pass, MSE loss, backward
pass, and nothing else (no optimiser step, no clipping, no shuffling).
``grfkit.model.training.fit`` adds the scaler fit, tensor conversion, per-epoch
shuffling, gradient clipping, the Adam step and loss bookkeeping; its
throughput is taken from the fit's own history (training loop only).

Target: ratio >= 0.9.  ``--device cuda`` times both loops on the GPU (each
timing ends after the GPU has finished its queued work), so the figure is the
preset's throughput there.

Usage::

    python benchmarks/bench_training.py [--preset fast] [--stances 4096] [--threads 1] [--repeats 5]
        [--device cpu|cuda|auto]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import torch
from _common import machine, random_stances

from grfkit.model.devices import DEVICES, resolve_device
from grfkit.model.features import build_inputs, build_targets
from grfkit.model.network import build_network
from grfkit.model.normalisation import fit_scaler
from grfkit.model.presets import get_preset
from grfkit.model.training import fit, torch_threads


def bare_loop_stances_per_s(preset, x: torch.Tensor, y: torch.Tensor) -> float:
    """Forward + MSE + backward over every batch once on ``x``'s device; stances per second."""
    torch.manual_seed(0)
    net = build_network(preset, x.shape[2]).to(x.device)
    net.train()
    started = time.perf_counter()
    for start in range(0, len(x), preset.batch_size):
        loss = torch.nn.functional.mse_loss(net(x[start : start + preset.batch_size]), y[start : start + preset.batch_size])
        loss.backward()
        for p in net.parameters():
            p.grad = None
    if x.device.type == "cuda":
        torch.cuda.synchronize(x.device)
    return len(x) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--stances", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu", choices=DEVICES)
    args = parser.parse_args()
    device = resolve_device(args.device)

    preset = dataclasses.replace(get_preset(args.preset), epochs=1, min_steps=0)  # one pass each
    stances = random_stances(args.stances)
    features = build_inputs(stances)
    from grfkit.model.features import PUBLISHED_FEATURES

    scaler = fit_scaler(features, PUBLISHED_FEATURES.channels)
    x = torch.from_numpy(scaler.transform(features, PUBLISHED_FEATURES.channels)).to(device)
    y = torch.from_numpy(build_targets(stances, "vgrf")).to(device)

    bare, ours = [], []
    with torch_threads(args.threads):
        bare_loop_stances_per_s(preset, x, y)  # warm-up: lazy initialisation, oneDNN primitives
        fit(stances, target="vgrf", preset=preset, progress=False, device=device)
        for _ in range(args.repeats):
            bare.append(bare_loop_stances_per_s(preset, x, y))
            ours.append(fit(stances, target="vgrf", preset=preset, progress=False,
                            device=device).history[0].stances_per_s)
    print(f"machine: {machine()}")
    if device.type == "cuda":
        print(f"device: {torch.cuda.get_device_name(device)}, torch {torch.__version__} (CUDA {torch.version.cuda}, "
              f"cuDNN {torch.backends.cudnn.version()})")
    print(f"preset {preset.name} (LSTM {preset.hidden_size} units/direction, batch {preset.batch_size}), "
          f"{args.stances} stances, {args.threads} torch thread(s), {args.repeats} interleaved repeats")
    print(f"bare forward+backward: {np.median(bare):8.0f} stances/s (runs {[round(v) for v in bare]})")
    print(f"grfkit fit:            {np.median(ours):8.0f} stances/s (runs {[round(v) for v in ours]})")
    print(f"ratio fit / bare (median of runs): {np.median(ours) / np.median(bare):.3f}   "
          f"(best / best: {max(ours) / max(bare):.3f}; target >= 0.9)")


if __name__ == "__main__":
    main()
