"""Tests of the download path (grfkit.real.download, grfkit.real.data_folder.fetch_datasets) without the internet.

A local HTTP server on 127.0.0.1 serves a mirror laid out like
raw.githubusercontent.com (``<owner>/<repo>/<commit>/<path in the repository>``)
and records every request.  Its handler honours ``Range`` requests (unlike
:class:`http.server.SimpleHTTPRequestHandler`) and can cut a response short
once, to simulate an interrupted download.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from grfkit.errors import ChecksumError, ConfigError, DataUnavailableError
from grfkit.real import download
from grfkit.real import registry as datasets
from grfkit.real.data_folder import fetch, fetch_datasets
from grfkit.real.registry import (
    DATA_URL_ENV,
    Citation,
    DataFile,
    DatasetInfo,
    dataset_info,
)

#: The read-only reference copy of the real data beside the project (``../shared/data``).
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "data"


class MirrorServer(ThreadingHTTPServer):
    """A threading HTTP server with the mirror's folder and a log of requests."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), MirrorHandler)
        self.root = root
        #: (URL path, Range header or None) of every GET, in order.
        self.requests: list[tuple[str, str | None]] = []
        #: URL path -> bytes after which the next response to it is cut (once).
        self.cut_once: dict[str, int] = {}
        #: False to answer every request with the whole file (a server without Range support).
        self.honour_range = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class MirrorHandler(BaseHTTPRequestHandler):
    """Serve files of the mirror folder, honouring ``Range: bytes=N-``."""

    server: MirrorServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        range_header = self.headers.get("Range")
        self.server.requests.append((self.path, range_header))
        file = self.server.root / unquote(self.path.lstrip("/"))
        if not file.is_file():
            self.send_error(404, "Not Found")
            return
        data = file.read_bytes()
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
        if match and self.server.honour_range:
            start = int(match[1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = self.server.cut_once.pop(self.path, None)
        self.wfile.write(body if cut is None else body[:cut])
        if cut is not None:
            self.wfile.flush()
            self.close_connection = True


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MirrorServer]:
    """A running mirror server on 127.0.0.1 (empty folder ``tmp_path/mirror``)."""
    monkeypatch.delenv(DATA_URL_ENV, raising=False)
    root = tmp_path / "mirror"
    root.mkdir()
    server = MirrorServer(root)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


TOY_A = b"a,b\n" + b"".join(f"{k},{k * k}\n".encode() for k in range(2000))  # about 20 kB
TOY_B = b"bee\n"


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> DatasetInfo:
    """Register one tiny fake data set (two files) in place of the real registry."""
    info = DatasetInfo(
        name="toy",
        title="toy data",
        description="two files",
        citations=(Citation(text="Doe J (2000). Toy data. J Toys 1:1-2.", doi="10.0000/toy"),),
        licence="CC0",
        source_repository="someone/toy",
        source_commit="0123456789abcdef0123456789abcdef01234567",
        source_folder="data",
        original_source="nowhere",
        files=(
            DataFile(path="a.csv", sha256=_sha(TOY_A), size_bytes=len(TOY_A), source_path="data/a.csv"),
            DataFile(path="sub/b.txt", sha256=_sha(TOY_B), size_bytes=len(TOY_B), source_path="data/b [1].txt"),
        ),
    )
    monkeypatch.setattr(datasets, "DATASETS", {"toy": info})
    return info


def _serve(mirror: MirrorServer, info: DatasetInfo, contents: dict[str, bytes]) -> None:
    """Place ``contents`` (registered path -> bytes) in the mirror where ``info``'s URLs point."""
    for data_file in info.files:
        if data_file.path in contents:
            target = mirror.root / info.source_repository / info.source_commit / data_file.source_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(contents[data_file.path])


def _url_path(info: DatasetInfo, path: str, mirror: MirrorServer) -> str:
    return info.url(info.file(path), base_url=mirror.base_url).removeprefix(mirror.base_url.rstrip("/"))


# --- A good fetch ----------------------------------------------------------------------------


def test_fetch_downloads_and_verifies_every_file(toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    folders = fetch_datasets(data_dir=tmp_path / "data", progress=False, base_url=mirror.base_url)
    assert folders == [tmp_path / "data" / "toy"]
    assert (folders[0] / "a.csv").read_bytes() == TOY_A
    assert (folders[0] / "sub" / "b.txt").read_bytes() == TOY_B
    # the source path is quoted in the URL and mapped to the local name
    assert [path for path, _ in mirror.requests] == [
        "/someone/toy/0123456789abcdef0123456789abcdef01234567/data/a.csv",
        "/someone/toy/0123456789abcdef0123456789abcdef01234567/data/b%20%5B1%5D.txt",
    ]
    assert not list(folders[0].rglob("*.part"))


def test_a_second_fetch_sends_no_request(toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    first = fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)
    mirror.requests.clear()
    assert fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url) == first
    assert fetch("toy", data_dir=tmp_path, download=True) == first[0]
    assert mirror.requests == []


def test_the_environment_variable_points_at_the_mirror(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    monkeypatch.setenv(DATA_URL_ENV, mirror.base_url.rstrip("/"))  # with or without the final slash
    folder = fetch("toy", data_dir=tmp_path, download=True)  # the old entry point, same download code
    assert (folder / "a.csv").read_bytes() == TOY_A
    assert len(mirror.requests) == 2


def test_progress_bar_names_the_data_set(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    fetch_datasets(["toy"], data_dir=tmp_path, progress=True, base_url=mirror.base_url)
    err = capsys.readouterr().err
    assert "toy" in err and "100%" in err


@pytest.mark.realdata
def test_real_files_arrive_byte_identical(mirror: MirrorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A few small real files of two data sets, served from their real source paths and commits."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference copy of the real data absent: {REFERENCE}")
    chosen = {"dorn2012": ["JA1Gait35.c3d"], "alcantara2022": ["Sub_Info_one_sub.csv", "LICENSE.txt"]}
    subsets = {}
    for name, paths in chosen.items():
        info = dataset_info(name)
        subset = dataclasses.replace(info, files=tuple(info.file(path) for path in paths))
        _serve(mirror, subset, {path: (REFERENCE / name / path).read_bytes() for path in paths})
        subsets[name] = subset
    monkeypatch.setattr(datasets, "DATASETS", subsets)
    folders = fetch_datasets(data_dir=tmp_path / "data", progress=False, base_url=mirror.base_url)
    assert folders == [tmp_path / "data" / name for name in chosen]
    for name, paths in chosen.items():
        for path in paths:
            assert (tmp_path / "data" / name / path).read_bytes() == (REFERENCE / name / path).read_bytes()
    requested = [path for path, _ in mirror.requests]
    assert any("%5Bold%5DDorn2012Data/JA1Gait35.c3d" in path for path in requested)
    assert any(path.endswith("/LICENSE") for path in requested)  # source name LICENSE -> local LICENSE.txt


# --- Failures ----------------------------------------------------------------------------------


def test_checksum_mismatch_names_the_file_and_leaves_nothing(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A.replace(b"1,1", b"1,7"), "sub/b.txt": TOY_B})
    with pytest.raises(ChecksumError, match=r"toy/a\.csv.*http://127\.0\.0\.1:\d+/someone/toy/.*/data/a\.csv") as info:
        fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)
    assert info.value.path == tmp_path / "toy" / "a.csv"
    assert not (tmp_path / "toy" / "a.csv").exists()
    assert not (tmp_path / "toy" / "a.csv.part").exists()
    assert (tmp_path / "toy" / "sub" / "b.txt").read_bytes() == TOY_B  # the good file is kept


def test_missing_file_at_the_source_is_a_typed_error_with_its_url(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A})
    url = toy.url(toy.file("sub/b.txt"), base_url=mirror.base_url)
    with pytest.raises(DataUnavailableError, match=rf"toy/sub/b\.txt.*404.*{re.escape(url)}"):
        fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)
    assert not (tmp_path / "toy" / "sub" / "b.txt").exists()
    assert (tmp_path / "toy" / "a.csv").read_bytes() == TOY_A


