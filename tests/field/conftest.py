"""Fixtures of the field tests: a wearable-only copy of the tiny cohort, and synthetic loads.

``field_raw`` is the tiny cohort (``tiny_raw``) without its force tables, as a recording without
force plates would be; ``spoilt_field_raw`` copies it so that a test can spoil one bout.
``half_sine_load`` builds a seeded insole load of half-sine contacts whose threshold crossings are
known in closed form.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest


def _copy_without_force(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("force.*"))
    return target


@pytest.fixture(scope="session")
def field_raw(tiny_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny cohort without force tables (read-only by convention)."""
    return _copy_without_force(tiny_raw, tmp_path_factory.mktemp("field") / "raw")


@pytest.fixture
def spoilt_field_raw(field_raw: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`field_raw` that a test may change."""
    return _copy_without_force(field_raw, tmp_path / "raw")


def make_half_sine_load(
    seed: int, duration_s: float = 6.0, rate_hz: float = 1000.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A noise-free load of half-sine contacts: ``time_s, load, onsets_s, contact_s, amplitudes``.

    Contacts last 0.2-0.3 s, flights 0.1-0.2 s; amplitudes 1500-3500 counts.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(round(duration_s * rate_hz)) / rate_hz
    onsets, contacts, amplitudes = [], [], []
    start = 0.2 + rng.uniform(0.0, 0.1)
    while start + 0.35 < duration_s - 0.2:
        contact = rng.uniform(0.2, 0.3)
        onsets.append(start)
        contacts.append(contact)
        amplitudes.append(rng.uniform(1500.0, 3500.0))
        start += contact + rng.uniform(0.1, 0.2)
    load = np.zeros_like(t)
    for t0, d, a in zip(onsets, contacts, amplitudes):
        inside = (t > t0) & (t < t0 + d)
        load[inside] += a * np.sin(np.pi * (t[inside] - t0) / d)
    return t, load, np.array(onsets), np.array(contacts), np.array(amplitudes)


@pytest.fixture
def half_sine_load() -> Callable[..., tuple]:
    """The :func:`make_half_sine_load` factory."""
    return make_half_sine_load
