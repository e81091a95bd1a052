"""grfkit: running ground reaction forces from wearable sensors.

Tools to simulate, preprocess and model instrumented-insole and IMU recordings
of running, and to take a ground reaction force estimator from the treadmill
to overground running with transfer learning.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("grfkit")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
