"""Tests of the local data folder (grfkit.real.data_folder): where it is, checksums, fetch."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import platformdirs
import pytest

from grfkit.errors import (
    ChecksumError,
    DataUnavailableError,
    MissingFileError,
)
from grfkit.real import download
from grfkit.real import registry as datasets
from grfkit.real.data_folder import (
    DATA_DIR_ENV,
    OFFLINE_ENV,
    data_dir,
    dataset_table,
    fetch,
    sha256_of,
    verify_file,
)
from grfkit.real.registry import (
    Citation,
    DataFile,
    DatasetInfo,
    dataset_info,
    dataset_names,
)
from grfkit.storage.cohort_cache import CACHE_DIR_ENV, cache_dir

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake_registry(monkeypatch: pytest.MonkeyPatch) -> DatasetInfo:
    """Replace the registry by one small data set of two files with known bytes."""
    info = DatasetInfo(
        name="toy",
        title="toy",
        description="two files",
        citations=(Citation(text="Doe J (2000). Toy data. J Toys 1:1-2.", doi="10.0000/toy"),),
        licence="CC0",
        source_repository="someone/toy",
        source_commit="0" * 40,
        source_folder="data",
        original_source="nowhere",
        files=(
            DataFile(path="a.csv", sha256=_sha(b"a,b\n1,2\n"), size_bytes=8, source_path="data/a.csv"),
            DataFile(path="sub/b.txt", sha256=_sha(b"bee\n"), size_bytes=4, source_path="data/b.txt"),
        ),
    )
    monkeypatch.setattr(datasets, "DATASETS", {"toy": info})
    monkeypatch.delenv(datasets.DATA_URL_ENV, raising=False)
    return info


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Make any download attempt fail the test (and record it)."""
    calls: list[dict[str, object]] = []

    def refuse(request: object, **kwargs: object) -> object:
        calls.append({"request": request, **kwargs})
        raise AssertionError(f"no download may be attempted here: {getattr(request, 'full_url', request)}")

    monkeypatch.setattr(download, "urlopen", refuse)
    return calls


# --- Data directory resolution ------------------------------------------------------------


def test_data_dir_prefers_argument_then_environment_then_user_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from_env"))
    assert data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_dir() == tmp_path / "from_env"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert data_dir() == Path(platformdirs.user_data_dir("grfkit"))


def test_downloads_never_live_in_the_computation_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Clearing grfkit's cache folder must not delete downloaded data: neither folder holds the other."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in (DATA_DIR_ENV, CACHE_DIR_ENV, "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(variable, raising=False)
    data, cache = data_dir().resolve(), cache_dir().resolve()
    assert data != cache
    assert cache not in data.parents and data not in cache.parents


# --- Checksums ------------------------------------------------------------------------------


def test_sha256_of_matches_hashlib_and_notices_changes(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"first")
    assert sha256_of(path) == _sha(b"first")
    assert sha256_of(path) == _sha(b"first")  # cached
    path.write_bytes(b"second version")  # size (and mtime) change
    assert sha256_of(path) == _sha(b"second version")


def test_verify_file_names_the_corrupted_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"1,2,3\n")
    verify_file(path, _sha(b"1,2,3\n"))
    with pytest.raises(ChecksumError, match=r"data\.csv.*SHA-256 is") as info:
        verify_file(path, _sha(b"1,2,4\n"))
    assert info.value.path == path


# --- fetch, without touching the network ------------------------------------------------------


def test_fetch_verifies_a_complete_folder(fake_registry: DatasetInfo, tmp_path: Path, no_network: list) -> None:
    folder = tmp_path / "toy"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.csv").write_bytes(b"a,b\n1,2\n")
    (folder / "sub" / "b.txt").write_bytes(b"bee\n")
    assert fetch("toy", data_dir=tmp_path, download=False) == folder
    assert fetch("toy", data_dir=tmp_path) == folder  # nothing missing: no download either
    assert no_network == []


