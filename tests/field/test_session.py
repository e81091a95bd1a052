"""A simulated field session: overground bouts of new runners, and their copy without the lab's tables."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import MissingFileError
from grfkit.field.chain import wearable_stances
from grfkit.field.session import simulated_field_session
from grfkit.io.read import iter_bout_paths, read_bout, read_bouts
from grfkit.storage.cache import CacheWarning


@pytest.fixture(scope="module")
def session(tiny_scale, tmp_path_factory: pytest.TempPathFactory):
    return simulated_field_session(tiny_scale, 5, cache=tmp_path_factory.mktemp("cache"))


def test_the_copy_holds_only_what_a_runner_carries(session) -> None:
    assert session.scale.treadmill_participants == 0 and session.scale.name == "field-tiny"
    bouts = read_bouts(session.wearable_dir)
    assert set(bouts["dataset"]) == {"overground"}
    assert len(bouts) == len(read_bouts(session.raw_dir))
    for folder in iter_bout_paths(session.wearable_dir):
        names = {p.name.split(".")[0] for p in folder.iterdir()}
        assert names == {"bout", "insole", "imu"}, folder
    for folder in iter_bout_paths(session.raw_dir):  # the lab's recording is untouched
        assert {"force", "marker"} <= {p.name.split(".")[0] for p in folder.iterdir()}
    assert (session.wearable_dir / "truth" / "stances.csv").is_file()


def test_a_bout_without_lab_tables_reads_only_as_wearables(session) -> None:
    folder = next(iter_bout_paths(session.wearable_dir))
    bout = read_bout(folder, require_force=False)
    assert bout.force is None and bout.marker is None and len(bout.imu) > 0
    assert bout.info.marker_rate_hz is not None  # bout.json still states the lab's rates
    with pytest.raises(MissingFileError, match="force|marker"):
        read_bout(folder)


def test_the_copy_gives_the_stances_of_the_lab_recording(session) -> None:
    from_copy, skipped_copy = wearable_stances(session.wearable_dir)
    from_lab, skipped_lab = wearable_stances(session.raw_dir)
    assert len(from_copy) > 50
    np.testing.assert_array_equal(from_copy.inputs, from_lab.inputs)
    pd.testing.assert_frame_equal(from_copy.meta, from_lab.meta)
    assert len(skipped_copy) == len(skipped_lab)


def test_a_second_call_reuses_the_copy(session, tiny_scale) -> None:
    stamp = (session.wearable_dir / ".wearables-only-complete").stat().st_mtime_ns
    again = simulated_field_session(tiny_scale, 5, cache=session.raw_dir.parent.parent)
    assert again == session
    assert (again.wearable_dir / ".wearables-only-complete").stat().st_mtime_ns == stamp


def test_the_copy_follows_a_new_simulation(tiny_scale, tmp_path: Path) -> None:
    """A scale changed under the same name simulates the cohort again; the copy is made again too."""
    one = dataclasses.replace(tiny_scale, overground_participants=1)
    first = simulated_field_session(one, 5, cache=tmp_path)
    assert len(read_bouts(first.wearable_dir)) == 1
    with pytest.warns(CacheWarning, match="another configuration"):
        second = simulated_field_session(tiny_scale, 5, cache=tmp_path)
    assert second.wearable_dir == first.wearable_dir
    assert len(read_bouts(second.wearable_dir)) == len(read_bouts(second.raw_dir)) == 2
