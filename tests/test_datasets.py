"""Tests of the real-data registry (grfkit.datasets)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pooch
import pytest

from grfkit import datasets
from grfkit.datasets import (
    DATA_DIR_ENV,
    OFFLINE_ENV,
    Citation,
    DataFile,
    DatasetInfo,
    data_dir,
    dataset_info,
    dataset_names,
    fetch,
    sha256_of,
    verify_file,
)
from grfkit.errors import ChecksumError, ConfigError, DataUnavailableError, MissingFileError

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
            DataFile(path="a.csv", sha256=_sha(b"a,b\n1,2\n"), url="https://example.org/a.csv", url_verified=True),
            DataFile(path="sub/b.txt", sha256=_sha(b"bee\n"), url="https://example.org/b.txt", url_verified=False),
        ),
    )
    monkeypatch.setattr(datasets, "DATASETS", {"toy": info})
    return info


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Make any download attempt fail the test (and record it)."""
    calls: list[dict[str, object]] = []

    def refuse(**kwargs: object) -> str:
        calls.append(kwargs)
        raise AssertionError(f"no download may be attempted here: {kwargs.get('url')}")

    monkeypatch.setattr(pooch, "retrieve", refuse)
    return calls


# --- The registry's content ---------------------------------------------------------


def test_registry_holds_the_three_data_sets() -> None:
    assert dataset_names() == ["hamner2013", "dorn2012", "alcantara2022"]
    counts = {name: len(dataset_info(name).files) for name in dataset_names()}
    assert counts == {"hamner2013": 81, "dorn2012": 3, "alcantara2022": 4}


@pytest.mark.parametrize(
    ("name", "dois"),
    [
        ("hamner2013", {"10.1016/j.jbiomech.2012.11.024", "10.1098/rsos.231909"}),
        ("dorn2012", {"10.1242/jeb.064527"}),
        ("alcantara2022", {"10.7717/peerj.12752"}),
    ],
)
def test_citations_licence_and_source(name: str, dois: set[str]) -> None:
    info = dataset_info(name)
    assert {citation.doi for citation in info.citations} == dois
    assert all(citation.text.strip() for citation in info.citations)
    assert info.licence.strip()
    assert re.match(r"^[\w.-]+/[\w.-]+$", info.source_repository)
    assert re.match(r"^[0-9a-f]{40}$", info.source_commit)


@pytest.mark.parametrize("name", ["hamner2013", "dorn2012", "alcantara2022"])
def test_every_file_has_checksum_and_pinned_url(name: str) -> None:
    info = dataset_info(name)
    paths = [data_file.path for data_file in info.files]
    assert len(paths) == len(set(paths))
    for data_file in info.files:
        assert HEX64.match(data_file.sha256), data_file.path
        if data_file.url is None:
            assert data_file.path == "subjects.csv" and data_file.note  # derived, explained
            continue
        assert data_file.url.startswith(
            f"https://raw.githubusercontent.com/{info.source_repository}/{info.source_commit}/"
        )
        assert data_file.url.endswith(data_file.path.split("/")[-1])


def test_registry_records_known_file_quirks() -> None:
    hamner = dataset_info("hamner2013")
    stale = [f.path for f in hamner.files if f.read_options.get("check_frame_count") is False]
    assert len(stale) == 10 and all(path.endswith(".trc") for path in stale)
    assert {path.split("/")[0] for path in stale} == {"subject10", "subject11", "subject17"}
    assert "LMT5" in hamner.file("subject04/Run_5.trc").note
    assert dataset_info("dorn2012").body_mass_kg["JA1"] == pytest.approx(75.93)


def test_dorn_url_quotes_brackets() -> None:
    url = dataset_info("dorn2012").file("JA1Gait21.c3d").url
    assert url is not None and "%5Bold%5DDorn2012Data/JA1Gait21.c3d" in url


def test_unknown_names_raise_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown data set 'nope'"):
        dataset_info("nope")
    with pytest.raises(ConfigError, match="no registered file"):
        dataset_info("dorn2012").file("JA1Gait99.c3d")
    with pytest.raises(ConfigError):
        fetch("nope", download=False)


# --- Data directory resolution ------------------------------------------------------------


def test_data_dir_prefers_argument_then_environment_then_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from_env"))
    assert data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_dir() == tmp_path / "from_env"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert data_dir() == Path(pooch.os_cache("grfkit"))


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
    with pytest.raises(DataUnavailableError, match=r"toy/a\.csv is missing \(and 1 more.*https://example\.org/a\.csv"):
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


def test_fetch_downloads_missing_files_with_their_checksum(
    fake_registry: DatasetInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = {"https://example.org/a.csv": b"a,b\n1,2\n", "https://example.org/b.txt": b"bee\n"}
    calls: list[dict[str, object]] = []

    def fake_retrieve(*, url: str, known_hash: str, fname: str, path: Path, progressbar: bool) -> str:
        calls.append({"url": url, "known_hash": known_hash, "fname": fname, "path": Path(path)})
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / fname).write_bytes(served[url])
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    monkeypatch.delenv(OFFLINE_ENV, raising=False)
    folder = fetch("toy", data_dir=tmp_path)
    assert (folder / "sub" / "b.txt").read_bytes() == b"bee\n"
    assert [call["url"] for call in calls] == list(served)
    assert calls[0]["known_hash"] == f"sha256:{_sha(served['https://example.org/a.csv'])}"
    assert calls[1]["path"] == folder / "sub"


def test_failed_download_becomes_typed_error(
    fake_registry: DatasetInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(**kwargs: object) -> str:
        raise ConnectionError("network is unreachable")  # an OSError, like requests' errors

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(DataUnavailableError, match=r"could not download toy/a\.csv.*unreachable"):
        fetch("toy", data_dir=tmp_path, download=True)


def test_derived_file_without_url_cannot_be_downloaded(tmp_path: Path, no_network: list) -> None:
    with pytest.raises(DataUnavailableError, match="subjects.csv has no public download"):
        datasets._download(
            dataset_info("hamner2013"),
            dataset_info("hamner2013").file("subjects.csv"),
            tmp_path / "hamner2013" / "subjects.csv",
        )


# --- The real files ------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["hamner2013", "dorn2012", "alcantara2022"])
def test_registry_checksums_match_the_real_files(name: str, real_dataset) -> None:
    folder = real_dataset(name)  # fetch(download=False) verified every checksum
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == {data_file.path for data_file in dataset_info(name).files}


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
