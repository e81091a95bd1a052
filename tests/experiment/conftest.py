"""Shared fixtures of the experiment tests: seeded stances of both domains, a tiny config, a run helper."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import grfkit.experiment.strategies as strategies
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.store import ExperimentResults
from grfkit.io.stances import StanceDataset
from grfkit.model.training import torch_threads


@pytest.fixture
def one_torch_thread():
    """Train with one torch thread (``pytestmark = pytest.mark.usefixtures("one_torch_thread")``)."""
    with torch_threads(1):
        yield


@pytest.fixture
def domains(stance_factory) -> tuple[StanceDataset, StanceDataset]:
    """Overground OG01-OG03 (4 stances each, seed 3) and treadmill TM01-TM02 (6 each, seed 4)."""
    overground = stance_factory(participants=("OG01", "OG02", "OG03"), stances_per_participant=4, seed=3)
    treadmill = stance_factory(participants=("TM01", "TM02"), stances_per_participant=6, seed=4, dataset="treadmill")
    return overground, treadmill


@pytest.fixture
def stances(stance_factory) -> StanceDataset:
    """One data set of both domains: OG01-OG03 (4 stances each, seed 11), TM01-TM02 (5 each, seed 12)."""
    overground = stance_factory(participants=("OG01", "OG02", "OG03"), stances_per_participant=4, seed=11)
    treadmill = stance_factory(participants=("TM01", "TM02"), stances_per_participant=5, seed=12, dataset="treadmill")
    return StanceDataset.concat([overground, treadmill])


@pytest.fixture
def config(tiny_preset) -> ExperimentConfig:
    """Every strategy, vGRF only, the tiny preset, seed 3, one thread."""
    return ExperimentConfig(scale="ci", seed=3, preset=tiny_preset, targets=("vgrf",), num_threads=1)


@pytest.fixture
def small(config) -> ExperimentConfig:
    """Two strategies (one needs the pre-trained model): 6 folds and 1 pre-training."""
    return ExperimentConfig(**{**config.__dict__, "strategies": ("overground", "transfer")})


@pytest.fixture
def fit_counter(monkeypatch) -> dict[str, int]:
    """Count training runs (fit and fine_tune) made through the strategies."""
    calls = {"fit": 0, "fine_tune": 0}

    def counting(name):
        original = getattr(strategies, name)

        def wrapper(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    for name in calls:
        monkeypatch.setattr(strategies, name, counting(name))
    return calls


def _run(config, stances, tmp_path, name, **kwargs) -> ExperimentResults:
    """Run into ``tmp_path/name`` with a cache of its own (unless ``cache_dir`` is given)."""
    kwargs.setdefault("cache_dir", tmp_path / f"cache-{name}")
    return run_experiment(config, tmp_path / name, stances=stances, progress=False, **kwargs)


@pytest.fixture
def run() -> Callable[..., ExperimentResults]:
    """``run(config, stances, tmp_path, name, **kwargs)``: an experiment into ``tmp_path/name``, no progress bar."""
    return _run
