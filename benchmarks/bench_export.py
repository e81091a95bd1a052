"""Single-stance latency of the exported model (ONNX Runtime, TorchScript) beside the eager paths.

A model of the chosen preset is trained briefly on random stances (the
weights' values do not change the cost), exported with
:func:`grfkit.model.export.export_model` to both formats, and one stance is
estimated again and again, every path in the same run, in rounds that
alternate the paths (so that a change of the machine's load affects all
alike).  Reported: the median time per call of each path over all rounds,
its ratio to the eager network's, and the load average before and after:

* ``eager network`` -- the network on an already z-scored tensor (the
  issue's reference: the exported file must take at most half of it);
* ``InferenceModel`` -- :meth:`grfkit.model.inference.InferenceModel.estimate_bw`
  on raw NumPy inputs;
* ``TorchScript`` / ``ONNX Runtime`` -- the exported graph called directly
  on raw inputs (z-scoring inside), and through
  :meth:`grfkit.model.export.ExportedModel.estimate_bw` (NumPy in and out,
  shape check).

Usage::

    python benchmarks/bench_export.py [--preset fast] [--threads 1] [--calls 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from _common import machine, random_stances

from grfkit.model.export import export_model, load_exported
from grfkit.model.features import build_inputs
from grfkit.model.inference import InferenceModel
from grfkit.model.presets import get_preset
from grfkit.model.training import fit, torch_threads


def times_ms(fn: Callable[[], object], calls: int) -> np.ndarray:
    """Wall time of each of ``calls`` calls after a warm-up, milliseconds."""
    for _ in range(max(50, calls // 10)):
        fn()
    out = np.empty(calls)
    for i in range(calls):
        started = time.perf_counter()
        fn()
        out[i] = time.perf_counter() - started
    return out * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=2000, help="calls per path and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    load_before = os.getloadavg()
    preset = dataclasses.replace(get_preset(args.preset), epochs=1, min_steps=0)
    stances = random_stances(256)
    with torch_threads(args.threads), tempfile.TemporaryDirectory() as tmp:
        model = fit(stances, target="vgrf", preset=preset, progress=False)
        one = stances.subset(np.arange(len(stances)) == 0)
        scaled = torch.from_numpy(model.prepare_inputs(one))
        raw = build_inputs(one, model.features)
        raw_tensor = torch.from_numpy(raw)
        fast = InferenceModel.from_trained(model)
        script = load_exported(export_model(model, "torchscript", Path(tmp) / "m.pt"))
        onnx_path = export_model(model, "onnx", Path(tmp) / "m.onnx")
        onnx = load_exported(onnx_path, threads=args.threads)
        reference = model.predict_bw(scaled.numpy())[0]
        for exported in (script, onnx):
            np.testing.assert_allclose(exported.estimate_bw(raw[0]), reference, rtol=0, atol=1e-5)
        session = onnx.runner
        module = script.runner

        def network() -> None:
            with torch.inference_mode():
                model.network(scaled)

        def torchscript_direct() -> None:
            with torch.inference_mode():
                module(raw_tensor)

        paths = {
            "eager network (z-scored tensor)": network,
            "InferenceModel.estimate_bw (raw array)": lambda: fast.estimate_bw(raw[0]),
            "TorchScript module (raw tensor)": torchscript_direct,
            "TorchScript ExportedModel.estimate_bw": lambda: script.estimate_bw(raw[0]),
            "ONNX Runtime session.run (raw array)": lambda: session.run(None, {"inputs": raw}),
            "ONNX Runtime ExportedModel.estimate_bw": lambda: onnx.estimate_bw(raw[0]),
        }
        samples: dict[str, list[np.ndarray]] = {name: [] for name in paths}
        for _ in range(args.rounds):
            for name, fn in paths.items():
                samples[name].append(times_ms(fn, args.calls))
    load_after = os.getloadavg()
    print(f"machine: {machine()}")
    print(f"load average (1, 5, 15 min): before {' '.join(f'{v:.2f}' for v in load_before)}, "
          f"after {' '.join(f'{v:.2f}' for v in load_after)}")
    print(f"preset {preset.name} (LSTM {preset.hidden_size} units/direction), "
          f"{args.threads} thread(s), "
          f"one stance of 101 x {len(model.features)} inputs per call, {args.rounds} rounds x "
          f"{args.calls} calls per path")
    eager = float(np.median(np.concatenate(samples["eager network (z-scored tensor)"])))
    for name, rounds in samples.items():
        median = float(np.median(np.concatenate(rounds)))
        per_round = " ".join(f"{np.median(r):.3f}" for r in rounds)
        print(f"{name:40s} median {median:6.3f} ms  ratio to eager {median / eager:5.2f}  "
              f"(round medians {per_round})")
    print("target (issue 10): exported single-stance latency <= 0.5 x the eager network's")


if __name__ == "__main__":
    main()
