"""Tests of grfkit.preprocess.plate_contacts: clean plate contacts and the foot outline rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import (
    ConfigError,
    DropoutError,
    LengthMismatchError,
    MissingChannelError,
    NoContactError,
)
from grfkit.io.channels import plate_channels
from grfkit.io.schema import Plate
from grfkit.preprocess.plate_contacts import (
    INSOLE_WIDTH_TO_LENGTH,
    PLATE_CONTACT_COLUMNS,
    classify_plate_contacts,
    foot_outline,
    outline_margin_m,
)
from grfkit.preprocess.skip_reasons import REASON_FOOT_EDGE


def whole(progress):
    return np.ones_like(progress)


# --------------------------------------------------------------------------- clean plate contacts


def test_classify_plate_contacts_rules(runway, plates):
    run = runway(6.0, seed=10)
    run.add(0.40, {"plate2": whole}, heel_x_m=0.8, y_m=0.0)  # 0 clean, left
    run.add(1.10, {"plate2": lambda p: 1 - p, "plate3": lambda p: p}, heel_x_m=1.1, y_m=0.0)  # 1 straddle
    run.add(1.80, {"plate1": whole}, heel_x_m=0.2, y_m=0.19)  # 2 COP 1 cm from the y edge
    run.add(2.50, {"plate4": lambda p: np.clip((p - 0.3) / 0.2, 0, 1)}, heel_x_m=1.8, y_m=0.0)  # 3 heel off the plate
    run.add(3.20, {"plate3": whole}, heel_x_m=1.4, y_m=-0.05, foot="right")  # 4 clean, right
    run.add(3.90, {"plate1": whole}, heel_x_m=0.1, y_m=0.05)  # 5 clean
    run.add(4.60, {"plate4": whole}, heel_x_m=2.0, y_m=0.0)  # 6 clean
    run.add(5.20, {"plate3": lambda p: np.full_like(p, 0.8)}, heel_x_m=1.4, y_m=0.0)  # 7 a fifth of the foot off
    run.add(5.85, {"plate2": whole}, heel_x_m=0.8, y_m=0.0)  # 8 cut at the end
    table = run.table()
    off_plate = [("right", 0.75 + 0.7 * k, 0.75 + 0.7 * k + 0.24) for k in range(6)]
    ref = run.insole(extra=off_plate)
    out = classify_plate_contacts(table, plates, reference_contacts=ref)
    assert list(out.columns) == list(PLATE_CONTACT_COLUMNS)
    by_start = out.sort_values("ic_index").reset_index(drop=True)
    assert len(by_start) == 10  # the straddle appears once per plate
    reasons = by_start["reason"].tolist()
    assert reasons[0] == ""
    # (each plate's COP lies near the gap as well, so "edge" may follow)
    assert reasons[1].startswith("straddle: plate2+plate3") and reasons[2].startswith("straddle: plate2+plate3")
    assert reasons[3] == "edge"
    assert reasons[4] == "duration mismatch with insole contact; load deficit against insole contact"
    assert reasons[5] == reasons[6] == reasons[7] == ""
    assert reasons[8] == "load deficit against insole contact"
    assert reasons[9] == "cut at recording start/end"
    assert by_start["load_ratio"].iat[8] == pytest.approx(0.8, abs=0.05)
    assert by_start["load_ratio"].iloc[[0, 5, 6, 7]].between(0.95, 1.05).all()
    assert by_start["clean"].tolist() == [r == "" for r in reasons]
    assert by_start.loc[[0, 5, 6, 7], "foot"].tolist() == ["left", "right", "left", "left"]
    assert by_start["edge_distance_m"].iat[3] == pytest.approx(0.01, abs=0.005)
    clean = by_start[by_start["clean"]]
    truth = np.array([(ic, to) for _, ic, to in run.truth])[[0, 4, 5, 6]] + 50.0
    assert np.max(np.abs(clean[["ic_s", "to_s"]].to_numpy() - truth)) < 0.001


def test_without_reference_the_insole_rule_is_skipped(runway, plates):
    run = runway(3.0, seed=11)
    run.add(0.5, {"plate1": lambda p: np.clip((p - 0.3) / 0.2, 0, 1)}, heel_x_m=0.2, y_m=0.0)
    out = classify_plate_contacts(run.table(), plates)
    assert out["clean"].tolist() == [True] and out["foot"].tolist() == [""]
    out = classify_plate_contacts(run.table(), plates, reference_contacts=pd.DataFrame(
        {"foot": ["left"], "ic_s": [45.0], "to_s": [45.3]}))
    assert out["reason"].tolist() == ["no matching insole contact"]


def test_classify_errors(runway, plates):
    run = runway(2.0, seed=12)
    table = run.table()
    with pytest.raises(NoContactError, match="plate1_fz_n"):
        classify_plate_contacts(table, plates)
    with pytest.raises(MissingChannelError, match="plate4_cop_y_m"):
        classify_plate_contacts(table.drop(columns=["plate4_cop_y_m"]), plates)
    run.add(0.5, {"plate1": whole}, heel_x_m=0.2, y_m=0.0)
    table = run.table()
    table.loc[5, "plate3_fz_n"] = np.nan
    with pytest.raises(DropoutError, match="plate3_fz_n"):
        classify_plate_contacts(table, plates)


def test_clean_contacts_accepted_with_sub_ms_timing(runway, plates):
    """Target: >= 99 % of truly clean contacts accepted, median IC/TO error <= 1 ms."""
    rng = np.random.default_rng(13)
    run = runway(100.0, seed=14)
    start, clean_truth = 0.3, []
    while start < 99.0:
        plate = plates[int(rng.integers(4))]
        heel = rng.uniform(plate.x_min_m + 0.01, plate.x_max_m - 0.27)
        duration = rng.uniform(0.2, 0.3)
        run.add(start, {plate.name: whole}, heel_x_m=heel, y_m=rng.uniform(-0.1, 0.1), duration_s=duration,
                peak_n=rng.uniform(1500, 2500), impact_n=rng.uniform(0, 900),
                foot="left" if len(run.truth) % 2 == 0 else "right")
        clean_truth.append(run.truth[-1][1:])
        start += duration + rng.uniform(0.08, 0.6)
    out = classify_plate_contacts(run.table(noise_n=4.0), plates, reference_contacts=run.insole(jitter_s=0.001))
    truth = np.array(clean_truth) + 50.0
    assert len(out) == len(truth)
    assert out["clean"].mean() >= 0.99
    err_ms = 1e3 * np.abs(out[["ic_s", "to_s"]].to_numpy() - truth)
    assert np.median(err_ms) <= 1.0
    assert (out["foot"] == np.where(np.arange(len(out)) % 2 == 0, "left", "right")).all()


def test_straddle_counts_any_sample_of_another_plate_above_threshold():
    plates = [Plate("plate1", 0.0, 0.6, -0.2, 0.2), Plate("plate2", 0.605, 1.205, -0.2, 0.2)]
    t = np.arange(3000) / 1000.0
    table = {"time_s": t}
    for plate in plates:
        for channel in plate_channels(plate.name):
            table[channel] = np.zeros_like(t)
        table[f"{plate.name}_cop_x_m"][:] = 0.5 * (plate.x_min_m + plate.x_max_m)
    table["plate1_fz_n"][500:750] = 1500.0
    table["plate2_fz_n"][749] = 25.0  # one sample above 20 N in the last sample of the plate1 contact
    table["plate2_fz_n"][2000:2250] = 1500.0
    out = classify_plate_contacts(pd.DataFrame(table), plates)
    assert list(out["plate"]) == ["plate1", "plate2"]
    assert out["reason"].iloc[0] == "straddle: plate1+plate2"
    assert out["reason"].iloc[1] == ""


# --------------------------------------------------------------------------- foot outline


def test_foot_outline_from_the_cop_path_and_the_insole_size(plates):
    length, width = 0.26, 0.10
    # a rear-foot path: the heel margin behind the rearmost COP reaches further back than one length behind the toes
    x = np.r_[np.linspace(0.30, 0.50, 51), np.nan]
    y = np.r_[np.linspace(0.02, -0.02, 51), np.nan]  # lateral heel to medial toes, centred on y = 0
    x0, x1, y0, y1 = foot_outline(x, y, length, width)
    assert x1 == pytest.approx(0.50 + 0.10 * length)
    assert x0 == pytest.approx(0.30 - 0.15 * length)
    assert (y0, y1) == pytest.approx((-0.05, 0.05), abs=1e-12)
    # a short (fore-foot) path: the whole insole lies behind the toe end
    x0, x1, _, _ = foot_outline(np.array([0.45, 0.43, 0.50]), np.zeros(3), length, width)
    assert x1 - x0 == pytest.approx(length)
    # without a width, a typical foot's proportion
    _, _, y0, y1 = foot_outline(x, y, length)
    assert y1 - y0 == pytest.approx(INSOLE_WIDTH_TO_LENGTH * length)
    assert np.isnan(foot_outline(np.full(3, np.nan), np.full(3, np.nan), length)).all()
    plate = plates[0]  # x 0 .. 0.6, y -0.2 .. 0.2
    assert outline_margin_m((0.05, 0.31, -0.05, 0.05), plate) == pytest.approx(0.05)
    assert outline_margin_m((-0.01, 0.25, -0.05, 0.05), plate) == pytest.approx(-0.01)
    assert outline_margin_m((0.10, 0.36, 0.12, 0.22), plate) == pytest.approx(-0.02)


def test_foot_outline_errors(runway, plates):
    with pytest.raises(ConfigError, match="insole_length_m"):
        foot_outline(np.zeros(3), np.zeros(3), 0.0)
    with pytest.raises(ConfigError, match="insole_width_m"):
        foot_outline(np.zeros(3), np.zeros(3), 0.26, float("nan"))
    with pytest.raises(LengthMismatchError):
        foot_outline(np.zeros(3), np.zeros(2), 0.26)
    run = runway(2.0, seed=21)
    run.add(0.5, {"plate1": whole}, heel_x_m=0.2, y_m=0.0)
    with pytest.raises(ConfigError, match="insole_length_m"):
        classify_plate_contacts(run.table(), plates, insole_length_m=-0.26)


def test_foot_outline_rule_rejects_feet_over_the_edge_that_the_cop_rule_passes(runway, plates):
    """Heel over the plate's start, or the foot's side over the y edge, while the COP stays > 2 cm inside."""
    run = runway(4.0, seed=20)
    # runway's COP runs from heel + 0.04 to heel + 0.20 m: a 0.26 m insole reaches 0.226 m ahead of the heel
    run.add(0.40, {"plate1": whole}, heel_x_m=0.10, y_m=0.0)  # 0 clean: outline from 0.066 to 0.326 m
    run.add(1.10, {"plate2": whole}, heel_x_m=0.605 - 0.015, y_m=0.0)  # 1 COP from 2.5 cm into plate2
    run.add(1.80, {"plate3": whole}, heel_x_m=1.40, y_m=0.17)  # 2 COP 3 cm from the y edge, foot 5 cm wide
    run.add(2.50, {"plate4": whole}, heel_x_m=2.0, y_m=-0.05)  # 3 clean
    table = run.table()
    without = classify_plate_contacts(table, plates)
    assert without["reason"].tolist() == [""] * 4
    assert without["outline_margin_m"].isna().all()
    out = classify_plate_contacts(table, plates, insole_length_m=0.26, insole_width_m=0.10)
    assert out["reason"].tolist() == ["", REASON_FOOT_EDGE, REASON_FOOT_EDGE, ""]
    assert out["clean"].tolist() == [True, False, False, True]
    # the outline's ends as placed: 0.04 + 0.16 m of COP path, 0.026 m toe margin, one length behind the toes
    np.testing.assert_allclose(out["outline_margin_m"], [0.066, -0.049, -0.02, min(2.0 - 0.034 - 1.815, 0.095)],
                               atol=0.006)
    assert (out["edge_distance_m"] > 0.02).all()  # the COP rule's margin: it passes all four

