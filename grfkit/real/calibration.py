"""Which real runners may calibrate the simulator and which only validate it.

The one place the split is defined (:data:`REAL_DATA_SPLIT`): Hamner &
Delp's first five subjects in their published numbering (subject01, 02, 03,
04, 08) and Dorn's single runner, whose jog guided an earlier braking
relation, are *calibration* runners; Hamner's last five (subject10, 11, 17,
19, 20) are *validation* runners.  There is no held-out overground runner.
:func:`real_data_part` names a runner's part, :func:`select_part` keeps one
part of a stance set and :func:`describe_part` says it in words.  The split
came after the simulator's first three corrections, which had looked at all
ten Hamner runners (chapter 6).
"""

from __future__ import annotations

import numpy as np

from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.real.dorn import DORN_DATASET, DORN_PARTICIPANT
from grfkit.real.hamner import HAMNER_DATASET, HAMNER_SUBJECTS

__all__ = ["CALIBRATION", "VALIDATION", "PARTS", "REAL_DATA_SPLIT", "real_data_part", "select_part", "describe_part"]

#: Name of the part the simulator may be tuned on.
CALIBRATION: str = "calibration"

#: Name of the held-out part the simulator is validated on.
VALIDATION: str = "validation"

#: The two parts.
PARTS: tuple[str, str] = (CALIBRATION, VALIDATION)

#: Data set -> part -> runners.
REAL_DATA_SPLIT: dict[str, dict[str, tuple[str, ...]]] = {
    HAMNER_DATASET: {CALIBRATION: HAMNER_SUBJECTS[:5], VALIDATION: HAMNER_SUBJECTS[5:]},
    DORN_DATASET: {CALIBRATION: (DORN_PARTICIPANT,), VALIDATION: ()},
}


def _check_part(part: str) -> None:
    if part not in PARTS:
        raise ConfigError(f"unknown part {part!r}; choose from {PARTS}")


def real_data_part(dataset: str, participant: str) -> str:
    """The part a real runner belongs to.

    Parameters
    ----------
    dataset
        Registry name (``"hamner2013"``, ``"dorn2012"``).
    participant
        The runner, e.g. ``"subject10"``.

    Returns
    -------
    str
        :data:`CALIBRATION` or :data:`VALIDATION`.

    Raises
    ------
    ConfigError
        For a data set or runner the split does not list.

    Examples
    --------
    >>> real_data_part("hamner2013", "subject08"), real_data_part("hamner2013", "subject10")
    ('calibration', 'validation')
    """
    if dataset not in REAL_DATA_SPLIT:
        raise ConfigError(f"the calibration/validation split lists no data set {dataset!r}")
    for part, runners in REAL_DATA_SPLIT[dataset].items():
        if participant in runners:
            return part
    raise ConfigError(f"the calibration/validation split lists no runner {participant!r} of {dataset!r}")


def select_part(stances: StanceDataset, part: str) -> StanceDataset:
    """The stances of one part's runners.

    Parameters
    ----------
    stances
        Real stances (``dataset`` and ``participant`` columns as the readers write them).
    part
        :data:`CALIBRATION` or :data:`VALIDATION`.

    Returns
    -------
    StanceDataset
        The subset (possibly empty: Dorn has no validation runner).

    Raises
    ------
    ConfigError
        For an unknown part, or a runner the split does not list.
    """
    _check_part(part)
    keys = stances.meta[["dataset", "participant"]].astype(str).drop_duplicates()
    chosen = {(d, p) for d, p in keys.itertuples(index=False) if real_data_part(d, p) == part}
    mask = np.array(
        [(d, p) in chosen for d, p in zip(stances.meta["dataset"].astype(str), stances.meta["participant"].astype(str),
                                           strict=True)],
        dtype=bool,
    )
    return stances.subset(mask)


def describe_part(part: str) -> str:
    """One line naming a part and its runners, for tables and figure titles.

    Parameters
    ----------
    part
        :data:`CALIBRATION` or :data:`VALIDATION`.

    Returns
    -------
    str
        E.g. ``"held-out validation runners: hamner2013 subject10, subject11, ..."``.

    Raises
    ------
    ConfigError
        For an unknown part.
    """
    _check_part(part)
    label = "held-out validation runners" if part == VALIDATION else "calibration runners"
    listed = [
        f"{dataset} {', '.join(parts[part])}" for dataset, parts in REAL_DATA_SPLIT.items() if parts[part]
    ]
    return f"{label}: {'; '.join(listed)}"