def test_unreachable_server_is_a_typed_error(toy: DatasetInfo, tmp_path: Path) -> None:
    with pytest.raises(DataUnavailableError, match=r"could not download toy/a\.csv from http://127\.0\.0\.1:9/"):
        fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url="http://127.0.0.1:9/")


def test_an_unwritable_data_folder_is_a_typed_error(toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    (tmp_path / "data").write_text("a file where the data folder should be")
    with pytest.raises(DataUnavailableError, match=r"cannot write toy/a\.csv into .*data/toy"):
        fetch_datasets(["toy"], data_dir=tmp_path / "data", progress=False, base_url=mirror.base_url)
    assert (tmp_path / "data").read_text() == "a file where the data folder should be"


def test_a_malformed_mirror_url_is_a_typed_error(toy: DatasetInfo, tmp_path: Path) -> None:
    with pytest.raises(DataUnavailableError, match=r"could not download toy/a\.csv from nonsense/someone/toy/"):
        fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url="nonsense")


def test_a_wrong_file_already_there_is_reported_not_overwritten(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "a.csv").write_bytes(b"my own notes\n")
    with pytest.raises(ChecksumError, match=r"toy/a\.csv.*delete it") as info:
        fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)
    assert info.value.path == tmp_path / "toy" / "a.csv"
    assert (tmp_path / "toy" / "a.csv").read_bytes() == b"my own notes\n"
    assert all("a.csv" not in path for path, _ in mirror.requests)
    assert (tmp_path / "toy" / "sub" / "b.txt").read_bytes() == TOY_B  # the rest still arrives


