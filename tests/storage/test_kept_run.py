"""Kept runs: what a chapter keeps is what it recalls, with provenance, and nothing else is replaced."""

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from grfkit.errors import ConfigError, MissingFileError
from grfkit.storage.kept_run import open_kept_run


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {"target": ["vgrf", "apgrf"], "kind": ["a", "b"], "rrmse_pct": [7.25, np.nan], "inside": [True, False]}
    ).set_index(["target", "kind"])


def test_kept_objects_come_back_as_kept(tmp_path):
    kept = open_kept_run("chapter", keep=True, command="papermill x", parameters={"scale": "book"}, root=tmp_path)
    table = kept.keep("table", _table())
    kept.keep("figure", go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="curve")))
    kept.keep("facts", {"n": "12", "rrmse": "7.3 %"})
    assert table.equals(_table())  # keep returns its value
    assert not (tmp_path / "chapter").exists()  # nothing in place before finish
    kept.finish()

    read = open_kept_run("chapter", root=tmp_path)
    pd.testing.assert_frame_equal(read.recall("table"), _table())
    assert list(read.recall("figure").data[0].y) == [3, 4]
    assert read.recall("facts") == {"n": "12", "rrmse": "7.3 %"}
    prov = read.provenance
    assert prov["command"] == "papermill x" and prov["parameters"] == {"scale": "book"}
    assert set(prov["git"]) == {"commit", "dirty"}
    assert "papermill x" in read.describe()


def test_reading_mode_passes_values_through_and_recall_names_what_is_missing(tmp_path):
    read = open_kept_run("none", root=tmp_path)
    value = _table()
    assert read.keep("table", value) is value
    with pytest.raises(MissingFileError, match="no kept run"):
        read.recall("table")
    kept = open_kept_run("some", keep=True, root=tmp_path)
    kept.keep("a", {"x": "1"})
    kept.finish()
    with pytest.raises(MissingFileError, match="'b'"):
        open_kept_run("some", root=tmp_path).recall("b")


def test_a_folder_that_is_not_a_kept_run_is_never_replaced(tmp_path):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter.tex").write_text("mine")
    with pytest.raises(ConfigError, match="not a kept run"):
        open_kept_run("thesis", keep=True, root=tmp_path)
    assert (folder / "chapter.tex").read_text() == "mine"


def test_an_unfinished_run_leaves_the_earlier_kept_run_whole(tmp_path):
    first = open_kept_run("run", keep=True, root=tmp_path)
    first.keep("facts", {"n": "1"})
    first.finish()
    second = open_kept_run("run", keep=True, root=tmp_path)
    second.keep("facts", {"n": "2"})  # never finished, e.g. a failing cell
    assert open_kept_run("run", root=tmp_path).recall("facts") == {"n": "1"}


def test_bad_names_types_and_repeats_are_refused(tmp_path):
    kept = open_kept_run("run", keep=True, root=tmp_path)
    with pytest.raises(ConfigError, match="letters"):
        kept.keep("../escape", {"a": "b"})
    with pytest.raises(ConfigError, match="type"):
        kept.keep("number", 3.0)
    with pytest.raises(ConfigError, match="multi-level"):
        kept.keep("wide", _table().unstack())
    kept.keep("once", {"a": "b"})
    with pytest.raises(ConfigError, match="twice"):
        kept.keep("once", {"a": "c"})
    manifest = tmp_path / "run" / "manifest.json"
    kept.finish()
    assert json.loads(manifest.read_text())["entries"].keys() == {"once"}


def test_a_section_is_computed_with_its_data_and_recalled_without(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"section_table": _table(), "section_facts": {"n": "3"}}

    kept = open_kept_run("run", keep=True, root=tmp_path)
    values = kept.section("chain", compute, live=True)
    assert values["section_facts"] == {"n": "3"} and len(calls) == 1
    with pytest.raises(ConfigError, match="no data here"):
        kept.section("other", compute, live=False)
    kept.finish()

    read = open_kept_run("run", root=tmp_path)
    assert read.sections == {"chain": ["section_table", "section_facts"]}
    recalled = read.section("chain", compute, live=False)
    assert len(calls) == 1  # recalled, not computed
    pd.testing.assert_frame_equal(recalled["section_table"], _table())
    assert recalled["section_facts"] == {"n": "3"}
    assert read.section("chain", compute, live=True)["section_facts"] == {"n": "3"} and len(calls) == 2
    with pytest.raises(MissingFileError, match="no section 'absent'"):
        read.section("absent", compute, live=False)


def test_a_missing_kept_run_names_the_folder_it_looked_in(tmp_path):
    with pytest.raises(MissingFileError, match="working directory"):
        open_kept_run("nowhere", root=tmp_path).section("chain", dict, live=False)
