"""Single-stance inference latency on the CPU (target <= 1 ms).

A model of the chosen preset is trained briefly on random stances (the
weights' values do not change the cost), then one stance is estimated again
and again.  Reported: median and 10th/90th percentile of the wall time per
call, for

* ``network`` -- the eager network on an already z-scored tensor
  (``torch.inference_mode``), the floor of the eager path;
* ``predict_bw`` -- :meth:`grfkit.model.trained_model.TrainedModel.predict_bw` on a z-scored
  NumPy array (what a caller holding prepared inputs pays);
* ``predict`` -- :func:`grfkit.model.training.predict` from a one-stance
  :class:`~grfkit.io.stances.StanceDataset` (assembling and scaling the inputs
  from the data set, then newtons);
* ``fast path`` -- :meth:`grfkit.model.inference.InferenceModel.estimate_bw` on the
  unscaled NumPy inputs of one stance (scaling inside a traced, frozen
  TorchScript module).

Usage::

    python benchmarks/bench_inference.py [--preset fast] [--threads 1] [--calls 2000]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable

import numpy as np
import torch
from _common import machine, random_stances

from grfkit.model.features import build_inputs
from grfkit.model.inference import InferenceModel
from grfkit.model.presets import get_preset
from grfkit.model.training import fit, predict, torch_threads


def latency_ms(fn: Callable[[], object], calls: int) -> tuple[float, float, float]:
    """Median, 10th and 90th percentile of the time per call, milliseconds."""
    for _ in range(max(50, calls // 10)):
        fn()
    times = np.empty(calls)
    for i in range(calls):
        started = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - started
    return tuple(float(v) * 1e3 for v in np.percentile(times, [50, 10, 90]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    preset = dataclasses.replace(get_preset(args.preset), epochs=1, min_steps=0)
    stances = random_stances(256)
    with torch_threads(args.threads):
        model = fit(stances, target="vgrf", preset=preset, progress=False)
        one = stances.subset(np.arange(len(stances)) == 0)
        scaled = model.prepare_inputs(one)
        tensor = torch.from_numpy(scaled)
        raw = build_inputs(one, model.features)[0]
        fast = InferenceModel.from_trained(model)
        np.testing.assert_allclose(fast.estimate_bw(raw), model.predict_bw(scaled)[0], rtol=1e-4, atol=1e-5)

        def network() -> None:
            with torch.inference_mode():
                model.network(tensor)

        rows = [
            ("network (eager, z-scored tensor)", latency_ms(network, args.calls)),
            ("TrainedModel.predict_bw (z-scored array)", latency_ms(lambda: model.predict_bw(scaled), args.calls)),
            ("training.predict (StanceDataset -> N)", latency_ms(lambda: predict(model, one), args.calls // 4)),
            ("InferenceModel.estimate_bw (raw array)", latency_ms(lambda: fast.estimate_bw(raw), args.calls)),
        ]
    print(f"machine: {machine()}")
    print(f"preset {preset.name} (LSTM {preset.hidden_size} units/direction), {args.threads} torch thread(s), "
          "one stance of 101 x 29 inputs per call")
    for name, (median, p10, p90) in rows:
        print(f"{name:44s} median {median:6.3f} ms   p10 {p10:6.3f}   p90 {p90:6.3f}")
    print("target: <= 1 ms per stance")


if __name__ == "__main__":
    main()
