"""The `ci` cohort and the `ci` experiment still give the results kept in tests/data/reference-ci."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.runner import run_experiment
from grfkit.io.stances import StanceDataset
from grfkit.preprocess.chain import preprocess_raw
from grfkit.simulate.cohort import simulate_cohort

REFERENCE = Path(__file__).resolve().parent / "data" / "reference-ci"


def stance_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of each stance array (dtype, shape, bytes), of the metadata as CSV and of the text files."""
    digests = {}
    with np.load(folder / "arrays.npz") as arrays:
        for key in sorted(arrays.files):
            array = arrays[key]
            digest = hashlib.sha256(f"{array.dtype.str} {array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
            digests[f"arrays.npz:{key}"] = digest.hexdigest()
    meta = pd.read_parquet(folder / "meta.parquet")
    digests["meta.parquet"] = hashlib.sha256(meta.to_csv().encode()).hexdigest()
    for name in ("skipped.csv", "channels.json"):
        digests[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def ci_stances(tmp_path_factory: pytest.TempPathFactory) -> tuple[StanceDataset, Path]:
    work = tmp_path_factory.mktemp("reference")
    raw_dir = simulate_cohort("ci", 0, work / "raw")
    stances = preprocess_raw(raw_dir).stances
    return stances, stances.save(work / "stances")


def test_the_ci_cohort_is_bit_identical_to_the_reference(ci_stances) -> None:
    _, folder = ci_stances
    expected = json.loads((REFERENCE / "stances.json").read_text())
    assert stance_digests(folder) == expected


def test_the_ci_experiment_gives_the_reference_results(ci_stances, tmp_path: Path) -> None:
    """Identical to the byte on the machine that made the reference; within 1e-6 on another CPU."""
    stances, _ = ci_stances
    config = ExperimentConfig(scale="ci", seed=0, preset="ci")
    run_experiment(config, tmp_path / "exp", stances=stances, cache_dir=tmp_path / "cache", progress=False,
                   workers=2)
    got = pd.read_csv(tmp_path / "exp" / "results.csv")
    expected = pd.read_csv(REFERENCE / "results.csv")
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-6, atol=1e-9)
