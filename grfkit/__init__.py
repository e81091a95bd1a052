"""grfkit: running ground reaction forces from wearable sensors.

Tools to simulate, preprocess and model instrumented-insole and IMU recordings
of running, and to take a ground reaction force estimator from the treadmill
to overground running with transfer learning.

The data flow, one call per arrow::

    simulate_cohort(scale, seed, out_dir)          -> raw data folder (or your own recordings)
    preprocess_raw(raw_dir)                        -> PreprocessResult (.stances: StanceDataset)
    grfkit.model.training.fit / grfkit.experiment.runner.run_experiment  -> models and results

The modules that need PyTorch (model, training, experiment) are imported on
demand, so ``import grfkit`` stays light.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from grfkit.errors import GrfkitError
from grfkit.lazy_imports import lazy_getattr

try:
    __version__ = version("grfkit")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

# Where each public name lives; imported on first use, so that ``import grfkit`` (and ``grfkit --help``)
# loads neither PyTorch nor pandas.
_LAZY = {
    "prepare_cohort": "storage.cohort_cache",
    "PreprocessConfig": "preprocess.config",
    "PreprocessResult": "preprocess.results",
    "preprocess_raw": "preprocess.chain",
    "read_bout": "io.read",
    "simulate_bout": "simulate.cohort",
    "simulate_cohort": "simulate.cohort",
    "StanceDataset": "io.stances",
}

if TYPE_CHECKING:
    from grfkit.io.read import read_bout
    from grfkit.io.stances import StanceDataset
    from grfkit.preprocess.chain import preprocess_raw
    from grfkit.preprocess.config import PreprocessConfig
    from grfkit.preprocess.results import PreprocessResult
    from grfkit.simulate import simulate_bout, simulate_cohort
    from grfkit.storage.cohort_cache import prepare_cohort


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "GrfkitError",
    "PreprocessConfig",
    "PreprocessResult",
    "StanceDataset",
    "__version__",
    "prepare_cohort",
    "preprocess_raw",
    "read_bout",
    "simulate_bout",
    "simulate_cohort",
]
