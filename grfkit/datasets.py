"""Registry of the real, openly licensed running data sets grfkit reads.

Three published data sets bring real ground reaction forces, foot markers and
a real accelerometer into the project:

``hamner2013``
    Treadmill running, 10 subjects x 4 speeds (2-5 m/s): per-foot 3-D ground
    reaction force and centre of pressure (OpenSim ``.mot``) and 41-45 markers
    (``.trc``).
``dorn2012``
    Overground running over a runway of 8 force plates, 1 subject, a 3.5 m/s
    jog and a 9 m/s sprint (C3D).
``alcantara2022``
    1 runner, 31 treadmill trials (2.5-4.17 m/s, -10 to +10 degrees): sacral
    accelerometer and normal ground reaction force at 500 Hz (CSV).

The registry holds, for each data set, its citation(s), licence, public
source, file list and every file's SHA-256.  The checksums are part of the
code (not read from a file at run time), so a data folder is checked against
what this version of grfkit was tested with.

:func:`fetch` resolves a data set inside a data directory, verifies every
file and, where a file is missing and downloads are allowed, downloads it
from its original public source with :mod:`pooch` (checksum verified).  The
data directory is, in order: the ``data_dir`` argument, the environment
variable ``GRFKIT_DATA_DIR``, or a per-user cache folder
(``pooch.os_cache("grfkit")``).  Setting ``GRFKIT_OFFLINE=1`` forbids
downloads unless a call asks for one explicitly.

Download URLs point at the GitHub copies named in each data set's
``source_repository`` at a fixed commit (``raw.githubusercontent.com``).
``DataFile.url_verified`` says whether the file's path at that commit was
confirmed in an index of the public repository; where it is ``False`` the
path follows the repository's documented layout but was not seen file by
file (the checksum still guards what is downloaded).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote

import pooch

from grfkit.errors import ChecksumError, ConfigError, DataUnavailableError

__all__ = [
    "DATA_DIR_ENV",
    "OFFLINE_ENV",
    "Citation",
    "DataFile",
    "DatasetInfo",
    "DATASETS",
    "dataset_names",
    "dataset_info",
    "data_dir",
    "fetch",
    "sha256_of",
    "verify_file",
]

#: Environment variable naming the data directory (one sub-folder per data set).
DATA_DIR_ENV: str = "GRFKIT_DATA_DIR"

#: Environment variable that, set to ``1``/``true``/``yes``, forbids downloads by default.
OFFLINE_ENV: str = "GRFKIT_OFFLINE"

_TRUTHY = frozenset({"1", "true", "yes", "on"})


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
        Path inside the data set's folder, with ``/`` separators.
    sha256
        Expected SHA-256 of the file's bytes (lower-case hex).
    url
        Original public download URL, or ``None`` for a file derived for
        grfkit from public material (then ``note`` says how).
    url_verified
        ``True`` where the file's path in the source repository was
        confirmed file by file; ``False`` where it follows the repository's
        documented layout only.
    read_options
        Keyword arguments the file's reader needs for a known quirk of this
        file (e.g. ``{"check_frame_count": False}`` for a stale TRC header).
    note
        Known facts about this file worth knowing before using it.
    """

    path: str
    sha256: str
    url: str | None
    url_verified: bool
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
        Registered files with checksums and URLs.
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


def _raw_github_url(repository: str, commit: str, path: str) -> str:
    """Return the raw.githubusercontent.com URL of ``path`` at ``commit``."""
    return f"https://raw.githubusercontent.com/{repository}/{commit}/{quote(path)}"


# --- Checksums (taken from the reference copy's SHA256SUMS) ------------------

