"""Tests of the calibration/validation split of the real runners."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.real.calibration import (
    CALIBRATION,
    REAL_DATA_SPLIT,
    VALIDATION,
    describe_part,
    real_data_part,
    select_part,
)
from grfkit.real.chain import force_stance_dataset
from grfkit.real.hamner import HAMNER_SUBJECTS


def test_the_split_is_disjoint_complete_and_by_subject_number() -> None:
    hamner = REAL_DATA_SPLIT["hamner2013"]
    assert set(hamner[CALIBRATION]) | set(hamner[VALIDATION]) == set(HAMNER_SUBJECTS)
    assert not set(hamner[CALIBRATION]) & set(hamner[VALIDATION])
    assert hamner[CALIBRATION] == ("subject01", "subject02", "subject03", "subject04", "subject08")
    assert max(hamner[CALIBRATION]) < min(hamner[VALIDATION])
    assert REAL_DATA_SPLIT["dorn2012"][VALIDATION] == ()  # Dorn's one runner informed the simulator
    assert real_data_part("dorn2012", "JA1") == CALIBRATION


def test_select_part_and_describe_part() -> None:
    people = ["subject01", "subject10", "subject20", "subject04"]
    meta = pd.DataFrame({"dataset": "hamner2013", "participant": people, "bout": "Run_3", "foot": "left",
                         "plate": "belt", "ic_s": 0.0, "to_s": 0.25, "contact_time_s": 0.25, "speed_mps": 3.0,
                         "gradient_deg": 0.0, "body_mass_kg": 70.0})
    stances = force_stance_dataset(meta, np.zeros((4, 101, 3)))
    assert select_part(stances, VALIDATION).participants == ["subject10", "subject20"]
    assert select_part(stances, CALIBRATION).participants == ["subject01", "subject04"]
    assert describe_part(VALIDATION).startswith("held-out validation runners: hamner2013 subject10")
    assert "dorn2012 JA1" in describe_part(CALIBRATION)
    with pytest.raises(ConfigError):
        select_part(stances, "test")
    with pytest.raises(ConfigError, match="subject99"):
        real_data_part("hamner2013", "subject99")
    with pytest.raises(ConfigError):
        real_data_part("simulated", "P01")
