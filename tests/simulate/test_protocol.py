"""Tests of grfkit.simulate.protocol: the protocol table of chapter 1."""

import pandas as pd

from grfkit.simulate.participants import OVERGROUND_COHORT, TREADMILL_COHORT
from grfkit.simulate.protocol import protocol_table


def test_protocol_table_reads_the_cohorts_and_this_runs_tables() -> None:
    participants = pd.DataFrame({"dataset": ["overground"] * 3 + ["treadmill"] * 2})
    bouts = pd.DataFrame({
        "dataset": ["overground"] * 4,
        "participant": ["OG01", "OG01", "OG02", "OG03"],
        "condition": ["slow", "fast", "slow", "slow"],
        "duration_s": [60.0, 60.0, 90.0, 60.0],
    })
    table = protocol_table(participants, bouts)
    assert list(table.columns) == ["overground", "treadmill"]
    og, tm = table["overground"], table["treadmill"]
    assert og["participants in the study"] == (
        f"{OVERGROUND_COHORT.n_participants} ({OVERGROUND_COHORT.n_female} female)")
    assert (og["participants in this run"], tm["participants in this run"]) == (3, 2)
    assert og["bouts per participant in this run"] == "2 of 60 s (fast, slow)"
    assert tm["bouts per participant in this run"] == "none in this run"
    assert og["speeds"].startswith("self-selected; simulated as ")
    assert "× preferred" in og["speeds"] and "km/h" in tm["speeds"]
    assert not tm["speeds"].startswith("self-selected")
    for spec, column in ((OVERGROUND_COHORT, og), (TREADMILL_COHORT, tm)):
        assert column["gradient"].count("%") == len(spec.gradients_deg)
    assert list(table.index[-3:]) == ["running", "force", "speed measured by"]