_ALCANTARA2022_SHA256: dict[str, str] = {
    "Accelerometer_one_sub.csv": "ad98276be65f9532897fb79e745d8fec4250f9d42002560b66e2ac93930c00a3",
    "GRF_one_sub.csv": "10d28b67584625f6e59b8ffe9882d726954bed7ed8dab1b3664df836202e0382",
    "LICENSE.txt": "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
    "Sub_Info_one_sub.csv": "48888f0f142395395ea1e85ce38e6dccdbc6195840fc30b694e0aa0f5843acef",
}
_DORN2012_SHA256: dict[str, str] = {
    "JA1Gait21.c3d": "34951ddb11310d72a81ec0133d9ec2c3944ef8de5fcb51c55873cc899ea73527",
    "JA1Gait35.c3d": "7523d5814e4711b26c493c52c90e1f5844f4bce8778eaf319aae5c0d18e9b6a9",
    "LICENSE.txt": "0bead1efaa3434c2344f8b23de868d581863320b8fb783702d020ac5daf22561",
}
_HAMNER2013_SHA256: dict[str, str] = {
    "subject01/Run_2.trc": "f64cdcf2f759493cc5ad789e6b73dd7cf1f714e077f1fbdc2df219853900e004",
    "subject01/Run_2_grf.mot": "b6e0466bd127a1a46c8617cde62b1d50e14682e0228dd8f5fc8b08794fb06a18",
    "subject01/Run_3.trc": "0d1866b5087023d7ca17e8325399e379fc31d957fc7e2a7499c9dbb272d76d2d",
    "subject01/Run_3_grf.mot": "db0b81b731914bb44b273098e8c9400217c79fa4a8eeec18120cb8f6ad643d42",
    "subject01/Run_4.trc": "ce9ee8868b517bbc422b5db005f56e230379cdff84bffb866cd7dd85a514f060",
    "subject01/Run_4_grf.mot": "e677e2e933d341b1850d5d3460ffce76fffd92a9699e992141dd5bcf36d8a765",
    "subject01/Run_5.trc": "b0c03df320e82da1e263e24be86895d4712d60ad0cbc4fca5ec736754cbbe39c",
    "subject01/Run_5_grf.mot": "774cbc75542415a4fd10c44730b3e536b2e52c5be69dc473e5238bd2a212445f",
    "subject02/Run_2.trc": "e1a29aac56906e34945dc8a27b7dadfb46c0bc14f3c6bd4a71275891215abd19",
    "subject02/Run_2_grf.mot": "ad087c9b73c6034fbda5661e620051715c233cee2a9ab8ecfc7f232e75bb1ca1",
    "subject02/Run_3.trc": "f0a6dd93191a3ce09591893f3dc930089bd65091c920c01a280c90df80991b56",
    "subject02/Run_3_grf.mot": "0112433c7083c8cd66e5bde386432a388e14ea59eba29b1cdf6c31a8511bf4e3",
    "subject02/Run_4.trc": "4c189b452a16c02d65b4b42010ccf3a34fbefa598f545950a6a36030ca7df472",
    "subject02/Run_4_grf.mot": "eae5254bab259c6cae90d9d305bbea8c03c4dde7fad587d77e1eb30404c2937c",
    "subject02/Run_5.trc": "dac6cfdd53c58a6bf44c2fb92c1455b35982398b722576ad268a49cdeba7009a",
    "subject02/Run_5_grf.mot": "b142fcf2e347a0dbe8d1427352951e92462bc17599a877467282eaabcb68a4fa",
    "subject03/Run_2.trc": "63a3061ed0249869b5f70b50d8fd50b103b57af2d60237b26fab49fedc14443e",
    "subject03/Run_2_grf.mot": "e3c682dc75d7e7a5c7a8b6401e0bfeea81369a5c7554d6c1187f231ce0121510",
    "subject03/Run_3.trc": "745d05823adf85f2b6cce9a44961a459d8e13cae5d801c0d68bcb8f7687675a4",
    "subject03/Run_3_grf.mot": "3dd071dd487b273175e122a8219055012b524b98a895ca128a1758193b9577ac",
    "subject03/Run_4.trc": "e4c69a573ff186d572e3383a0d769dff2bae778a006675334247e6b69ee13a9e",
    "subject03/Run_4_grf.mot": "4b3b08aa48c14361e4c53f58a1836fbd14d5153dfdb39b3336f8079071aa3574",
    "subject03/Run_5.trc": "5989df350ef7f49dbf48132ebfe6168a0979e3e472b32435e51149906a693443",
    "subject03/Run_5_grf.mot": "0feeebda44b1dcb3c4ef8a7a6f8db1ad8a7b308f112eb4a9371eb85f39953997",
    "subject04/Run_2.trc": "e0f9e4b759d0b732a1da561f20e1921e1fa512aef4c3cac29e09f7df1101b57e",
    "subject04/Run_2_grf.mot": "d0721b75d2ba635ab57d01477d82b0280bcccd232f8d7ef136310666f40eea5f",
    "subject04/Run_3.trc": "43b48fa6ad58729d0c8dec05605ee0d67ceceb84c8a90cab97bda958812fdf74",
    "subject04/Run_3_grf.mot": "4bc347aac535612571c253ffd4f3923dfd3c319a012f5cabd219228f40c918f3",
    "subject04/Run_4.trc": "232f45d53dc7a0023bc146b555615eaa4b640961ef9682adf776b206cb73f848",
    "subject04/Run_4_grf.mot": "978995069d1debe63d6699a85c8c6bb70e9ead2c11e47cf89128c6621e3614b1",
    "subject04/Run_5.trc": "e4db9b6d64af002d40e779bd5f207841ac756cb13647e6d6e4e898f042a6def8",
    "subject04/Run_5_grf.mot": "9b2242f6e872938804a8d46074a3339ba79a12a48792082a692ade9db4bd0731",
    "subject08/Run_2.trc": "68dd5b574a8536f29f0d3210b13cd42e7213af2e246003c3875b4f279817aa0d",
    "subject08/Run_2_grf.mot": "55e17ad3fb2d6871ee3353920851b8c71e4a65ddb3e2b47a094e9a82e703dba6",
    "subject08/Run_3.trc": "5bcb65d33a75aaca1a9149ee369dca9c7b5f8356cd4787f44fcf6df4f6a42555",
    "subject08/Run_3_grf.mot": "157a137ea168682e6a5bce66d8fd9753415418cf4799f2b670c1b5e22a05baeb",
    "subject08/Run_4.trc": "9f9960910b2cb51e146b256a80102ebb1ccf686a95fcb3350cb2cb24cd6bef6a",
    "subject08/Run_4_grf.mot": "765646bc1fa06d101bce0e293f67102996af0bdd8f7332ea6d54a37cab0278b4",
    "subject08/Run_5.trc": "2c226f003682881112e7f3e9d42a3d256f26b2c029784cd65ba79e4bb25fed99",
    "subject08/Run_5_grf.mot": "bf989cd5f6754ba3863a0497886bd1887fcfa9d18aee6c40111a085258b9637c",
    "subject10/Run_2.trc": "d52c0fade8a5cbf0db68196e1bebaa97b55ad013f7dc396c7edabf02be043ccb",
    "subject10/Run_2_grf.mot": "b5df84c009223f1707c2a325ee703ebb597246605dc5482b3f35e9c4a637fd7a",
    "subject10/Run_3.trc": "7f402664149d2151aa46f2a970649119118160cc1334d80e2de3e0938271d0f0",
    "subject10/Run_3_grf.mot": "14537f77b13e093b422002dc217606ae38df1f032abb6a52a2550dcb04c6684d",
    "subject10/Run_4.trc": "2206be8a4dbcf076ded1850b31c0b9c6163be4cb1feb0eb06053921d987fe13f",
    "subject10/Run_4_grf.mot": "d617e6d1bf2f43213efa84b1bdb7f12be07f0213b529dd4b71beb3a0c8fe9cb0",
    "subject10/Run_5.trc": "8e69924e2ce5f0170279b3fe4996cfe3e5a3b74f33d669c9e2ad7d167bd55f26",
    "subject10/Run_5_grf.mot": "299c55d21bd4e78ec800e728c27d6b9e0a08f5cb7a16bb83deaaa6c0076b8602",
    "subject11/Run_2.trc": "c086c0b21f58dccca36fb016665643f11c671cfbac2ffd3d97c8e58655f77190",
    "subject11/Run_2_grf.mot": "33ac75b2ecf59d532363cc0de19bca8e0d63b0425360835f0afd80582db3f2d8",
    "subject11/Run_3.trc": "e08cb3b7436962f27ba840973d6de8ec1eb6c228246e65ed7640c0ab5ea31cff",
    "subject11/Run_3_grf.mot": "ab304fb95d17c6407f0e663c206bef3f99da597e6da12e8f60c7970b5c019194",
    "subject11/Run_4.trc": "9f16896faf2000a94af18fb10adf8fc4b71e21b79a062a5087a18dca0fc25129",
    "subject11/Run_4_grf.mot": "46e1c0150a2146df204a6c70977aed78971f89bbab278cfac3f2e34f64bef273",
    "subject11/Run_5.trc": "e34b0a7f28b960b77d2a2441cf20919d69595a7cff32d4292a22d635b831de99",
    "subject11/Run_5_grf.mot": "a54eee78bebdf92d1665b42cd0e19002441f93bae9b3e568e488de78dad0dc34",
    "subject17/Run_2.trc": "e1dbb11abf5b9a397d47f5fe92806e1da32f7cdd4f67d49e2e388ef95d4c8619",
    "subject17/Run_2_grf.mot": "0b7d45e8343623f2d0f36567c8ae3bf9294ea9637b4497229391769c0cc1b61a",
    "subject17/Run_3.trc": "65af8e655460444ad3d0c3edb638396ee1e9bd92db3c581ecc7043643acf9dcd",
    "subject17/Run_3_grf.mot": "0a2acc1dabe9658efc2e5a73b3133a2820ce8b5fc1a005808d446744dc03c1d4",
    "subject17/Run_4.trc": "6c3e1dbcfe65f4fab43c195431d579363903339493d0d80b5ba2007d1d394ac9",
    "subject17/Run_4_grf.mot": "ea80349d043f399c327197ab4bffa192e481593536dfb2b442a9237d5282ce9d",
    "subject17/Run_5.trc": "9cc0647da9669f526f9cba2d9d58a8ef92044cbd4d931e5640399b1bd3d9202b",
    "subject17/Run_5_grf.mot": "b3d6804897a7669fa16b752cce815079db693abc9498b35a47b764d2351959a6",
    "subject19/Run_2.trc": "87a430d7da0750f9a3081b9ae9dbb6b8fa5c192dc19a2621e30079bfacf02de2",
    "subject19/Run_2_grf.mot": "64a483268ffc968e603e63bdd1678c5ab4575b7b52ab819d217de593172f2b32",
    "subject19/Run_3.trc": "21b15ba1bdc3177c5b419e4c666116ab8f5c362a5f0b803c13a57f1075eab10b",
    "subject19/Run_3_grf.mot": "182cdc544f1a2bb342544c03292b132c239e6497c7060e1ad7d6e475cc65cfe6",
    "subject19/Run_4.trc": "7b1c7bbff5e2ff856dff07751fe069c689b7f890177c90f6996a0920c84220ab",
    "subject19/Run_4_grf.mot": "b80daad0e17817c8e61271458ecac544fed3baa833f1dcbc6dd6dcf6914a9454",
    "subject19/Run_5.trc": "b55bd7c42828d411c10afe522661842e93e493d01e30183d4aa76d78a7d7c3c5",
    "subject19/Run_5_grf.mot": "e33298c6e28c43fbcdf21fa8c15d0e30411a1f740e19661e12207b80759fd010",
    "subject20/Run_2.trc": "5bec4f4e1bd978d2c8e09653b443e5ba0382e75f87157a45f485ad8debd3c130",
    "subject20/Run_2_grf.mot": "bba41076e60b098fad3b6cdcf35361c82bc7bf99ae0626a181fef0db8c632749",
    "subject20/Run_3.trc": "382b4e665071588dfa0b2bd58f705523964c0cf91e11f1ec252da023e4bcf6df",
    "subject20/Run_3_grf.mot": "3e334232c6660d23123593e83e949fe462f976e63526c67838ed83d21caa67bb",
    "subject20/Run_4.trc": "d30f50753cb5f68bd89d83f6f0262355f092679f877421733677b549678662bf",
    "subject20/Run_4_grf.mot": "4c7f828f9afbe6955ded9ffae041222d899e9c7dc9ad611df4fedd71f53082d8",
    "subject20/Run_5.trc": "240d8553e46379c10292dd1389728be13c3332e38f013260ef01bc7b504aa6bc",
    "subject20/Run_5_grf.mot": "5b81e39c5a23f01bc43d0794d347ce04890274055cb752388417ede0a36c0295",
    "subjects.csv": "141c754f05e52368bee1dfb32ea37859ab8da056247b408448da03b68c49a76d",
}