# --- Interrupted downloads resume ---------------------------------------------------------------


def test_an_interrupted_download_resumes_with_a_range_request(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    path_a = _url_path(toy, "a.csv", mirror)
    mirror.cut_once[path_a] = 5000
    folder = fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)[0]
    assert (folder / "a.csv").read_bytes() == TOY_A
    assert [r for r in mirror.requests if r[0] == path_a] == [(path_a, None), (path_a, "bytes=5000-")]


def test_a_download_cut_in_one_run_resumes_in_the_next(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "ATTEMPTS", 1)
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    path_a = _url_path(toy, "a.csv", mirror)
    mirror.cut_once[path_a] = 7000
    with pytest.raises(DataUnavailableError, match=r"toy/a\.csv.*7000 of 2\d{4} bytes.*a\.csv\.part.*resume"):
        fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)
    part = tmp_path / "toy" / "a.csv.part"
    assert part.read_bytes() == TOY_A[:7000] and not (tmp_path / "toy" / "a.csv").exists()
    mirror.requests.clear()
    fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)
    assert mirror.requests[0] == (path_a, "bytes=7000-")  # then b.txt, which the first run never reached
    assert [path for path, _ in mirror.requests[1:]] == [_url_path(toy, "sub/b.txt", mirror)]
    assert (tmp_path / "toy" / "a.csv").read_bytes() == TOY_A and not part.exists()


def test_a_server_that_ignores_range_gets_a_fresh_download(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path
) -> None:
    mirror.honour_range = False
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    path_a = _url_path(toy, "a.csv", mirror)
    mirror.cut_once[path_a] = 3000
    folder = fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)[0]
    assert (folder / "a.csv").read_bytes() == TOY_A  # not the first 3000 bytes twice
    assert [r for r in mirror.requests if r[0] == path_a] == [(path_a, None), (path_a, "bytes=3000-")]


def test_a_stale_part_longer_than_the_file_is_restarted(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "a.csv.part").write_bytes(b"x" * (len(TOY_A) + 10))
    folder = fetch_datasets(["toy"], data_dir=tmp_path, progress=False, base_url=mirror.base_url)[0]
    assert (folder / "a.csv").read_bytes() == TOY_A


def test_fetch_datasets_rejects_unknown_names(toy: DatasetInfo, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown data set 'nope'"):
        fetch_datasets(["nope"], data_dir=tmp_path, progress=False)


def test_no_file_outside_the_data_set_folder_is_touched(
    toy: DatasetInfo, mirror: MirrorServer, tmp_path: Path
) -> None:
    _serve(mirror, toy, {"a.csv": TOY_A, "sub/b.txt": TOY_B})
    data = tmp_path / "data"
    (data / "toy").mkdir(parents=True)
    (data / "toy" / "notes.txt").write_text("mine")
    (data / "elsewhere.bin").write_bytes(b"\0")
    fetch_datasets(["toy"], data_dir=data, progress=False, base_url=mirror.base_url)
    assert (data / "toy" / "notes.txt").read_text() == "mine" and (data / "elsewhere.bin").read_bytes() == b"\0"
    shutil.rmtree(data / "toy" / "sub")  # the user deletes a file: the next fetch brings it back
    fetch_datasets(["toy"], data_dir=data, progress=False, base_url=mirror.base_url)
    assert (data / "toy" / "sub" / "b.txt").read_bytes() == TOY_B
