"""Shared test fixtures."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from grfkit.constants import N_POINTS
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS, fsr_channels
from grfkit.io.stances import StanceDataset


def make_stance_dataset(
    participants: Sequence[str] = ("P01", "P02", "P03", "P04"),
    stances_per_participant: int = 6,
    seed: int = 0,
    dataset: str = "overground",
) -> StanceDataset:
    """Synthetic, seeded stances whose inputs carry information about the force.

    vGRF is a half-sine of 2.2-3.0 body weights (peak rising with speed), apGRF a
    braking-then-propulsive full sine of 0.3 BW; the FSRs see the vertical force
    spread over heel-to-toe sensors as the insole centre of pressure moves forward,
    plus noise; the IMU channels are noisy smooth curves.
    """
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, N_POINTS)
    rows, inputs, targets = [], [], []
    fsr_index = [STANCE_SIGNAL_CHANNELS.index(c) for c in fsr_channels("left")]
    cop_ap = STANCE_SIGNAL_CHANNELS.index("cop_ap_frac")
    cop_ml = STANCE_SIGNAL_CHANNELS.index("cop_ml_frac")
    imu_index = [STANCE_SIGNAL_CHANNELS.index(c) for c in STANCE_SIGNAL_CHANNELS if c.startswith(("acc_", "gyro_"))]
    sensor_pos = np.linspace(0.05, 0.95, len(fsr_index))
    for participant in participants:
        body_mass_kg = rng.uniform(55.0, 85.0)
        insole_length_m = rng.uniform(0.24, 0.29)
        for k in range(stances_per_participant):
            speed_mps = rng.uniform(2.5, 4.5)
            contact_time_s = 0.32 - 0.03 * speed_mps + rng.normal(0.0, 0.005)
            weight_n = body_mass_kg * 9.81
            peak_bw = 2.2 + 0.2 * (speed_mps - 2.5) + rng.normal(0.0, 0.05)
            vgrf = weight_n * peak_bw * np.sin(np.pi * t)
            apgrf = -weight_n * (0.3 + rng.normal(0.0, 0.02)) * np.sin(2 * np.pi * t)
            cop = 0.1 + 0.8 * t
            spread = np.exp(-((sensor_pos[None, :] - cop[:, None]) ** 2) / 0.02)
            x = np.zeros((N_POINTS, len(STANCE_SIGNAL_CHANNELS)))
            x[:, fsr_index] = np.clip(vgrf[:, None] * spread * 0.8 + rng.normal(0, 20, spread.shape), 0, 4095)
            x[:, cop_ap] = cop + rng.normal(0, 0.01, N_POINTS)
            x[:, cop_ml] = 0.5 + rng.normal(0, 0.02, N_POINTS)
            x[:, imu_index] = np.cumsum(rng.normal(0, 1.0, (N_POINTS, len(imu_index))), axis=0)
            rows.append(
                {
                    "dataset": dataset,
                    "participant": participant,
                    "bout": "medium",
                    "foot": "left",
                    "plate": "plate2" if dataset == "overground" else "belt",
                    "ic_s": float(k),
                    "to_s": float(k) + contact_time_s,
                    "contact_time_s": contact_time_s,
                    "speed_mps": speed_mps,
                    "gradient_deg": 0.0,
                    "body_mass_kg": body_mass_kg,
                    "insole_length_m": insole_length_m,
                }
            )
            inputs.append(x)
            targets.append(np.stack([vgrf, apgrf], axis=-1))
    return StanceDataset(
        meta=pd.DataFrame(rows),
        inputs=np.asarray(inputs, dtype=np.float32),
        targets=np.asarray(targets, dtype=np.float32),
        input_channels=STANCE_SIGNAL_CHANNELS,
        target_channels=TARGET_CHANNELS,
    )


@pytest.fixture
def stance_factory() -> Callable[..., StanceDataset]:
    """The :func:`make_stance_dataset` factory: ``stance_factory(participants=..., seed=...)``."""
    return make_stance_dataset


@pytest.fixture
def tiny_preset():
    """A ModelPreset small enough to train in milliseconds."""
    from grfkit.model.presets import ModelPreset

    return ModelPreset(
        name="tiny",
        hidden_size=4,
        lstm_layers=1,
        dense_sizes=(6,),
        input_dropout=0.1,
        dropout=0.1,
        learning_rate=1e-2,
        batch_size=8,
        epochs=2,
        min_steps=0,
        grad_clip_norm=1.0,
        fine_tune_epochs=1,
        fine_tune_lr_factor=0.5,
    )


# --- Scripts of tools/ ---------------------------------------------------------------

#: The repository's tools folder (scripts run by make, not part of the package).
TOOLS_DIR = Path(__file__).resolve().parents[1] / "tools"


@pytest.fixture(scope="session")
def load_tool() -> Callable[[str], ModuleType]:
    """Return ``load(name)``: the module of the script ``tools/<name>.py``, imported from its file."""

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, TOOLS_DIR / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


# --- Real public data sets (tests marked ``realdata``) --------------------------

#: Where the real data sets sit beside the project's root (its ``shared/data``).
REAL_DATA_FALLBACK = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def real_dataset() -> Callable[[str], Path]:
    """Return ``get(name) -> folder`` for a verified real data set, skipping the test when absent.

    The data directory is grfkit's (``GRFKIT_DATA_DIR``, else the per-user data
    folder that ``grfkit data fetch`` fills); without ``GRFKIT_DATA_DIR``, also
    ``<repository>/../shared/data``.  The folder's checksums are verified
    without any download attempt.
    """
    from grfkit.real.data_folder import DATA_DIR_ENV, data_dir, fetch

    def get(name: str) -> Path:
        candidates = [data_dir()] + ([] if os.environ.get(DATA_DIR_ENV) else [REAL_DATA_FALLBACK])
        for candidate in candidates:
            if (candidate / name).is_dir():
                return fetch(name, data_dir=candidate, download=False)
        pytest.skip(f"real data set {name!r} absent (looked in {', '.join(map(str, candidates))}): "
                    f"`grfkit data fetch {name}` or `make data` fetches it")

    return get


# --- A tiny simulated cohort (pipeline, ground truth, CLI tests) -------------------

#: A cohort small enough to simulate and preprocess in a few seconds.
TINY_SCALE_KWARGS = dict(
    name="tiny",
    overground_participants=2,
    overground_bouts=("medium",),
    overground_duration_s=30.0,
    treadmill_participants=1,
    treadmill_conditions=("medium_level",),
    treadmill_duration_s=12.0,
)


@pytest.fixture(scope="session")
def tiny_scale():
    """The :class:`grfkit.simulate.ScaleConfig` of the tiny cohort."""
    from grfkit.scales import ScaleConfig

    return ScaleConfig(**TINY_SCALE_KWARGS)


@pytest.fixture(scope="session")
def tiny_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw data folder of a tiny simulated cohort (seed 3), read-only by convention."""
    from grfkit.scales import ScaleConfig
    from grfkit.simulate import simulate_cohort

    return simulate_cohort(ScaleConfig(**TINY_SCALE_KWARGS), seed=3, out_dir=tmp_path_factory.mktemp("tiny") / "raw")


