"""Registry of the real, openly licensed running data sets grfkit reads, and their download.

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
source, file list and every file's SHA-256 and size.  The checksums are part
of the code (not read from a file at run time), so a data folder is checked
against what this version of grfkit was tested with.  Every registered file is
an original file of a public GitHub repository at a pinned commit
(``DataFile.source_path`` there, ``DataFile.path`` locally): nothing derived
needs downloading (values derived for grfkit, such as body masses, live in the
registry itself).

:func:`fetch_datasets` downloads every missing file (progress bar, resumable,
checksum-verified, written atomically; :mod:`grfkit.real.download`), and
:func:`dataset_table` says which data sets are present.  :func:`fetch` returns
one data set's verified folder, downloading what is missing unless downloads
are off.  The data directory is, in order: the ``data_dir`` argument, the
environment variable ``GRFKIT_DATA_DIR``, or the per-user data folder
(``platformdirs.user_data_dir("grfkit")``, e.g. ``~/.local/share/grfkit``) --
never grfkit's computation cache (:mod:`grfkit.storage.cohort_cache`), so clearing the
cache never deletes downloads.  Setting ``GRFKIT_OFFLINE=1`` makes
:func:`fetch` refuse downloads unless a call asks for one explicitly.

Files are downloaded from ``https://raw.githubusercontent.com/<owner>/<repo>/
<commit>/<source path>``; the environment variable ``GRFKIT_DATA_URL`` (or the
``base_url`` argument) replaces ``https://raw.githubusercontent.com/`` by a
mirror laid out the same way (for a proxy, or tests).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote

import pandas as pd
import platformdirs
from tqdm import tqdm

from grfkit.errors import ChecksumError, ConfigError, DataUnavailableError
from grfkit.real.download import download_file

__all__ = [
    "DATA_DIR_ENV",
    "DATA_URL_ENV",
    "DEFAULT_BASE_URL",
    "OFFLINE_ENV",
    "Citation",
    "DataFile",
    "DatasetInfo",
    "DATASETS",
    "dataset_names",
    "dataset_info",
    "dataset_table",
    "data_dir",
    "fetch",
    "fetch_datasets",
    "sha256_of",
    "verify_file",
]

#: Environment variable naming the data directory (one sub-folder per data set).
DATA_DIR_ENV: str = "GRFKIT_DATA_DIR"

#: Environment variable naming a mirror that replaces :data:`DEFAULT_BASE_URL`.
DATA_URL_ENV: str = "GRFKIT_DATA_URL"

#: Where the registered files are downloaded from: ``<base><owner>/<repo>/<commit>/<source path>``.
DEFAULT_BASE_URL: str = "https://raw.githubusercontent.com/"

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


# --- Files, checksums and sizes (of the reference copy; each hashed at its source) --------
#
# Every file below was hashed at ``source_path`` of its data set's pinned commit, in a
# mirror of the source repository, and matched (checked 2026-11-26; hence every
# ``url_verified=True``).  Dropped, because they have no public source: Hamner's
# ``subjects.csv`` (derived for grfkit; its body masses are now ``body_mass_kg``) and
# Dorn's ``LICENSE.txt`` (aaronsfox/flash-running has no licence file at any commit).

_ALCANTARA2022_FILES: dict[str, tuple[str, int]] = {
    "Accelerometer_one_sub.csv": ("ad98276be65f9532897fb79e745d8fec4250f9d42002560b66e2ac93930c00a3", 3903808),
    "GRF_one_sub.csv": ("10d28b67584625f6e59b8ffe9882d726954bed7ed8dab1b3664df836202e0382", 1931283),
    "LICENSE.txt": ("c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4", 11357),
    "Sub_Info_one_sub.csv": ("48888f0f142395395ea1e85ce38e6dccdbc6195840fc30b694e0aa0f5843acef", 1302),
}
_DORN2012_FILES: dict[str, tuple[str, int]] = {
    "JA1Gait21.c3d": ("34951ddb11310d72a81ec0133d9ec2c3944ef8de5fcb51c55873cc899ea73527", 1931952),
    "JA1Gait35.c3d": ("7523d5814e4711b26c493c52c90e1f5844f4bce8778eaf319aae5c0d18e9b6a9", 757696),
}
_HAMNER2013_FILES: dict[str, tuple[str, int]] = {
    "subject01/Run_2.trc": ("f64cdcf2f759493cc5ad789e6b73dd7cf1f714e077f1fbdc2df219853900e004", 809079),
    "subject01/Run_2_grf.mot": ("b6e0466bd127a1a46c8617cde62b1d50e14682e0228dd8f5fc8b08794fb06a18", 475873),
    "subject01/Run_3.trc": ("0d1866b5087023d7ca17e8325399e379fc31d957fc7e2a7499c9dbb272d76d2d", 699773),
    "subject01/Run_3_grf.mot": ("db0b81b731914bb44b273098e8c9400217c79fa4a8eeec18120cb8f6ad643d42", 394479),
    "subject01/Run_4.trc": ("ce9ee8868b517bbc422b5db005f56e230379cdff84bffb866cd7dd85a514f060", 751452),
    "subject01/Run_4_grf.mot": ("e677e2e933d341b1850d5d3460ffce76fffd92a9699e992141dd5bcf36d8a765", 409992),
    "subject01/Run_5.trc": ("b0c03df320e82da1e263e24be86895d4712d60ad0cbc4fca5ec736754cbbe39c", 580121),
    "subject01/Run_5_grf.mot": ("774cbc75542415a4fd10c44730b3e536b2e52c5be69dc473e5238bd2a212445f", 316365),
    "subject02/Run_2.trc": ("e1a29aac56906e34945dc8a27b7dadfb46c0bc14f3c6bd4a71275891215abd19", 1006159),
    "subject02/Run_2_grf.mot": ("ad087c9b73c6034fbda5661e620051715c233cee2a9ab8ecfc7f232e75bb1ca1", 493435),
    "subject02/Run_3.trc": ("f0a6dd93191a3ce09591893f3dc930089bd65091c920c01a280c90df80991b56", 883349),
    "subject02/Run_3_grf.mot": ("0112433c7083c8cd66e5bde386432a388e14ea59eba29b1cdf6c31a8511bf4e3", 431929),
    "subject02/Run_4.trc": ("4c189b452a16c02d65b4b42010ccf3a34fbefa598f545950a6a36030ca7df472", 701802),
    "subject02/Run_4_grf.mot": ("eae5254bab259c6cae90d9d305bbea8c03c4dde7fad587d77e1eb30404c2937c", 332196),
    "subject02/Run_5.trc": ("dac6cfdd53c58a6bf44c2fb92c1455b35982398b722576ad268a49cdeba7009a", 665962),
    "subject02/Run_5_grf.mot": ("b142fcf2e347a0dbe8d1427352951e92462bc17599a877467282eaabcb68a4fa", 309185),
    "subject03/Run_2.trc": ("63a3061ed0249869b5f70b50d8fd50b103b57af2d60237b26fab49fedc14443e", 907439),
    "subject03/Run_2_grf.mot": ("e3c682dc75d7e7a5c7a8b6401e0bfeea81369a5c7554d6c1187f231ce0121510", 1382206),
    "subject03/Run_3.trc": ("745d05823adf85f2b6cce9a44961a459d8e13cae5d801c0d68bcb8f7687675a4", 882513),
    "subject03/Run_3_grf.mot": ("3dd071dd487b273175e122a8219055012b524b98a895ca128a1758193b9577ac", 907652),
    "subject03/Run_4.trc": ("e4c69a573ff186d572e3383a0d769dff2bae778a006675334247e6b69ee13a9e", 850842),
    "subject03/Run_4_grf.mot": ("4b3b08aa48c14361e4c53f58a1836fbd14d5153dfdb39b3336f8079071aa3574", 813559),
    "subject03/Run_5.trc": ("5989df350ef7f49dbf48132ebfe6168a0979e3e472b32435e51149906a693443", 573206),
    "subject03/Run_5_grf.mot": ("0feeebda44b1dcb3c4ef8a7a6f8db1ad8a7b308f112eb4a9371eb85f39953997", 573108),
    "subject04/Run_2.trc": ("e0f9e4b759d0b732a1da561f20e1921e1fa512aef4c3cac29e09f7df1101b57e", 904165),
    "subject04/Run_2_grf.mot": ("d0721b75d2ba635ab57d01477d82b0280bcccd232f8d7ef136310666f40eea5f", 1066268),
    "subject04/Run_3.trc": ("43b48fa6ad58729d0c8dec05605ee0d67ceceb84c8a90cab97bda958812fdf74", 872742),
    "subject04/Run_3_grf.mot": ("4bc347aac535612571c253ffd4f3923dfd3c319a012f5cabd219228f40c918f3", 992603),
    "subject04/Run_4.trc": ("232f45d53dc7a0023bc146b555615eaa4b640961ef9682adf776b206cb73f848", 884364),
    "subject04/Run_4_grf.mot": ("978995069d1debe63d6699a85c8c6bb70e9ead2c11e47cf89128c6621e3614b1", 976345),
    "subject04/Run_5.trc": ("e4db9b6d64af002d40e779bd5f207841ac756cb13647e6d6e4e898f042a6def8", 787943),
    "subject04/Run_5_grf.mot": ("9b2242f6e872938804a8d46074a3339ba79a12a48792082a692ade9db4bd0731", 892990),
    "subject08/Run_2.trc": ("68dd5b574a8536f29f0d3210b13cd42e7213af2e246003c3875b4f279817aa0d", 727302),
    "subject08/Run_2_grf.mot": ("55e17ad3fb2d6871ee3353920851b8c71e4a65ddb3e2b47a094e9a82e703dba6", 582709),
    "subject08/Run_3.trc": ("5bcb65d33a75aaca1a9149ee369dca9c7b5f8356cd4787f44fcf6df4f6a42555", 773426),
    "subject08/Run_3_grf.mot": ("157a137ea168682e6a5bce66d8fd9753415418cf4799f2b670c1b5e22a05baeb", 438928),
    "subject08/Run_4.trc": ("9f9960910b2cb51e146b256a80102ebb1ccf686a95fcb3350cb2cb24cd6bef6a", 791141),
    "subject08/Run_4_grf.mot": ("765646bc1fa06d101bce0e293f67102996af0bdd8f7332ea6d54a37cab0278b4", 428929),
    "subject08/Run_5.trc": ("2c226f003682881112e7f3e9d42a3d256f26b2c029784cd65ba79e4bb25fed99", 754407),
    "subject08/Run_5_grf.mot": ("bf989cd5f6754ba3863a0497886bd1887fcfa9d18aee6c40111a085258b9637c", 407801),
    "subject10/Run_2.trc": ("d52c0fade8a5cbf0db68196e1bebaa97b55ad013f7dc396c7edabf02be043ccb", 796308),
    "subject10/Run_2_grf.mot": ("b5df84c009223f1707c2a325ee703ebb597246605dc5482b3f35e9c4a637fd7a", 477572),
    "subject10/Run_3.trc": ("7f402664149d2151aa46f2a970649119118160cc1334d80e2de3e0938271d0f0", 855972),
    "subject10/Run_3_grf.mot": ("14537f77b13e093b422002dc217606ae38df1f032abb6a52a2550dcb04c6684d", 483371),
    "subject10/Run_4.trc": ("2206be8a4dbcf076ded1850b31c0b9c6163be4cb1feb0eb06053921d987fe13f", 796975),
    "subject10/Run_4_grf.mot": ("d617e6d1bf2f43213efa84b1bdb7f12be07f0213b529dd4b71beb3a0c8fe9cb0", 451155),
    "subject10/Run_5.trc": ("8e69924e2ce5f0170279b3fe4996cfe3e5a3b74f33d669c9e2ad7d167bd55f26", 796958),
    "subject10/Run_5_grf.mot": ("299c55d21bd4e78ec800e728c27d6b9e0a08f5cb7a16bb83deaaa6c0076b8602", 457210),
    "subject11/Run_2.trc": ("c086c0b21f58dccca36fb016665643f11c671cfbac2ffd3d97c8e58655f77190", 751342),
    "subject11/Run_2_grf.mot": ("33ac75b2ecf59d532363cc0de19bca8e0d63b0425360835f0afd80582db3f2d8", 455317),
    "subject11/Run_3.trc": ("e08cb3b7436962f27ba840973d6de8ec1eb6c228246e65ed7640c0ab5ea31cff", 771282),
    "subject11/Run_3_grf.mot": ("ab304fb95d17c6407f0e663c206bef3f99da597e6da12e8f60c7970b5c019194", 436690),
    "subject11/Run_4.trc": ("9f16896faf2000a94af18fb10adf8fc4b71e21b79a062a5087a18dca0fc25129", 796623),
    "subject11/Run_4_grf.mot": ("46e1c0150a2146df204a6c70977aed78971f89bbab278cfac3f2e34f64bef273", 434607),
    "subject11/Run_5.trc": ("e34b0a7f28b960b77d2a2441cf20919d69595a7cff32d4292a22d635b831de99", 731413),
    "subject11/Run_5_grf.mot": ("a54eee78bebdf92d1665b42cd0e19002441f93bae9b3e568e488de78dad0dc34", 393197),
    "subject17/Run_2.trc": ("e1dbb11abf5b9a397d47f5fe92806e1da32f7cdd4f67d49e2e388ef95d4c8619", 931871),
    "subject17/Run_2_grf.mot": ("0b7d45e8343623f2d0f36567c8ae3bf9294ea9637b4497229391769c0cc1b61a", 473465),
    "subject17/Run_3.trc": ("65af8e655460444ad3d0c3edb638396ee1e9bd92db3c581ecc7043643acf9dcd", 930582),
    "subject17/Run_3_grf.mot": ("0a2acc1dabe9658efc2e5a73b3133a2820ce8b5fc1a005808d446744dc03c1d4", 437605),
    "subject17/Run_4.trc": ("6c3e1dbcfe65f4fab43c195431d579363903339493d0d80b5ba2007d1d394ac9", 930681),
    "subject17/Run_4_grf.mot": ("ea80349d043f399c327197ab4bffa192e481593536dfb2b442a9237d5282ce9d", 435532),
    "subject17/Run_5.trc": ("9cc0647da9669f526f9cba2d9d58a8ef92044cbd4d931e5640399b1bd3d9202b", 831662),
    "subject17/Run_5_grf.mot": ("b3d6804897a7669fa16b752cce815079db693abc9498b35a47b764d2351959a6", 381708),
    "subject19/Run_2.trc": ("87a430d7da0750f9a3081b9ae9dbb6b8fa5c192dc19a2621e30079bfacf02de2", 936223),
    "subject19/Run_2_grf.mot": ("64a483268ffc968e603e63bdd1678c5ab4575b7b52ab819d217de593172f2b32", 438070),
    "subject19/Run_3.trc": ("21b15ba1bdc3177c5b419e4c666116ab8f5c362a5f0b803c13a57f1075eab10b", 922581),
    "subject19/Run_3_grf.mot": ("182cdc544f1a2bb342544c03292b132c239e6497c7060e1ad7d6e475cc65cfe6", 418158),
    "subject19/Run_4.trc": ("7b1c7bbff5e2ff856dff07751fe069c689b7f890177c90f6996a0920c84220ab", 996301),
    "subject19/Run_4_grf.mot": ("b80daad0e17817c8e61271458ecac544fed3baa833f1dcbc6dd6dcf6914a9454", 437001),
    "subject19/Run_5.trc": ("b55bd7c42828d411c10afe522661842e93e493d01e30183d4aa76d78a7d7c3c5", 977578),
    "subject19/Run_5_grf.mot": ("e33298c6e28c43fbcdf21fa8c15d0e30411a1f740e19661e12207b80759fd010", 423160),
    "subject20/Run_2.trc": ("5bec4f4e1bd978d2c8e09653b443e5ba0382e75f87157a45f485ad8debd3c130", 1109056),
    "subject20/Run_2_grf.mot": ("bba41076e60b098fad3b6cdcf35361c82bc7bf99ae0626a181fef0db8c632749", 540324),
    "subject20/Run_3.trc": ("382b4e665071588dfa0b2bd58f705523964c0cf91e11f1ec252da023e4bcf6df", 931626),
    "subject20/Run_3_grf.mot": ("3e334232c6660d23123593e83e949fe462f976e63526c67838ed83d21caa67bb", 440924),
    "subject20/Run_4.trc": ("d30f50753cb5f68bd89d83f6f0262355f092679f877421733677b549678662bf", 1017407),
    "subject20/Run_4_grf.mot": ("4c7f828f9afbe6955ded9ffae041222d899e9c7dc9ad611df4fedd71f53082d8", 470396),
    "subject20/Run_5.trc": ("240d8553e46379c10292dd1389728be13c3332e38f013260ef01bc7b504aa6bc", 947746),
    "subject20/Run_5_grf.mot": ("5b81e39c5a23f01bc43d0794d347ce04890274055cb752388417ede0a36c0295", 440588),
}


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
    files=tuple(_hamner_file(path, sha, size) for path, (sha, size) in _HAMNER2013_FILES.items()),
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
        for path, (sha, size) in _DORN2012_FILES.items()
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
        for path, (sha, size) in _ALCANTARA2022_FILES.items()
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


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data directory (the folder holding one sub-folder per data set).

    Parameters
    ----------
    path
        Explicit directory.  When ``None``, the environment variable
        ``GRFKIT_DATA_DIR`` is used, else the per-user data folder
        ``platformdirs.user_data_dir("grfkit")`` (``~/.local/share/grfkit`` on
        Linux) -- a folder apart from grfkit's computation cache.

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
    return Path(platformdirs.user_data_dir("grfkit"))


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


def _checked(info: DatasetInfo, folder: Path) -> tuple[list[DataFile], list[DataFile], list[DataFile]]:
    """Split a data set's files into (correct, wrong checksum, missing) in ``folder``."""
    good: list[DataFile] = []
    bad: list[DataFile] = []
    missing: list[DataFile] = []
    for data_file in info.files:
        path = folder / data_file.path
        if not path.is_file():
            missing.append(data_file)
        elif sha256_of(path) == data_file.sha256:
            good.append(data_file)
        else:
            bad.append(data_file)
    return good, bad, missing


