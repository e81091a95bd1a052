"""Shared fixtures of the preprocess tests: seeded synthetic running contacts, an insole load and a runway.

The contact detectors (events), the insole contacts and the plate contacts are tested on the same
synthetic force: half-sine contacts with an impact peak, whose 20 N crossings are known exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from grfkit.io.channels import plate_channels
from grfkit.io.schema import Plate

FS = 1000.0


def _contact_force_n(
    tau_s: np.ndarray, duration_s: float, peak_n: float, impact_n: float = 600.0, impact_s: float = 0.045
) -> np.ndarray:
    """Vertical force of one running contact starting at tau=0: half-sine plus a smooth impact peak."""
    inside = (tau_s > 0) & (tau_s < duration_s)
    active = np.where(inside, peak_n * np.sin(np.pi * np.clip(tau_s, 0, duration_s) / duration_s), 0.0)
    early = (tau_s > 0) & (tau_s < impact_s)
    impact = np.where(early, impact_n * np.sin(np.pi * np.clip(tau_s, 0, impact_s) / impact_s) ** 2, 0.0)
    return active + impact


def _crossings_20n(start_s: float, duration_s: float, peak_n: float, impact_n: float) -> tuple[float, float]:
    """20 N crossings of the noise-free continuous force (the ground-truth event definition)."""

    def g(x: float) -> float:
        return _contact_force_n(np.array([x - start_s]), duration_s, peak_n, impact_n)[0] - 20.0

    end_s = start_s + duration_s
    return brentq(g, start_s + 1e-9, start_s + 0.03), brentq(g, end_s - 0.03, end_s - 1e-9)


def _step_train(n_steps: int, seed: int, t_first_s: float = 0.3):
    """Contacts with realistic variability; returns onsets, parameters and the 20 N truth."""
    rng = np.random.default_rng(seed)
    onsets = t_first_s + np.cumsum(rng.uniform(0.32, 0.40, n_steps)) - 0.32
    params = [(rng.uniform(0.2, 0.3), rng.uniform(1500, 2500), rng.uniform(0, 900)) for _ in onsets]
    truth = np.array([_crossings_20n(t0, *p) for t0, p in zip(onsets, params)])
    return onsets, params, truth


def _force_signal(t: np.ndarray, onsets, params, noise_n: float, seed: int) -> np.ndarray:
    """The contacts' force on the time axis ``t``, plus seeded Gaussian noise."""
    f = np.zeros_like(t)
    for t0, p in zip(onsets, params):
        f += _contact_force_n(t - t0, *p)
    return f + np.random.default_rng(seed).normal(0.0, noise_n, t.size)


def _fsr_load(force_n: np.ndarray, seed: int) -> np.ndarray:
    """Saturating, power-law FSR response (arbitrary counts) with an offset and noise."""
    rng = np.random.default_rng(seed)
    x = np.clip(force_n, 0, None) / 2000.0
    return 60.0 + 4000.0 * x**0.6 / (1 + 0.5 * x**0.6) + rng.normal(0, 8.0, force_n.size)


PLATES = tuple(
    Plate(f"plate{i + 1}", x_min_m=i * 0.605, x_max_m=i * 0.605 + 0.6, y_min_m=-0.2, y_max_m=0.2) for i in range(4)
)


