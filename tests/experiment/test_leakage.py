"""Tests of grfkit.experiment.leakage: the leakage guard's checks and its table."""

import numpy as np
import pytest

from grfkit.experiment.leakage import leakage_check, leakage_guard
from grfkit.experiment.strategies import pretrain

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_guard_table_has_one_identical_row_per_strategy(domains, tiny_preset) -> None:
    overground, treadmill = domains
    pre = pretrain(treadmill, target="vgrf", preset=tiny_preset, seed=3)
    guard = leakage_guard(("overground", "transfer", "baseline_mean"), overground, "OG02",
                          target="vgrf", treadmill=treadmill, pretrained=pre, preset=tiny_preset,
                          seed=3)
    assert guard.index.name == "held out: OG02"
    assert list(guard.index) == ["overground", "transfer", "baseline_mean"]
    assert list(guard.columns) == ["identical fit", "passes (real/absurd)", "rRMSE real (%)",
                                   "rRMSE absurd (%)"]
    assert guard["identical fit"].all()
    assert guard.loc["overground", "passes (real/absurd)"] == ""
    real, absurd = guard.loc["transfer", "passes (real/absurd)"].split(" / ")
    assert real == absurd
    assert (guard["rRMSE real (%)"] != guard["rRMSE absurd (%)"]).all()


def test_an_exaggerated_training_participant_changes_the_fit(domains, tiny_preset) -> None:
    overground, _ = domains
    kw = dict(target="apgrf", preset=tiny_preset, seed=1)
    held = leakage_check("overground", overground, "OG03", **kw)
    trained_on = leakage_check("overground", overground, "OG03", exaggerated="OG01", **kw)
    assert held.identical_fit and not trained_on.identical_fit
    np.testing.assert_array_equal(trained_on.extreme.measured_n, held.normal.measured_n)
    np.testing.assert_allclose(held.extreme.measured_n, held.normal.measured_n * 1000.0, rtol=1e-6)