def dataset_table(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Describe every registered data set and whether it is in the data directory.

    Parameters
    ----------
    data_dir
        Data directory; see :func:`data_dir` for the default.

    Returns
    -------
    pandas.DataFrame
        One row per data set: ``name``, ``title``, ``n_files``, ``size_mb``
        (all files, 10^6 bytes), ``licence``, ``citation`` (each reference
        with its DOI), ``local_path`` (its folder) and ``status``:
        ``"present"`` (every file there with the registered checksum),
        ``"absent"`` (no file there) or ``"partial (k of n files)"``, with
        ``"; m with a wrong checksum"`` where files are damaged.  Checksums
        are computed once per file version in a process (:func:`sha256_of`).
    """
    root = _resolve_data_dir(data_dir)
    rows = []
    for info in DATASETS.values():
        folder = root / info.name
        good, bad, _ = _checked(info, folder)
        n_files = len(info.files)
        if len(good) == n_files:
            status = "present"
        elif not good and not bad:
            status = "absent"
        else:
            damaged = f"; {len(bad)} with a wrong checksum" if bad else ""
            status = f"partial ({len(good)} of {n_files} files{damaged})"
        rows.append(
            {
                "name": info.name,
                "title": info.title,
                "n_files": n_files,
                "size_mb": sum(data_file.size_bytes for data_file in info.files) / 1e6,
                "licence": info.licence,
                "citation": "; ".join(f"{citation.text} doi:{citation.doi}" for citation in info.citations),
                "local_path": str(folder),
                "status": status,
            }
        )
    return pd.DataFrame(rows, columns=["name", "title", "n_files", "size_mb", "licence", "citation", "local_path", "status"])


def fetch_datasets(
    names: Iterable[str] | str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    base_url: str | None = None,
) -> list[Path]:
    """Download every missing file of the named data sets and verify every file.

    Each missing file is downloaded from its public source (or the mirror
    ``base_url`` / ``$GRFKIT_DATA_URL``) with a progress bar per data set,
    resumed with an HTTP ``Range`` request after an interruption, checked
    against its SHA-256 and only then moved into place
    (:func:`grfkit.real.download.download_file`).  Files already there with the
    right checksum are not downloaded again: a second call sends no request.
    A file already there with a wrong checksum is reported, never
    overwritten; nothing outside the data sets' files (and their ``.part``
    files) is written or deleted.

    Parameters
    ----------
    names
        Data sets to fetch; default every registered one.
    data_dir
        Data directory; see :func:`data_dir` for the default.
    progress
        Show a progress bar (on stderr) per data set with files to download.
    base_url
        Mirror replacing ``https://raw.githubusercontent.com/``.

    Returns
    -------
    list of pathlib.Path
        The data sets' folders, in the order of ``names``.

    Raises
    ------
    ConfigError
        If a name is not registered (checked before anything is downloaded).
    ChecksumError
        If a file (downloaded, or already there) has another SHA-256 than
        registered; the other files are still fetched.
    DataUnavailableError
        If a file cannot be downloaded (404, no network, interrupted too
        often); fetching stops there.  The message names the file and its URL.
        Where several files failed, the message lists each.
    """
    if isinstance(names, str):
        names = [names]
    infos = [dataset_info(name) for name in (dataset_names() if names is None else names)]
    root = _resolve_data_dir(data_dir)
    failures: list[ChecksumError | DataUnavailableError] = []
    for info in infos:
        failures += _fetch_missing(info, root / info.name, progress=progress, base_url=base_url)
        if any(isinstance(failure, DataUnavailableError) for failure in failures):
            break
    if failures:
        raise _combined(failures)
    return [root / info.name for info in infos]


def _fetch_missing(
    info: DatasetInfo, folder: Path, *, progress: bool, base_url: str | None
) -> list[ChecksumError | DataUnavailableError]:
    """Download the missing files of one data set; return what went wrong (stopping at an unavailable file)."""
    _, bad, missing = _checked(info, folder)
    failures: list[ChecksumError | DataUnavailableError] = [
        ChecksumError(
            f"{info.name}/{data_file.path} is there but has SHA-256 {sha256_of(folder / data_file.path)}, "
            f"the registry expects {data_file.sha256}. grfkit does not overwrite a file it did not "
            f"write: delete it (or move it away) and fetch again to download it from "
            f"{info.url(data_file, base_url)}.",
            path=folder / data_file.path,
        )
        for data_file in bad
    ]
    if not missing:
        return failures
    with tqdm(
        total=sum(data_file.size_bytes for data_file in missing),
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=info.name,
        disable=not progress,
    ) as bar:
        for data_file in missing:
            bar.set_postfix_str(data_file.path, refresh=False)
            try:
                download_file(
                    info.url(data_file, base_url),
                    folder / data_file.path,
                    data_file.sha256,
                    label=f"{info.name}/{data_file.path}",
                    size_bytes=data_file.size_bytes,
                    on_bytes=bar.update,
                )
            except ChecksumError as mismatch:
                failures.append(mismatch)
            except DataUnavailableError as unavailable:
                failures.append(unavailable)
                break
    return failures


def _combined(failures: list[ChecksumError | DataUnavailableError]) -> ChecksumError | DataUnavailableError:
    """One error for several failed files: the first if alone, else a list (unavailable wins over checksum)."""
    if len(failures) == 1:
        return failures[0]
    kind = DataUnavailableError if any(isinstance(f, DataUnavailableError) for f in failures) else ChecksumError
    first = next(f for f in failures if isinstance(f, kind))
    listed = "\n".join(f"- {failure}" for failure in failures)
    return kind(f"{len(failures)} files could not be fetched:\n{listed}", path=first.path)


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
        download unless ``GRFKIT_OFFLINE`` is set.  Downloads go through
        :func:`fetch_datasets` (no progress bar).

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
        failed (no network, read-only folder, not at its source).  The
        message names the file and its source URL.
    ChecksumError
        If a file present on disk (or downloaded) has another SHA-256 than
        registered.
    """
    info = dataset_info(dataset)
    folder = _resolve_data_dir(data_dir) / info.name
    missing = [data_file for data_file in info.files if not (folder / data_file.path).is_file()]
    if missing and not _downloads_allowed(download):
        first = missing[0]
        more = f" (and {len(missing) - 1} more of its files)" if len(missing) > 1 else ""
        raise DataUnavailableError(
            f"{info.name}/{first.path} is missing{more} and downloads are off "
            f"(download=False or {OFFLINE_ENV} set). Get it from {info.url(first)}, run "
            f"`grfkit data fetch {info.name}`, point {DATA_DIR_ENV} at a folder holding {info.name}/, "
            f"or call fetch({info.name!r}, download=True).",
            path=folder / first.path,
        )
    if missing:
        fetch_datasets([info.name], data_dir=folder.parent, progress=False)
    for data_file in info.files:
        verify_file(folder / data_file.path, data_file.sha256)
    return folder