# --- hamner2013 ----------------------------------------------------------------

_HAMNER_REPOSITORY = "aaronsfox/zmp-opensim"
_HAMNER_COMMIT = "45c579cab52865425a875d7c151eeff4795bc174"
_HAMNER_FOLDER = "datasets/HamnerDelp2013/data"
# Files whose path at _HAMNER_COMMIT was not seen in the repository index: every
# .trc (the repository's README says expData/ holds "the original .trc and .mot
# files", but the index lists no .trc of this folder) and one .mot.
_HAMNER_UNVERIFIED_MOT = frozenset({"subject19/Run_5_grf.mot"})
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


def _hamner_file(path: str, sha256: str) -> DataFile:
    if path == "subjects.csv":
        return DataFile(
            path=path,
            sha256=sha256,
            url=None,
            url_verified=False,
            note=(
                "Derived for grfkit: body mass per subject, the sum of segment masses of each "
                "subject's published scaled OpenSim model (datasets/HamnerDelp2013/data/subjectXX/"
                "model/ in the source repository); subject20 has no model and no mass."
            ),
        )
    subject, name = path.split("/")
    url = _raw_github_url(_HAMNER_REPOSITORY, _HAMNER_COMMIT, f"{_HAMNER_FOLDER}/{subject}/expData/{name}")
    verified = name.endswith("_grf.mot") and path not in _HAMNER_UNVERIFIED_MOT
    read_options: Mapping[str, object] = MappingProxyType({})
    note = _HAMNER_NOTES.get(path, "")
    if path in _HAMNER_STALE_TRC_FRAMES:
        declared, stored = _HAMNER_STALE_TRC_FRAMES[path]
        read_options = MappingProxyType({"check_frame_count": False})
        note = (
            f"TRC header says NumFrames {declared} but {stored} contiguous frames are stored, "
            "starting with the .mot and covering it: a stale header, not a truncated file."
        )
    return DataFile(path=path, sha256=sha256, url=url, url_verified=verified, read_options=read_options, note=note)


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
        "subjects.csv: body mass per subject (none for subject20)."
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
    files=tuple(_hamner_file(path, sha) for path, sha in _HAMNER2013_SHA256.items()),
)