def test_fetch_rejects_a_corrupted_file(fake_registry: DatasetInfo, tmp_path: Path, no_network: list) -> None:
    folder = tmp_path / "toy"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.csv").write_bytes(b"a,b\n1,3\n")
    (folder / "sub" / "b.txt").write_bytes(b"bee\n")
    with pytest.raises(ChecksumError, match=r"a\.csv"):
        fetch("toy", data_dir=tmp_path, download=False)


def test_fetch_missing_file_offline_raises_typed_error(
    fake_registry: DatasetInfo, tmp_path: Path, no_network: list
) -> None:
    with pytest.raises(DataUnavailableError, match=r"toy/a\.csv is missing \(and 1 more.*https://raw\.githubusercontent\.com/someone/toy/0{40}/data/a\.csv"):
        fetch("toy", data_dir=tmp_path, download=False)
    assert no_network == []
    assert issubclass(DataUnavailableError, MissingFileError)
    assert issubclass(DataUnavailableError, FileNotFoundError)


def test_offline_environment_blocks_default_downloads(
    fake_registry: DatasetInfo, tmp_path: Path, no_network: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OFFLINE_ENV, "1")
    with pytest.raises(DataUnavailableError, match=OFFLINE_ENV):
        fetch("toy", data_dir=tmp_path)
    assert no_network == []


# --- The table of data sets ------------------------------------------------------------------


def test_dataset_table_says_present_partial_or_absent(
    fake_registry: DatasetInfo, tmp_path: Path, no_network: list
) -> None:
    def status() -> str:
        table = dataset_table(tmp_path)
        assert list(table.columns) == [
            "name", "title", "n_files", "size_mb", "licence", "citation", "local_path", "status",
        ]  # fmt: skip
        assert table["local_path"].tolist() == [str(tmp_path / "toy")]
        return table["status"].iloc[0]

    assert status() == "absent"
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "a.csv").write_bytes(b"a,b\n1,2\n")
    assert status() == "partial (1 of 2 files)"
    (tmp_path / "toy" / "sub").mkdir()
    (tmp_path / "toy" / "sub" / "b.txt").write_bytes(b"BEE\n")
    assert status() == "partial (1 of 2 files; 1 with a wrong checksum)"
    (tmp_path / "toy" / "sub" / "b.txt").write_bytes(b"bee\n")
    assert status() == "present"
    row = dataset_table(tmp_path).iloc[0]
    assert row["n_files"] == 2 and row["size_mb"] == pytest.approx(12 / 1e6)
    assert row["licence"] == "CC0" and "Toy data" in row["citation"] and "doi:10.0000/toy" in row["citation"]
    assert no_network == []


def test_dataset_table_of_the_real_registry(tmp_path: Path) -> None:
    table = dataset_table(tmp_path)
    assert table["name"].tolist() == dataset_names()
    assert table["n_files"].tolist() == [80, 2, 4]
    assert (table["status"] == "absent").all()
    assert table.set_index("name")["size_mb"].round(1).to_dict() == {
        "hamner2013": 55.1, "dorn2012": 2.7, "alcantara2022": 5.8,
    }  # fmt: skip


# --- The real files ------------------------------------------------------------------------------


@pytest.mark.realdata
def test_a_corrupted_copy_of_a_real_file_is_rejected(real_dataset, tmp_path: Path) -> None:
    folder = real_dataset("alcantara2022")
    entry = dataset_info("alcantara2022").file("Sub_Info_one_sub.csv")
    copy = tmp_path / entry.path
    shutil.copyfile(folder / entry.path, copy)
    verify_file(copy, entry.sha256)
    data = bytearray(copy.read_bytes())
    data[-5] = ord("9") if data[-5] != ord("9") else ord("8")
    copy.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="Sub_Info_one_sub.csv"):
        verify_file(copy, entry.sha256)
