"""Field prediction: one row per wearable stance with its curve and measures; every skip listed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ChannelMismatchError, ConfigError, MissingFileError
from grfkit.field import predict as predict_module
from grfkit.field.chain import wearable_stances
from grfkit.field.predict import (
    PREDICTION_META_COLUMNS,
    curve_columns,
    estimate_curves_bw,
    load_estimator,
    predict_stances,
)
from grfkit.model.ensemble import ModelEnsemble
from grfkit.model.ood import TrainingRanges
from grfkit.model.uncertainty import CALIBRATION_LEVELS
from grfkit.model.features import FeatureSet
from grfkit.model.measures import MEASURE_COLUMNS, discrete_measures
from grfkit.model.normalisation import Scaler
from grfkit.preprocess.results import SKIPPED_COLUMNS
from grfkit.preprocess.skip_reasons import (
    REASON_BOUT_SKIPPED,
    REASON_NO_IMU_FOOT,
    REASON_NONFINITE_INPUT,
)

BOUT = Path("overground") / "OG01" / "medium"


@pytest.fixture(scope="module")
def model(tiny_result):
    from grfkit.experiment.final_model import train_model

    return train_model(tiny_result.stances, target="vgrf", preset="ci", seed=0)


@pytest.fixture(scope="module")
def prediction(model, field_raw: Path):
    return predict_stances(model, field_raw)


def test_one_row_per_stance_with_curves_and_measures(model, prediction, field_raw: Path) -> None:
    stances, skipped = wearable_stances(field_raw)
    table = prediction.stances
    measures = list(MEASURE_COLUMNS["vgrf"])
    assert list(table.columns) == [
        *PREDICTION_META_COLUMNS, *curve_columns("n"), *curve_columns("bw"), *measures,
        "speed_change_pct", "unsteady",
    ]
    assert len(table) == len(stances) > 100 and (table["target"] == "vgrf").all()
    np.testing.assert_array_equal(table["ic_s"], stances.meta["ic_s"])
    bw = table[curve_columns("bw")].to_numpy()
    eager = model.predict_bw(model.prepare_inputs(stances))
    np.testing.assert_allclose(bw, eager, rtol=0, atol=1e-5)
    weight_n = table["body_mass_kg"].to_numpy() * GRAVITY_MPS2
    np.testing.assert_allclose(table[curve_columns("n")].to_numpy(), bw * weight_n[:, None])
    expected = discrete_measures(bw, table["contact_time_s"].to_numpy(), "vgrf")
    pd.testing.assert_frame_equal(table[measures].reset_index(drop=True), expected)
    assert np.isfinite(table["peak_bw"]).all() and (table["peak_bw"] > 1.0).all()
    assert list(prediction.skipped.columns) == list(SKIPPED_COLUMNS)
    pd.testing.assert_frame_equal(prediction.skipped, skipped)
    other = prediction.skipped.loc[prediction.skipped["reason"] == REASON_NO_IMU_FOOT]
    assert set(other["foot"]) == {"right"} and len(other) > 0.8 * len(table)


def test_estimation_step_is_batch_invariant(model, field_raw: Path) -> None:
    stances, _ = wearable_stances(field_raw)
    whole = estimate_curves_bw(model, stances)
    batched = estimate_curves_bw(model, stances, batch_size=7)
    np.testing.assert_allclose(batched, whole, rtol=0, atol=1e-6)


def test_apgrf_model_gives_ap_measures(model, field_raw: Path) -> None:
    ap = dataclasses.replace(model, target="apgrf")
    table = predict_stances(ap, field_raw).stances
    assert list(table.columns[-6:-2]) == list(MEASURE_COLUMNS["apgrf"])
    assert (table["target"] == "apgrf").all()


def test_model_of_another_channel_set_is_refused_before_reading(model, tmp_path: Path) -> None:
    rename = {"acc_x_mps2": "acc_x_g", "speed_mps": "stride_rate_hz"}
    channels = tuple(rename.get(c, c) for c in model.features.channels)
    static = tuple(rename.get(c, c) for c in model.features.static)
    other = dataclasses.replace(
        model,
        features=FeatureSet(channels, static, name="other"),
        scaler=Scaler(channels, model.scaler.mean, model.scaler.std),
    )
    with pytest.raises(ChannelMismatchError, match="acc_x_g") as caught:
        predict_stances(other, tmp_path / "no such folder")
    assert "stride_rate_hz" in str(caught.value)


def test_non_finite_inputs_are_skipped_not_filled(model, field_raw: Path, monkeypatch) -> None:
    stances, skipped = wearable_stances(field_raw)
    meta = stances.meta.copy()
    meta.loc[3, "speed_mps"] = np.nan
    inputs = stances.inputs.copy()
    inputs[5, 50, 20] = np.inf  # an IMU channel
    spoilt = dataclasses.replace(stances, meta=meta, inputs=inputs)
    monkeypatch.setattr(predict_module, "wearable_stances", lambda *a, **k: (spoilt, skipped))
    result = predict_stances(model, field_raw)
    assert len(result.stances) == len(stances) - 2
    assert not np.isin(result.stances["ic_s"], meta["ic_s"].iloc[[3, 5]]).any()
    bad = result.skipped.loc[result.skipped["reason"] == REASON_NONFINITE_INPUT]
    assert list(bad["ic_s"]) == list(meta["ic_s"].iloc[[3, 5]])
    assert list(bad["detail"]) == ["speed_mps", stances.input_channels[20]]


def test_bad_bouts_are_listed_or_raised(model, spoilt_field_raw: Path) -> None:
    (spoilt_field_raw / BOUT / "imu.parquet").unlink()
    with pytest.raises(MissingFileError, match="imu"):
        predict_stances(model, spoilt_field_raw, strict=True)
    info = spoilt_field_raw / "overground" / "OG02" / "medium" / "bout.json"
    data = json.loads(info.read_text())
    info.write_text(json.dumps({**data, "insole_rate_hz": 500.0}))
    result = predict_stances(model, spoilt_field_raw)
    bouts = result.skipped.loc[result.skipped["reason"].str.startswith(REASON_BOUT_SKIPPED)]
    assert sorted(bouts["participant"]) == ["OG01", "OG02"]
    assert "MissingFileError" in bouts["reason"].iloc[0] + bouts["reason"].iloc[1]
    assert "SamplingRateError" in bouts["reason"].iloc[0] + bouts["reason"].iloc[1]
    assert set(result.stances["participant"]) == {"TM01"}


def test_an_ensemble_gives_its_mean_a_band_and_flags(model, tiny_result, field_raw: Path,
                                                      tmp_path: Path) -> None:
    from grfkit.experiment.final_model import train_model

    other = train_model(tiny_result.stances, target="vgrf", preset="ci", seed=1)
    ranges = TrainingRanges.from_stances(tiny_result.stances, model.features)
    ensemble = ModelEnsemble(members=(model, other), band_scales=tuple(1.0 + 0.02 * k for k in range(50)),
                             ranges=ranges)
    folder = ensemble.save(tmp_path / "ensemble")
    assert isinstance(load_estimator(folder), ModelEnsemble)
    assert isinstance(load_estimator(model.save(tmp_path / "model")), type(model))
    table = predict_stances(folder, field_raw, nominal=0.8).stances
    stances, _ = wearable_stances(field_raw)
    expected = ensemble.estimate(stances, 0.8)
    np.testing.assert_allclose(table[curve_columns("bw")].to_numpy(), expected.mean_bw, atol=1e-9)
    lower, upper = (table[curve_columns("bw", edge=e)].to_numpy() for e in ("lower", "upper"))
    np.testing.assert_allclose(lower, expected.lower_bw)
    np.testing.assert_allclose(upper, expected.upper_bw)
    weight_n = table["body_mass_kg"].to_numpy()[:, None] * GRAVITY_MPS2
    np.testing.assert_allclose(table[curve_columns("n", edge="upper")].to_numpy(), upper * weight_n)
    assert (lower <= upper).all() and (table["nominal"] == 0.8).all()
    # The ensemble's training ranges flag stances: the tiny cohort's own are inside them.
    assert {"ood", "ood_speed", "ood_reason"} <= set(table.columns)
    assert table["ood_body_mass"].sum() == 0
    assert CALIBRATION_LEVELS[30] == 0.8


def test_curve_columns_refuse_unknown_units() -> None:
    assert curve_columns("bw", 3, edge="lower") == ["force_bw_lower_000", "force_bw_lower_001", "force_bw_lower_002"]
    with pytest.raises(ConfigError, match="unit"):
        curve_columns("kg")