# --- dorn2012 ------------------------------------------------------------------

_DORN_REPOSITORY = "aaronsfox/flash-running"
_DORN_COMMIT = "157099c09c29c0d92f7fa049cf0ff3b582481ab1"
_DORN_FOLDER = "[old]Dorn2012Data"
# Only JA1Gait21.c3d was seen at _DORN_COMMIT in the repository index.  The
# folder's README (when it was still named Dorn2012Data/) names both trials;
# LICENSE.txt was not seen in the index at all.
_DORN_VERIFIED = frozenset({"JA1Gait21.c3d"})
_DORN_NOTES: dict[str, str] = {
    "JA1Gait21.c3d": "Jog, about 3.5 m/s. Contacts on plates 1, 2, 4, 5 and 7; plate 3 sees a 25 N toe straddle.",
    "JA1Gait35.c3d": "Sprint, about 9 m/s. Contacts on plates 2, 4, 7 and 8.",
    "LICENSE.txt": "MIT licence text, Copyright (c) 2012 Stanford University (path in the source unverified).",
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
    licence="MIT, Copyright (c) 2012 Stanford University (LICENSE.txt shipped with the data).",
    source_repository=_DORN_REPOSITORY,
    source_commit=_DORN_COMMIT,
    source_folder=_DORN_FOLDER,
    original_source="Dorn et al. (2012); the first public release was not traced for grfkit",
    files=tuple(
        DataFile(
            path=path,
            sha256=sha,
            url=_raw_github_url(_DORN_REPOSITORY, _DORN_COMMIT, f"{_DORN_FOLDER}/{path}"),
            url_verified=path in _DORN_VERIFIED,
            note=_DORN_NOTES.get(path, ""),
        )
        for path, sha in _DORN2012_SHA256.items()
    ),
    body_mass_kg=MappingProxyType({"JA1": 75.93}),
)