@pytest.fixture(scope="session")
def tiny_result(tiny_raw: Path):
    """PreprocessResult of :func:`tiny_raw` (in-process, one worker)."""
    from grfkit.preprocess.chain import preprocess_raw

    return preprocess_raw(tiny_raw, workers=1)


# --- Processes (worker tests) --------------------------------------------------------


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie has ended; only its status waits)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


class PoolWorkers:
    """Start a script whose pool workers each write their PID into a folder, and end them all after the test.

    The folder is the script's first argument and ``GRFKIT_TEST_PIDS`` in its environment.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[subprocess.Popen, list[int]]] = []

    def start(self, script: str, n_workers: int = 2, within_s: float = 60.0) -> tuple[subprocess.Popen, list[int]]:
        """Run ``script``; return the parent process and its workers' PIDs once ``n_workers`` have started."""
        run = self.folder / f"run{len(self.started)}"
        pids = run / "pids"
        pids.mkdir(parents=True)
        (run / "script.py").write_text(script)
        parent = subprocess.Popen([sys.executable, str(run / "script.py"), str(pids)],
                                  env={**os.environ, "GRFKIT_TEST_PIDS": str(pids)})
        workers: list[int] = []
        self.started.append((parent, workers))
        deadline = time.monotonic() + within_s
        while len(workers) < n_workers:
            assert parent.poll() is None and time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
            workers[:] = [int(p.name) for p in pids.iterdir()]
        return parent, workers

    @staticmethod
    def ended(workers: Sequence[int], within_s: float = 5.0) -> bool:
        """Whether every worker has ended within ``within_s`` seconds."""
        deadline = time.monotonic() + within_s
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        return not any(map(_alive, workers))

    def end_all(self) -> None:
        """Kill every parent started and every worker still alive."""
        for parent, workers in self.started:
            parent.kill()
            for pid in workers:
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def pool_workers(tmp_path: Path) -> Iterator[PoolWorkers]:
    """A :class:`PoolWorkers` in ``tmp_path``; whatever it started is killed after the test."""
    pools = PoolWorkers(tmp_path / "pools")
    try:
        yield pools
    finally:
        pools.end_all()
