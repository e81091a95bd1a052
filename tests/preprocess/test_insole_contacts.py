"""Tests of grfkit.preprocess.insole_contacts: each foot's contacts from its summed FSR load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import MissingChannelError
from grfkit.io.channels import fsr_channels
from grfkit.preprocess.insole_contacts import detect_insole_contacts, insole_loads

FS = 1000.0


def test_detect_insole_contacts_per_foot(step_train, force_signal, fsr_load):
    t = np.arange(int(8.0 * FS)) / FS
    onsets, params, _ = step_train(20, seed=8)
    columns = {"time_s": 100.0 + t}
    for foot, own in (("left", slice(0, None, 2)), ("right", slice(1, None, 2))):
        load = fsr_load(force_signal(t, onsets[own], params[own], 0.0, 0), seed=9) / 16
        for name in fsr_channels(foot):
            columns[name] = load
    table = pd.DataFrame(columns)
    c = detect_insole_contacts(table["time_s"], insole_loads(table))
    assert c["foot"].tolist() == ["left", "right"] * 10
    assert np.all(np.diff(c["ic_s"]) > 0.25)
    assert c["ic_s"].iat[0] > 100.0
    with pytest.raises(MissingChannelError, match="right_fsr01_adc"):
        insole_loads(table.drop(columns=["right_fsr01_adc"]))