# --- alcantara2022 ---------------------------------------------------------------

_ALCANTARA_REPOSITORY = "alcantarar/Recurrent_GRF_Prediction"
_ALCANTARA_COMMIT = "4e4f7b565fb4d711e7b5e9d1f3184fed0407a39f"


def _alcantara_file(path: str, sha256: str) -> DataFile:
    # The three CSV files were seen at the commit under data/; LICENSE.txt is
    # assumed at the repository root (not seen in the index).
    in_data = path.endswith(".csv")
    repo_path = f"data/{path}" if in_data else path
    return DataFile(
        path=path,
        sha256=sha256,
        url=_raw_github_url(_ALCANTARA_REPOSITORY, _ALCANTARA_COMMIT, repo_path),
        url_verified=in_data,
    )


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
    licence="Apache-2.0 (LICENSE.txt of the source repository).",
    source_repository=_ALCANTARA_REPOSITORY,
    source_commit=_ALCANTARA_COMMIT,
    source_folder="data",
    original_source=f"https://github.com/{_ALCANTARA_REPOSITORY}",
    files=tuple(_alcantara_file(path, sha) for path, sha in _ALCANTARA2022_SHA256.items()),
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


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data directory (the folder holding one sub-folder per data set).

    Parameters
    ----------
    path
        Explicit directory.  When ``None``, the environment variable
        ``GRFKIT_DATA_DIR`` is used, else the per-user cache folder
        ``pooch.os_cache("grfkit")``.

    Returns
    -------
    pathlib.Path
        The directory (it need not exist yet).
    """
    return _resolve_data_dir(path)


def _resolve_data_dir(path: str | os.PathLike[str] | None) -> Path:
    if path is not None:
        return Path(path).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(pooch.os_cache("grfkit"))


# size and mtime of each file hashed in this process, with its digest
_HASH_CACHE: dict[Path, tuple[int, int, str]] = {}


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file, re-hashing only when its size or mtime changed.

    Parameters
    ----------
    path
        File to hash.

    Returns
    -------
    str
        Lower-case hex digest.
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    cached = _HASH_CACHE.get(resolved)
    if cached is not None and cached[:2] == (stat.st_size, stat.st_mtime_ns):
        return cached[2]
    digest = hashlib.sha256()
    with resolved.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    hexdigest = digest.hexdigest()
    _HASH_CACHE[resolved] = (stat.st_size, stat.st_mtime_ns, hexdigest)
    return hexdigest


def verify_file(path: str | os.PathLike[str], sha256: str) -> None:
    """Check a file's SHA-256.

    Parameters
    ----------
    path
        File to check.
    sha256
        Expected lower-case hex digest.

    Raises
    ------
    ChecksumError
        If the digest differs (the message gives both).
    """
    actual = sha256_of(path)
    if actual != sha256.lower():
        raise ChecksumError(
            f"SHA-256 is {actual}, the registry expects {sha256.lower()}: the file is corrupted or "
            "another version; delete it and fetch again, or restore it from the original source",
            path=path,
        )


def _downloads_allowed(download: bool | None) -> bool:
    if download is not None:
        return download
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in _TRUTHY


def _download(info: DatasetInfo, data_file: DataFile, target: Path) -> None:
    if data_file.url is None:
        raise DataUnavailableError(
            f"{info.name}/{data_file.path} has no public download: {data_file.note} "
            f"Copy it from a complete copy of the data set into {target.parent}.",
            path=target,
        )
    try:
        pooch.retrieve(
            url=data_file.url,
            known_hash=f"sha256:{data_file.sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=False,
        )
    except (OSError, ValueError) as exc:  # network and file-system errors; pooch's hash mismatch
        raise DataUnavailableError(
            f"could not download {info.name}/{data_file.path} from {data_file.url}: {exc}",
            path=target,
        ) from exc


def fetch(
    dataset: str,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool | None = None,
) -> Path:
    """Return a data set's folder after checking (and if needed downloading) every file.

    Parameters
    ----------
    dataset
        A registered name: ``"hamner2013"``, ``"dorn2012"`` or ``"alcantara2022"``.
    data_dir
        Data directory; see :func:`data_dir` for the default.  The data set
        lives in its sub-folder named ``dataset``.
    download
        ``True`` to download missing files, ``False`` never to, ``None`` to
        download unless ``GRFKIT_OFFLINE`` is set.

    Returns
    -------
    pathlib.Path
        ``<data_dir>/<dataset>``, holding every registered file with the
        registered checksum.

    Raises
    ------
    ConfigError
        If ``dataset`` is not registered.
    DataUnavailableError
        If a file is missing and downloads are not allowed, or the download
        failed (no network, read-only folder, no public URL).  The message
        names the file and its source URL.
    ChecksumError
        If a file present on disk has another SHA-256 than registered.
    """
    info = dataset_info(dataset)
    folder = _resolve_data_dir(data_dir) / info.name
    missing = [data_file for data_file in info.files if not (folder / data_file.path).is_file()]
    if missing and not _downloads_allowed(download):
        first = missing[0]
        more = f" (and {len(missing) - 1} more of its files)" if len(missing) > 1 else ""
        source = f"from {first.url}" if first.url else f"by hand ({first.note})"
        raise DataUnavailableError(
            f"{info.name}/{first.path} is missing{more} and downloads are off "
            f"(download=False or {OFFLINE_ENV} set). Get it {source}, point {DATA_DIR_ENV} at a "
            f"folder holding {info.name}/, or call fetch({info.name!r}, download=True).",
            path=folder / first.path,
        )
    for data_file in missing:
        _download(info, data_file, folder / data_file.path)
    for data_file in info.files:
        verify_file(folder / data_file.path, data_file.sha256)
    return folder
