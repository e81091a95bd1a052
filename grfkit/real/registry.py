"""Registry of the real, openly licensed running data sets grfkit reads.

Three published data sets: ``hamner2013`` (treadmill, 10 runners at 2-5 m/s,
OpenSim files), ``dorn2012`` (overground over 8 force plates, 1 runner, C3D)
and ``alcantara2022`` (1 runner, 31 sloped treadmill trials, sacral
accelerometer, CSV).  Each :class:`DatasetInfo` holds the citations, licence,
public source (a GitHub repository at a pinned commit) and every file with its
SHA-256 (:mod:`grfkit.real.checksums`), so a data folder is checked against
what this version of grfkit was tested with.  :data:`DATASETS`,
:func:`dataset_names` and :func:`dataset_info` look them up;
:mod:`grfkit.real.data_folder` finds, checks and fills the local copies.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import quote

from grfkit.errors import ConfigError
from grfkit.real.checksums import (
    ALCANTARA2022_FILES,
    DORN2012_FILES,
    HAMNER2013_FILES,
)

__all__ = [
    "DATA_URL_ENV",
    "DEFAULT_BASE_URL",
    "Citation",
    "DataFile",
    "DatasetInfo",
    "DATASETS",
    "dataset_names",
    "dataset_info",
]

#: Environment variable naming a mirror that replaces :data:`DEFAULT_BASE_URL`.
DATA_URL_ENV: str = "GRFKIT_DATA_URL"

#: Where the registered files are downloaded from: ``<base><owner>/<repo>/<commit>/<source path>``.
DEFAULT_BASE_URL: str = "https://raw.githubusercontent.com/"


@dataclass(frozen=True)
class Citation:
    """A publication that users of a data set must cite.

    Parameters
    ----------
    text
        Full reference (authors, year, title, journal, volume, pages).
    doi
        Digital object identifier, without the ``https://doi.org/`` prefix.
    """

    text: str
    doi: str


@dataclass(frozen=True)
class DataFile:
    """One registered file of a data set.

    Parameters
    ----------
    path
        Path inside the data set's local folder, with ``/`` separators.
    sha256
        Expected SHA-256 of the file's bytes (lower-case hex).
    size_bytes
        The file's size.
    source_path
        Path of the file inside the source repository at the pinned commit
        (e.g. ``"LICENSE"`` for the local ``"LICENSE.txt"``).
    url_verified
        ``True`` where the file at ``source_path`` of the pinned commit was
        hashed and matched ``sha256``.
    read_options
        Keyword arguments the file's reader needs for a known quirk of this
        file (e.g. ``{"check_frame_count": False}`` for a stale TRC header).
    note
        Known facts about this file worth knowing before using it.
    """

    path: str
    sha256: str
    size_bytes: int
    source_path: str
    url_verified: bool = False
    read_options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    note: str = ""


@dataclass(frozen=True)
class DatasetInfo:
    """Everything grfkit knows about one public data set.

    Parameters
    ----------
    name
        Registry key and folder name inside the data directory.
    title
        One-line description.
    description
        What the data set holds: design, files, units, sampling rates.
    citations
        Publications to cite when using the data.
    licence
        Licence or terms of use, as published with the source.
    source_repository
        Public GitHub repository (``owner/name``) the files are taken from.
    source_commit
        Commit of ``source_repository`` that the download URLs point at.
    source_folder
        Folder inside the repository that holds the files.
    original_source
        Where the authors first released the data, if elsewhere.
    files
        Registered files with checksums and source paths.
    body_mass_kg
        Body mass per subject where no file of the data set holds it.
    """

    name: str
    title: str
    description: str
    citations: tuple[Citation, ...]
    licence: str
    source_repository: str
    source_commit: str
    source_folder: str
    original_source: str
    files: tuple[DataFile, ...]
    body_mass_kg: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def file(self, path: str) -> DataFile:
        """Return the registered file at ``path`` (relative to the data set's folder).

        Parameters
        ----------
        path
            E.g. ``"subject01/Run_3_grf.mot"``.

        Returns
        -------
        DataFile
            The registry entry.

        Raises
        ------
        ConfigError
            If no file of this data set has that path.
        """
        for data_file in self.files:
            if data_file.path == path:
                return data_file
        raise ConfigError(f"data set {self.name!r} has no registered file {path!r}")

    def url(self, data_file: DataFile, base_url: str | None = None) -> str:
        """Return the download URL of one of this data set's files.

        Parameters
        ----------
        data_file
            A file of this data set.
        base_url
            Replaces ``https://raw.githubusercontent.com/``; default
            ``$GRFKIT_DATA_URL`` if set.

        Returns
        -------
        str
            ``<base>/<owner>/<repo>/<commit>/<quoted source path>``.

        Examples
        --------
        >>> info = dataset_info("alcantara2022")
        >>> info.url(info.file("LICENSE.txt"), base_url="http://127.0.0.1:8000")
        'http://127.0.0.1:8000/alcantarar/Recurrent_GRF_Prediction/893024a3de827a943623bd84850f275a400a1152/LICENSE'
        """
        return f"{_base_url(base_url)}{self.source_repository}/{self.source_commit}/{quote(data_file.source_path)}"


def _base_url(base_url: str | None) -> str:
    """The mirror's base URL with one trailing ``/``: argument, ``$GRFKIT_DATA_URL``, or raw GitHub."""
    base = base_url or os.environ.get(DATA_URL_ENV, "").strip() or DEFAULT_BASE_URL
    return base.rstrip("/") + "/"


# --- hamner2013 ----------------------------------------------------------------

_HAMNER_REPOSITORY = "aaronsfox/zmp-opensim"
_HAMNER_COMMIT = "45c579cab52865425a875d7c151eeff4795bc174"
_HAMNER_FOLDER = "datasets/HamnerDelp2013/data"
# TRC files whose header NumFrames exceeds the rows stored.  The frames that are
# there are contiguous, start with the matching .mot and cover it: the header
# is stale (the trial was trimmed), the file is not cut short.
_HAMNER_STALE_TRC_FRAMES: dict[str, tuple[int, int]] = {
    "subject10/Run_2.trc": (559, 542),
    "subject10/Run_3.trc": (588, 583),
    "subject10/Run_4.trc": (551, 543),
    "subject10/Run_5.trc": (549, 544),
    "subject11/Run_2.trc": (534, 514),
    "subject11/Run_3.trc": (566, 527),
    "subject11/Run_4.trc": (553, 545),
    "subject11/Run_5.trc": (506, 499),
    "subject17/Run_3.trc": (661, 650),
    "subject17/Run_4.trc": (659, 649),
}
_HAMNER_NOTES: dict[str, str] = {
    "subject04/Run_5.trc": "41 markers: LMT5 (left 5th metatarsal head) is absent from this trial.",
}
# Body mass per subject: the sum of the segment masses (<Body><mass>) of the subject's
# scaled OpenSim model, datasets/HamnerDelp2013/data/subjectXX/model/subjectXX_adjusted_scaled.osim
# at _HAMNER_COMMIT, rounded to 0.01 kg (recomputed from the mirror: all nine agree).
# subject20 has no scaled model: grfkit.real.hamner estimates that mass from the force.
_HAMNER_BODY_MASS_KG: dict[str, float] = {
    "subject01": 72.84, "subject02": 76.48, "subject03": 64.00, "subject04": 80.47, "subject08": 82.37,
    "subject10": 69.26, "subject11": 69.35, "subject17": 68.45, "subject19": 65.14,
}  # fmt: skip


def _hamner_file(path: str, sha256: str, size_bytes: int) -> DataFile:
    subject, name = path.split("/")
    read_options: Mapping[str, object] = MappingProxyType({})
    note = _HAMNER_NOTES.get(path, "")
    if path in _HAMNER_STALE_TRC_FRAMES:
        declared, stored = _HAMNER_STALE_TRC_FRAMES[path]
        read_options = MappingProxyType({"check_frame_count": False})
        note = (
            f"TRC header says NumFrames {declared} but {stored} contiguous frames are stored, "
            "starting with the .mot and covering it: a stale header, not a truncated file."
        )
    return DataFile(
        path=path,
        sha256=sha256,
        size_bytes=size_bytes,
        source_path=f"{_HAMNER_FOLDER}/{subject}/expData/{name}",
        url_verified=True,
        read_options=read_options,
        note=note,
    )


_HAMNER = DatasetInfo(
    name="hamner2013",
    title="Treadmill running at 2, 3, 4 and 5 m/s: per-foot GRF and markers, 10 subjects",
    description=(
        "Instrumented-treadmill running of 10 subjects (subject01, 02, 03, 04, 08, 10, 11, 17, 19, 20) "
        "at 2, 3, 4 and 5 m/s, about 4-6 s per trial. Run_S_grf.mot (OpenSim storage): time, then per "
        "foot (R_, L_) ground_force_vx (anteroposterior, + forward), _vy (vertical, + up), _vz "
        "(mediolateral, + right), ground_force_px/py/pz (centre of pressure, m) and ground_torque_* "
        "(N m); each foot's force is already split; zero while the foot is in the air. Force rate by "
        "subject: 1000 Hz (01, 08, 10, 11), 2000 Hz (03, 04), 960 Hz (02, 17, 19, 20). Run_S.trc: "
        "41-45 markers in mm incl. RCAL RTOE RMT5 LCAL LTOE LMT5, at 100 Hz (01, 03, 04, 08, 10, 11) "
        "or 120 Hz (02, 17, 19, 20). Lab axes (OpenSim): X forward, Y up, Z to the runner's right. "
        "Body masses (registry, not a file): the subjects' scaled OpenSim models; none for subject20."
    ),
    citations=(
        Citation(
            text=(
                "Hamner SR, Delp SL (2013). Muscle contributions to fore-aft and vertical body mass "
                "center accelerations over a range of running speeds. J Biomech 46(4):780-787."
            ),
            doi="10.1016/j.jbiomech.2012.11.024",
        ),
        Citation(
            text=(
                "Fox A (2024). The quest for dynamic consistency: a comparison of OpenSim tools for "
                "residual reduction in simulations of human running. R Soc Open Sci 11(5):231909."
            ),
            doi="10.1098/rsos.231909",
        ),
    ),
    licence=(
        "Openly released on SimTK (project nmbl_running) with Hamner & Delp (2013) and re-published "
        "with Fox (2024); the source repository states that any use must be in line with that "
        "described in both papers: cite both."
    ),
    source_repository=_HAMNER_REPOSITORY,
    source_commit=_HAMNER_COMMIT,
    source_folder=f"{_HAMNER_FOLDER}/subjectXX/expData",
    original_source="https://simtk.org/projects/nmbl_running",
    files=tuple(_hamner_file(path, sha, size) for path, (sha, size) in HAMNER2013_FILES.items()),
    body_mass_kg=MappingProxyType(_HAMNER_BODY_MASS_KG),
)


# --- dorn2012 ------------------------------------------------------------------

_DORN_REPOSITORY = "aaronsfox/flash-running"
_DORN_COMMIT = "157099c09c29c0d92f7fa049cf0ff3b582481ab1"
_DORN_FOLDER = "[old]Dorn2012Data"
_DORN_NOTES: dict[str, str] = {
    "JA1Gait21.c3d": "Jog, about 3.5 m/s. Contacts on plates 1, 2, 4, 5 and 7; plate 3 sees a 25 N toe straddle.",
    "JA1Gait35.c3d": "Sprint, about 9 m/s. Contacts on plates 2, 4, 7 and 8.",
}

_DORN = DatasetInfo(
    name="dorn2012",
    title="Overground jog (3.5 m/s) and sprint (9 m/s) over 8 force plates, 1 subject",
    description=(
        "Subject JA1 of Dorn et al. (2012): JA1Gait21.c3d (jog, about 3.5 m/s) and JA1Gait35.c3d "
        "(sprint, about 9 m/s). C3D: 53 marker labels (LHEEL LTOE LP1MT LP5MT ... and the right-side "
        "ones) at 250 Hz in mm; 8 type-2 force plates (Fx Fy Fz Mx My Mz, N and N mm) and 12 EMG "
        "channels at 1500 Hz. Lab axes: Y is the running direction (the runner crosses the plates "
        "in +Y), Z up, X to the runner's right. Plates are 600 mm (X) by 900 mm (Y), laid in a row "
        "along Y: plates 1-7 contiguous from Y = -3607 to 2705 mm (2 mm gaps), plate 8 at Y = "
        "3609-4509 mm after a 904 mm gap. Body mass 75.93 kg (subject's scaled model)."
    ),
    citations=(
        Citation(
            text=(
                "Dorn TW, Schache AG, Pandy MG (2012). Muscular strategy shift in human running: "
                "dependence of running speed on hip and ankle muscle performance. J Exp Biol "
                "215(11):1944-1956."
            ),
            doi="10.1242/jeb.064527",
        ),
    ),
    licence=(
        "MIT, Copyright (c) 2012 Stanford University, as stated with the copy of the data grfkit was "
        "developed with. The source repository has no licence file (at no commit), so none is "
        "downloaded: cite Dorn et al. (2012)."
    ),
    source_repository=_DORN_REPOSITORY,
    source_commit=_DORN_COMMIT,
    source_folder=_DORN_FOLDER,
    original_source="Dorn et al. (2012); the first public release was not traced for grfkit",
    files=tuple(
        DataFile(
            path=path,
            sha256=sha,
            size_bytes=size,
            source_path=f"{_DORN_FOLDER}/{path}",
            url_verified=True,
            note=_DORN_NOTES.get(path, ""),
        )
        for path, (sha, size) in DORN2012_FILES.items()
    ),
    body_mass_kg=MappingProxyType({"JA1": 75.93}),
)


# --- alcantara2022 ---------------------------------------------------------------

_ALCANTARA_REPOSITORY = "alcantarar/Recurrent_GRF_Prediction"
# "Add files via upload", 2021-08-19: the first commit whose data/Sub_Info_one_sub.csv is the
# registered one (the initial commit 4e4f7b56 holds an earlier version); the latest commit
# (8f218367, 2022-01-13) holds the same four files.
_ALCANTARA_COMMIT = "893024a3de827a943623bd84850f275a400a1152"
# Local name -> path in the repository (the licence is LICENSE there, LICENSE.txt here).
_ALCANTARA_SOURCE_PATHS: dict[str, str] = {"LICENSE.txt": "LICENSE"}

_ALCANTARA = DatasetInfo(
    name="alcantara2022",
    title="Sacral accelerometer and normal GRF, 1 runner, 31 treadmill trials on slopes",
    description=(
        "One runner (subject 2 of Alcantara et al. 2022), 31 treadmill trials at 2.5-4.17 m/s on "
        "slopes of -10 to +10 degrees. Accelerometer_one_sub.csv: one row per trial, 2480 vertical "
        "then 2480 anteroposterior samples of a sacral accelerometer (g, 500 Hz); the vertical "
        "channel is never negative and reads exactly 0 g in runs of 3-61 samples once per step "
        "(flight phase floored at zero). GRF_one_sub.csv: one row per trial, 2480 samples of the "
        "normal ground reaction force in body weights (500 Hz). Sub_Info_one_sub.csv: subject, sex, "
        "height (cm), mass (kg), foot-strike percentages, speed (m/s), slope (degrees) per trial."
    ),
    citations=(
        Citation(
            text=(
                "Alcantara RS, Edwards WB, Millet GY, Grabowski AM (2022). Predicting continuous "
                "ground reaction forces from accelerometers during uphill and downhill running: a "
                "recurrent neural network solution. PeerJ 10:e12752."
            ),
            doi="10.7717/peerj.12752",
        ),
    ),
    licence="Apache-2.0 (LICENSE of the source repository, saved as LICENSE.txt).",
    source_repository=_ALCANTARA_REPOSITORY,
    source_commit=_ALCANTARA_COMMIT,
    source_folder="data",
    original_source=f"https://github.com/{_ALCANTARA_REPOSITORY}",
    files=tuple(
        DataFile(
            path=path,
            sha256=sha,
            size_bytes=size,
            source_path=_ALCANTARA_SOURCE_PATHS.get(path, f"data/{path}"),
            url_verified=True,
        )
        for path, (sha, size) in ALCANTARA2022_FILES.items()
    ),
)


#: The registry: data set name -> :class:`DatasetInfo`.
DATASETS: Mapping[str, DatasetInfo] = MappingProxyType({info.name: info for info in (_HAMNER, _DORN, _ALCANTARA)})


def dataset_names() -> list[str]:
    """Return the names of the registered data sets.

    Returns
    -------
    list of str
        ``["hamner2013", "dorn2012", "alcantara2022"]``.
    """
    return list(DATASETS)


def dataset_info(dataset: str) -> DatasetInfo:
    """Return the registry entry of one data set.

    Parameters
    ----------
    dataset
        A registered name, e.g. ``"dorn2012"``.

    Returns
    -------
    DatasetInfo
        Citation, licence, source and files of the data set.

    Raises
    ------
    ConfigError
        If ``dataset`` is not registered.

    Examples
    --------
    >>> dataset_info("dorn2012").citations[0].doi
    '10.1242/jeb.064527'
    """
    try:
        return DATASETS[dataset]
    except KeyError:
        raise ConfigError(f"unknown data set {dataset!r}; registered: {', '.join(DATASETS)}") from None