class Runway:
    """Synthetic 4-plate force table built contact by contact."""

    def __init__(self, duration_s: float, seed: int) -> None:
        self.t = np.arange(int(duration_s * FS)) / FS
        self.rng = np.random.default_rng(seed)
        self.fz = {p.name: np.zeros_like(self.t) for p in PLATES}
        self.mx = {p.name: np.zeros_like(self.t) for p in PLATES}  # fz * cop_x
        self.my = {p.name: np.zeros_like(self.t) for p in PLATES}
        self.truth = []
        self.impulse_n_s = []  # whole-foot impulse of each contact (what the insole feels)

    def add(self, start_s, plate_share, heel_x_m, y_m, foot="left", duration_s=0.25, peak_n=2000.0, impact_n=500.0):
        """Add a contact; ``plate_share`` maps plate name -> function(progress 0..1) -> share of the force."""
        window = slice(max(int(start_s * FS) - 1, 0), int((start_s + duration_s) * FS) + 2)
        tau = self.t[window] - start_s
        f = _contact_force_n(tau, duration_s, peak_n, impact_n)
        progress = np.clip(tau / duration_s, 0, 1)
        cop_x = heel_x_m + 0.04 + 0.16 * progress  # heel to forefoot
        for name, share in plate_share.items():
            part = f * share(progress)
            self.fz[name][window] += part
            self.mx[name][window] += part * cop_x
            self.my[name][window] += part * y_m
        self.truth.append((foot, *_crossings_20n(start_s, duration_s, peak_n, impact_n)))
        self.impulse_n_s.append(float(f.sum()) / FS)

    def table(self, noise_n: float = 3.0) -> pd.DataFrame:
        data = {"time_s": 50.0 + self.t}
        for p in PLATES:
            fz = self.fz[p.name]
            with np.errstate(invalid="ignore", divide="ignore"):
                cop_x = np.where(fz >= 10, self.mx[p.name] / fz, np.nan)
                cop_y = np.where(fz >= 10, self.my[p.name] / fz, np.nan)
            cols = plate_channels(p.name)
            data[cols[0]] = self.rng.normal(0, noise_n, fz.size)
            data[cols[1]] = self.rng.normal(0, noise_n, fz.size)
            data[cols[2]] = fz + self.rng.normal(0, noise_n, fz.size)
            data[cols[3]] = cop_x + self.rng.normal(0, 0.002, fz.size)
            data[cols[4]] = cop_y + self.rng.normal(0, 0.002, fz.size)
        return pd.DataFrame(data)

    def insole(self, ic_bias_s=0.002, to_bias_s=-0.003, jitter_s=0.001, extra=()) -> pd.DataFrame:
        """Insole contacts in lab time for every contact added (plus off-plate ones)."""
        rows = [(foot, 50.0 + ic + ic_bias_s, 50.0 + to + to_bias_s) for foot, ic, to in [*self.truth, *extra]]
        ref = pd.DataFrame(rows, columns=["foot", "ic_s", "to_s"])
        ref[["ic_s", "to_s"]] += self.rng.normal(0, jitter_s, (len(ref), 2))
        # insole "impulse" in arbitrary units: proportional to the whole-foot impulse, 2 % scatter
        whole_foot = np.r_[self.impulse_n_s, np.full(len(extra), 400.0)]
        ref["impulse"] = 7.3 * whole_foot * self.rng.normal(1.0, 0.02, len(ref))
        return ref


@pytest.fixture
def contact_force_n() -> Callable[..., np.ndarray]:
    """``contact_force_n(tau_s, duration_s, peak_n, impact_n=600, impact_s=0.045)``: one contact's force."""
    return _contact_force_n


@pytest.fixture
def step_train() -> Callable[..., tuple]:
    """``step_train(n_steps, seed, t_first_s=0.3)`` -> onsets, parameters and 20 N crossings of seeded contacts."""
    return _step_train


@pytest.fixture
def force_signal() -> Callable[..., np.ndarray]:
    """``force_signal(t, onsets, params, noise_n, seed)``: the force of a step train on a time axis."""
    return _force_signal


@pytest.fixture
def fsr_load() -> Callable[[np.ndarray, int], np.ndarray]:
    """``fsr_load(force_n, seed)``: a saturating FSR response to a force (arbitrary counts)."""
    return _fsr_load


@pytest.fixture
def plates() -> tuple[Plate, ...]:
    """The runway's four 0.6 m x 0.4 m plates in a row, 5 mm apart."""
    return PLATES


@pytest.fixture
def runway() -> type[Runway]:
    """The :class:`Runway` class: ``runway(duration_s, seed)`` builds a 4-plate force table contact by contact."""
    return Runway
