"""Tests of grfkit.preprocess.checks: the force-to-body-weight ratio of a bout's clean contacts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.constants import GRAVITY_MPS2
from grfkit.preprocess.checks import force_to_weight


@settings(max_examples=40, deadline=None)
@given(
    body_mass_kg=st.floats(30.0, 150.0),
    step_s=st.floats(0.25, 0.45),
    jitter=st.floats(0.0, 0.1),
    factor=st.floats(0.05, 3.0),
    seed=st.integers(0, 2**16),
)
def test_force_to_weight_is_the_force_scale_for_any_runner(
    body_mass_kg: float, step_s: float, jitter: float, factor: float, seed: int
) -> None:
    """Stances whose impulse is body weight times the local step time give 1; a force scaled by k gives k."""
    rng = np.random.default_rng(seed)
    steps = step_s * (1 + jitter * rng.uniform(-1, 1, 40))
    ic = np.cumsum(steps)
    on_plate = np.arange(5, 35, 3)  # some contacts land on a plate, every third step
    local_step_s = (ic[on_plate + 1] - ic[on_plate - 1]) / 2
    table = {
        "clean": np.ones(len(on_plate), dtype=bool),
        "insole_ic_s": ic[on_plate],
        "impulse_n_s": factor * body_mass_kg * GRAVITY_MPS2 * local_step_s,
    }
    assert force_to_weight(table, ic, body_mass_kg) == pytest.approx(factor, rel=1e-9)
    table["clean"][:] = False
    assert np.isnan(force_to_weight(table, ic, body_mass_kg))
