"""Each real data set is looked up on its own; absent ones are named, damaged ones are errors."""

import shutil

import pytest

from grfkit.errors import ChecksumError, DataUnavailableError
from grfkit.real.availability import locate_real_data


def test_an_empty_data_dir_has_every_data_set_absent_and_a_note_that_says_how_to_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv("GRFKIT_OFFLINE", "1")
    real = locate_real_data(data_dir=tmp_path)
    assert real.folders == {} and set(real.absent) == {"hamner2013", "dorn2012", "alcantara2022"}
    assert not real.has("dorn2012")
    with pytest.raises(DataUnavailableError, match="dorn2012"):
        real.folder("dorn2012")
    note = real.note("commit abc (clean)")
    assert "grfkit data fetch alcantara2022 dorn2012 hamner2013" in note and "commit abc (clean)" in note


def test_one_present_data_set_is_used_when_the_others_are_absent(tmp_path, real_dataset):
    shutil.copytree(real_dataset("dorn2012"), tmp_path / "dorn2012")
    real = locate_real_data(data_dir=tmp_path)
    assert real.has("dorn2012") and not real.has("dorn2012", "hamner2013")
    assert set(real.absent) == {"hamner2013", "alcantara2022"}
    assert real.folder("dorn2012") == tmp_path / "dorn2012"
    assert locate_real_data(("dorn2012",), data_dir=tmp_path).note("x") == ""


def test_a_damaged_copy_is_an_error_not_an_absence(tmp_path, real_dataset):
    shutil.copytree(real_dataset("alcantara2022"), tmp_path / "alcantara2022")
    damaged = next(p for p in sorted((tmp_path / "alcantara2022").iterdir()) if p.suffix == ".csv")
    damaged.write_bytes(damaged.read_bytes()[:-10])
    with pytest.raises(ChecksumError):
        locate_real_data(("alcantara2022",), data_dir=tmp_path)
