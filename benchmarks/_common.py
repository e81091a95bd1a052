"""Helpers shared by the benchmark scripts (not part of the grfkit package)."""

from __future__ import annotations

import os
import platform

import numpy as np
import pandas as pd
import torch

from grfkit.constants import N_POINTS
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS
from grfkit.io.stances import StanceDataset


def random_stances(n_stances: int, n_participants: int = 8, seed: int = 0) -> StanceDataset:
    """Stances of random numbers with every channel the model needs.

    Throughput and latency do not depend on the values, only on the shapes.
    """
    rng = np.random.default_rng(seed)
    participant = [f"P{i % n_participants + 1:02d}" for i in range(n_stances)]
    meta = pd.DataFrame(
        {
            "dataset": "treadmill",
            "participant": participant,
            "bout": "medium_level",
            "foot": "left",
            "plate": "belt",
            "ic_s": np.arange(n_stances, dtype=float),
            "to_s": np.arange(n_stances, dtype=float) + 0.25,
            "contact_time_s": rng.uniform(0.2, 0.3, n_stances),
            "speed_mps": rng.uniform(2.5, 4.5, n_stances),
            "gradient_deg": rng.choice([-5.0, 0.0, 5.0], n_stances),
            "body_mass_kg": rng.uniform(55, 85, n_stances),
            "insole_length_m": rng.uniform(0.24, 0.29, n_stances),
        }
    )
    inputs = rng.normal(size=(n_stances, N_POINTS, len(STANCE_SIGNAL_CHANNELS))).astype(np.float32)
    targets = rng.normal(size=(n_stances, N_POINTS, len(TARGET_CHANNELS))).astype(np.float32) * 500 + 1000
    return StanceDataset(meta, inputs, targets, STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS)


def machine() -> str:
    """One line describing where the benchmark ran."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}, "
        f"torch {torch.__version__}, load average (1 min) {load:.2f}"
    )
