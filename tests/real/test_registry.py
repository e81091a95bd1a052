"""Tests of the real-data registry (grfkit.real.registry): data sets, citations, sources."""

from __future__ import annotations

import hashlib
import re

import pytest

from grfkit.errors import (
    ConfigError,
)
from grfkit.real import registry as datasets
from grfkit.real.data_folder import (
    fetch,
)
from grfkit.real.registry import (
    DEFAULT_BASE_URL,
    dataset_info,
    dataset_names,
)

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- The registry's content ---------------------------------------------------------


def test_registry_holds_the_three_data_sets() -> None:
    assert dataset_names() == ["hamner2013", "dorn2012", "alcantara2022"]
    counts = {name: len(dataset_info(name).files) for name in dataset_names()}
    assert counts == {"hamner2013": 80, "dorn2012": 2, "alcantara2022": 4}


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
def test_every_file_has_a_verified_public_source(name: str) -> None:
    info = dataset_info(name)
    paths = [data_file.path for data_file in info.files]
    assert len(paths) == len(set(paths))
    for data_file in info.files:
        assert HEX64.match(data_file.sha256), data_file.path
        assert data_file.size_bytes > 0, data_file.path
        assert data_file.url_verified, data_file.path  # hashed at the pinned commit of the source
        url = info.url(data_file)
        assert url.startswith(f"{DEFAULT_BASE_URL}{info.source_repository}/{info.source_commit}/")
        assert url.endswith(data_file.source_path.split("/")[-1].replace("]", "%5D"))


def test_no_derived_file_needs_downloading() -> None:
    hamner = dataset_info("hamner2013")
    assert all(data_file.path != "subjects.csv" for data_file in hamner.files)
    # body masses of the scaled OpenSim models, in the registry like Dorn's
    assert dict(hamner.body_mass_kg) == {
        "subject01": 72.84, "subject02": 76.48, "subject03": 64.00, "subject04": 80.47, "subject08": 82.37,
        "subject10": 69.26, "subject11": 69.35, "subject17": 68.45, "subject19": 65.14,
    }  # fmt: skip
    assert "subject20" not in hamner.body_mass_kg  # no model published: estimated from the force


def test_source_names_map_to_local_names() -> None:
    alcantara = dataset_info("alcantara2022")
    assert alcantara.source_commit == "893024a3de827a943623bd84850f275a400a1152"  # Sub_Info as registered
    assert alcantara.file("LICENSE.txt").source_path == "LICENSE"
    assert alcantara.file("GRF_one_sub.csv").source_path == "data/GRF_one_sub.csv"
    dorn = dataset_info("dorn2012")
    assert [data_file.path for data_file in dorn.files] == ["JA1Gait21.c3d", "JA1Gait35.c3d"]
    assert "no licence file" in dorn.licence  # the source repository ships none: nothing to download


def test_urls_follow_the_mirror_base(monkeypatch: pytest.MonkeyPatch) -> None:
    info = dataset_info("alcantara2022")
    licence = info.file("LICENSE.txt")
    monkeypatch.delenv(datasets.DATA_URL_ENV, raising=False)
    assert info.url(licence) == (
        "https://raw.githubusercontent.com/alcantarar/Recurrent_GRF_Prediction/"
        "893024a3de827a943623bd84850f275a400a1152/LICENSE"
    )
    assert info.url(licence, base_url="http://127.0.0.1:8000") == (
        "http://127.0.0.1:8000/alcantarar/Recurrent_GRF_Prediction/893024a3de827a943623bd84850f275a400a1152/LICENSE"
    )
    monkeypatch.setenv(datasets.DATA_URL_ENV, "http://proxy.local/raw/")
    assert info.url(licence).startswith("http://proxy.local/raw/alcantarar/")


def test_registry_records_known_file_quirks() -> None:
    hamner = dataset_info("hamner2013")
    stale = [f.path for f in hamner.files if f.read_options.get("check_frame_count") is False]
    assert len(stale) == 10 and all(path.endswith(".trc") for path in stale)
    assert {path.split("/")[0] for path in stale} == {"subject10", "subject11", "subject17"}
    assert "LMT5" in hamner.file("subject04/Run_5.trc").note
    assert dataset_info("dorn2012").body_mass_kg["JA1"] == pytest.approx(75.93)


def test_dorn_url_quotes_brackets() -> None:
    info = dataset_info("dorn2012")
    assert "%5Bold%5DDorn2012Data/JA1Gait21.c3d" in info.url(info.file("JA1Gait21.c3d"))


def test_unknown_names_raise_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown data set 'nope'"):
        dataset_info("nope")
    with pytest.raises(ConfigError, match="no registered file"):
        dataset_info("dorn2012").file("JA1Gait99.c3d")
    with pytest.raises(ConfigError):
        fetch("nope", download=False)


# --- The real files ------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["hamner2013", "dorn2012", "alcantara2022"])
def test_registry_checksums_match_the_real_files(name: str, real_dataset) -> None:
    folder = real_dataset(name)  # fetch(download=False) verified every checksum
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    registered = {data_file.path for data_file in dataset_info(name).files}
    assert registered <= on_disk
    # a reference copy may still hold files dropped from the registry (derived, or with no public source)
    assert on_disk - registered <= {"subjects.csv", "LICENSE.txt"}
