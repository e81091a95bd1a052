"""Provenance: the commit and machine a kept result records."""

import re

from grfkit.storage.provenance import git_state, machine


def test_git_state_names_a_commit_inside_a_checkout_and_nothing_outside(tmp_path):
    outside = git_state(tmp_path)
    assert outside == {"commit": None, "dirty": None}
    inside = git_state()
    if inside["commit"] is not None:  # an installed copy outside a checkout has none
        assert re.fullmatch(r"[0-9a-f]{40}", inside["commit"])
        assert isinstance(inside["dirty"], bool)


def test_machine_records_versions_without_importing_them_and_keeps_extras():
    record = machine(workers=2)
    assert record["workers"] == 2
    assert record["cpu_count"] >= 1
    assert record["grfkit"] and record["numpy"]
