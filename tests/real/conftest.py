"""Shared test data of the real-data tests: synthetic force stance sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.real.chain import force_stance_dataset

WEIGHT_N = 700.0
S = np.linspace(0.0, 1.0, 101)


def _synthetic(
    peaks_bw, braking_bw=0.3, contact_s=0.25, speed=3.0, participants=None, dataset="x"
) -> object:
    """Half-sine vertical curves of the given peaks, a sine AP curve (braking then propulsion)."""
    peaks_bw = np.atleast_1d(peaks_bw)
    n = len(peaks_bw)
    participants = [f"p{i}" for i in range(n)] if participants is None else list(participants)
    curves = np.stack(
        [
            np.stack([WEIGHT_N * p * np.sin(np.pi * S), -WEIGHT_N * braking_bw * np.sin(2 * np.pi * S), 0 * S], -1)
            for p in peaks_bw
        ]
    )
    meta = pd.DataFrame(
        {"dataset": dataset, "participant": participants, "bout": "b", "foot": "left", "plate": "belt",
         "ic_s": np.arange(n, dtype=float), "to_s": np.arange(n) + contact_s, "contact_time_s": contact_s,
         "speed_mps": speed, "gradient_deg": 0.0, "body_mass_kg": WEIGHT_N / 9.81}
    )
    return force_stance_dataset(meta, curves)


@pytest.fixture
def synthetic():
    """Make a force stance set of half-sine vertical curves of given peaks (BW)."""
    return _synthetic
