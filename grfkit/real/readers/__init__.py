"""Readers for the file formats of real running recordings.

- :mod:`grfkit.real.readers.opensim`: OpenSim storage (``.mot``/``.sto``) and marker (``.trc``) text files.
- :mod:`grfkit.real.readers.c3d`: C3D files (markers, force plates, analog channels) through ``ezc3d``.
- :mod:`grfkit.real.readers.alcantara`: the accelerometer and force CSV files of Alcantara et al. (2022).
- :mod:`grfkit.real.readers.frames`: lab axes and their rotation into grfkit's frame.

Every reader converts to SI units and raises :class:`grfkit.errors.RawDataError`
subclasses that name the file (and the line or channel) for a bad or truncated file.
"""

from grfkit.real.readers.alcantara import AlcantaraData, read_alcantara, valid_length
from grfkit.real.readers.c3d import C3DRecording, ForcePlate, read_c3d, to_grfkit_frame
from grfkit.real.readers.frames import (
    estimate_overground_axes,
    rotate_vector_columns,
    rotation_to_grfkit,
)
from grfkit.real.readers.opensim import read_mot, read_sto, read_trc

__all__ = [
    "AlcantaraData",
    "C3DRecording",
    "ForcePlate",
    "estimate_overground_axes",
    "read_alcantara",
    "read_c3d",
    "read_mot",
    "read_sto",
    "read_trc",
    "rotate_vector_columns",
    "rotation_to_grfkit",
    "to_grfkit_frame",
    "valid_length",
]
