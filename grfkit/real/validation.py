"""Validation of the simulator against real running forces at matched speeds.

:func:`validate_simulator` compares one part of the real runners
(:mod:`grfkit.real.calibration`; the held-out validation runners by default)
with simulated stances at the same speeds (:mod:`grfkit.real.simulated_stances`):
Hamner's treadmill at each belt speed and, for the calibration part, Dorn's
overground jog.  :func:`validation_table` gives, per :class:`Comparison` and
stance feature (:mod:`grfkit.real.stance_features`), the real and simulated
mean and SD and ``z``, the difference in units of the reference SD (the real
one for several runners, the simulated one for Dorn's single runner);
``inside`` is ``|z| <= 2``.  :func:`format_validation_table` shows it as text,
:func:`runner_spread` compares the spread between and within runners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.real.calibration import PARTS, VALIDATION, describe_part, select_part
from grfkit.real.simulated_stances import (
    SIMULATOR_SPEED_RANGE_MPS,
    simulate_overground_stances,
    simulate_treadmill_stances,
)
from grfkit.real.stance_features import FEATURES, curve_summary, stance_features
from grfkit.simulate.overground import OvergroundConfig
from grfkit.simulate.treadmill import TreadmillConfig

__all__ = [
    "Comparison",
    "ValidationResult",
    "validation_table",
    "validate_simulator",
    "format_validation_table",
    "runner_spread",
]

@dataclass(frozen=True)
class Comparison:
    """One real condition and its simulated counterpart.

    Parameters
    ----------
    label
        Row label, e.g. ``"treadmill 3 m/s"``.
    environment
        ``"treadmill"`` or ``"overground"``.
    speed_mps
        Nominal speed of the condition.
    real
        Real stances of the condition.
    simulated
        Simulated stances at the matched speed, or ``None`` when the speed is
        outside :data:`SIMULATOR_SPEED_RANGE_MPS` (real values only).
    reference
        ``"real"``: the simulated mean must lie within 2 real SD of the real
        mean (several real runners); ``"simulated"``: the real mean must lie
        within 2 simulated SD of the simulated mean (one real runner).
    note
        Free text shown in the table.
    part
        Which real runners ``real`` holds (:data:`grfkit.real.calibration.PARTS`;
        empty when not from the split, e.g. in tests).
    """

    label: str
    environment: str
    speed_mps: float
    real: StanceDataset
    simulated: StanceDataset | None
    reference: str = "real"
    note: str = ""
    part: str = ""

    def __post_init__(self) -> None:
        if self.reference not in ("real", "simulated"):
            raise ConfigError(f"reference must be 'real' or 'simulated', got {self.reference!r}")


def validation_table(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """Real versus simulated stance features, one row per comparison and feature.

    Parameters
    ----------
    comparisons
        The conditions to compare.

    Returns
    -------
    pandas.DataFrame
        Columns ``comparison``, ``part``, ``environment``, ``speed_mps``, ``feature``,
        ``label``, ``unit``, ``real_n``, ``real_mean``, ``real_sd``,
        ``simulated_n``, ``simulated_mean``, ``simulated_sd``, ``difference``
        (simulated minus real), ``reference``, ``z`` (difference over the
        reference SD), ``inside`` (``|z| <= 2``; ``<NA>`` without simulation)
        and ``note``.
    """
    rows = []
    for comparison in comparisons:
        real = stance_features(comparison.real)
        simulated = stance_features(comparison.simulated) if comparison.simulated is not None else None
        for feature, (label, unit) in FEATURES.items():
            row = {
                "comparison": comparison.label,
                "part": comparison.part,
                "environment": comparison.environment,
                "speed_mps": comparison.speed_mps,
                "feature": feature,
                "label": label,
                "unit": unit,
                "real_n": len(real),
                "real_mean": float(real[feature].mean()),
                "real_sd": float(real[feature].std(ddof=1)) if len(real) > 1 else np.nan,
                "simulated_n": 0,
                "simulated_mean": np.nan,
                "simulated_sd": np.nan,
                "difference": np.nan,
                "reference": comparison.reference,
                "z": np.nan,
                "inside": pd.NA,
                "note": comparison.note,
            }
            if simulated is not None and len(simulated):
                row["simulated_n"] = len(simulated)
                row["simulated_mean"] = float(simulated[feature].mean())
                row["simulated_sd"] = float(simulated[feature].std(ddof=1)) if len(simulated) > 1 else np.nan
                row["difference"] = row["simulated_mean"] - row["real_mean"]
                spread = row["real_sd"] if comparison.reference == "real" else row["simulated_sd"]
                row["z"] = row["difference"] / spread if spread and np.isfinite(spread) else np.nan
                row["inside"] = bool(abs(row["z"]) <= 2.0) if np.isfinite(row["z"]) else pd.NA
            rows.append(row)
    table = pd.DataFrame(rows)
    table["inside"] = table["inside"].astype("boolean")
    return table


@dataclass(frozen=True)
class ValidationResult:
    """What :func:`validate_simulator` returns.

    Parameters
    ----------
    table
        :func:`validation_table` output.
    curves
        :func:`curve_summary` of every comparison, real and simulated, with a
        ``part`` column.
    comparisons
        The compared stance sets.
    part
        Which real runners were compared (:data:`grfkit.real.calibration.PARTS`).
    runners
        That part's runners in words (:func:`grfkit.real.calibration.describe_part`).
    """

    table: pd.DataFrame
    curves: pd.DataFrame
    comparisons: tuple[Comparison, ...]
    part: str
    runners: str


def validate_simulator(
    hamner: StanceDataset,
    dorn: StanceDataset | None,
    *,
    n_participants: int = 4,
    treadmill_duration_s: float = 12.0,
    overground_duration_s: float = 60.0,
    seed: int = 0,
    treadmill: TreadmillConfig = TreadmillConfig(),
    overground: OvergroundConfig = OvergroundConfig(),
    part: str = VALIDATION,
) -> ValidationResult:
    """Compare the simulator with one part of Hamner (treadmill) and Dorn (overground) at matched speeds.

    Parameters
    ----------
    hamner
        Hamner force stances (:func:`grfkit.real.hamner.hamner_stances`);
        only the runners of ``part`` are compared.
    dorn
        Dorn force stances (:func:`grfkit.real.dorn.dorn_stances`), or
        ``None`` to compare the treadmill only; its runner belongs to the
        calibration part.
    n_participants
        Simulated runners per environment.
    treadmill_duration_s, overground_duration_s
        Length of each simulated bout.
    seed
        Cohort seed.
    treadmill, overground
        Simulator parameters.
    part
        :data:`grfkit.real.calibration.VALIDATION` (default: the held-out
        runners) or :data:`~grfkit.real.calibration.CALIBRATION`.

    Returns
    -------
    ValidationResult
        Table, curves and the compared stance sets of that part: treadmill at
        each Hamner speed; for the calibration part also the Dorn jog against
        overground at 3.5 m/s and the Dorn sprint with real values only
        (9 m/s is outside :data:`SIMULATOR_SPEED_RANGE_MPS`).

    Raises
    ------
    ConfigError
        For an unknown part, or if the part holds no Hamner stance.
    """
    if part not in PARTS:
        raise ConfigError(f"unknown part {part!r}; choose from {PARTS}")
    hamner = select_part(hamner, part)
    dorn = select_part(dorn, part) if dorn is not None else None
    if len(hamner) == 0:
        raise ConfigError(f"no Hamner stance of the {describe_part(part)}")
    speeds = sorted(float(s) for s in hamner.meta["speed_mps"].unique())
    simulated_treadmill = simulate_treadmill_stances(
        speeds, n_participants=n_participants, duration_s=treadmill_duration_s, seed=seed, config=treadmill
    )
    low, high = SIMULATOR_SPEED_RANGE_MPS
    comparisons = []
    for speed in speeds:
        note = "" if low <= speed <= high else f"below the simulator's {low:g}-{high:g} m/s design range"
        comparisons.append(
            Comparison(
                label=f"treadmill {speed:g} m/s",
                environment="treadmill",
                speed_mps=speed,
                real=hamner.subset((hamner.meta["speed_mps"] == speed).to_numpy()),
                simulated=simulated_treadmill.subset((simulated_treadmill.meta["speed_mps"] == speed).to_numpy()),
                reference="real",
                note=note,
                part=part,
            )
        )
    for bout in dorn.meta["bout"].unique() if dorn is not None else ():
        real = dorn.subset((dorn.meta["bout"] == bout).to_numpy())
        speed_column = "nominal_speed_mps" if "nominal_speed_mps" in real.meta.columns else "speed_mps"
        nominal = float(real.meta[speed_column].iloc[0])
        measured = float(real.meta["speed_mps"].mean())
        inside = low <= nominal <= high
        simulated = (
            simulate_overground_stances(
                nominal, n_participants=n_participants, duration_s=overground_duration_s, seed=seed, config=overground
            )
            if inside
            else None
        )
        note = f"one runner, measured {measured:.2f} m/s" + (
            "" if inside else f"; outside the simulator's {low:g}-{high:g} m/s range: not simulated"
        )
        comparisons.append(
            Comparison(
                label=f"overground {bout} {nominal:g} m/s",
                environment="overground",
                speed_mps=nominal,
                real=real,
                simulated=simulated,
                reference="simulated",
                note=note,
                part=part,
            )
        )
    curves = []
    for comparison in comparisons:
        curves.append(curve_summary(comparison.real, comparison.label, "real"))
        if comparison.simulated is not None:
            curves.append(curve_summary(comparison.simulated, comparison.label, "simulated"))
    return ValidationResult(
        table=validation_table(comparisons),
        curves=pd.concat(curves, ignore_index=True).assign(part=part),
        comparisons=tuple(comparisons),
        part=part,
        runners=describe_part(part),
    )


def format_validation_table(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """The validation table as the book shows it: ``mean ± SD`` text per source.

    Parameters
    ----------
    table
        :func:`validation_table` output.
    digits
        Decimals shown.

    Returns
    -------
    pandas.DataFrame
        Index (comparison, feature label with unit); columns ``real``,
        ``simulated`` (``"mean ± SD (n)"``), ``z`` and ``inside``.
    """

    def text(mean: float, sd: float, n: int) -> str:
        return "—" if not n else f"{mean:.{digits}f} ± {sd:.{digits}f} (n={n})"

    out = pd.DataFrame(
        {
            "comparison": table["comparison"],
            "feature": table["label"] + " (" + table["unit"] + ")",
            "real": [
                text(m, s, n) for m, s, n in zip(table["real_mean"], table["real_sd"], table["real_n"], strict=True)
            ],
            "simulated": [
                text(m, s, n)
                for m, s, n in zip(table["simulated_mean"], table["simulated_sd"], table["simulated_n"], strict=True)
            ],
            "z": table["z"].round(2),
            "inside": table["inside"],
        }
    )
    return out.set_index(["comparison", "feature"])


def runner_spread(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """Spread of each stance feature between runners and within one runner, real beside simulated.

    Parameters
    ----------
    comparisons
        Conditions with real and simulated stances (those without simulated
        stances are left out), e.g. ``validate_simulator(...).comparisons``.

    Returns
    -------
    pandas.DataFrame
        One row per comparison and feature of :data:`FEATURES`: ``comparison``,
        ``feature``, and for ``real`` and ``simulated`` the number of runners
        (``n_runners_*``), ``between_sd_*`` (SD of the runners' mean values)
        and ``within_sd_*`` (mean of the runners' own SDs over their stances),
        then the ratios ``between_ratio`` and ``within_ratio`` (simulated over
        real).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from grfkit.real.chain import force_stance_dataset
    >>> s = np.linspace(0, 1, 101)
    >>> def stances(peaks):
    ...     curves = np.stack([np.stack([700 * b * np.sin(np.pi * s), -70 * np.sin(2 * np.pi * s), 0 * s], -1)
    ...                        for _, b in peaks])
    ...     meta = pd.DataFrame({"dataset": "x", "participant": [p for p, _ in peaks], "bout": "b",
    ...                          "foot": "left", "plate": "belt", "ic_s": 0.0, "to_s": 0.25,
    ...                          "contact_time_s": 0.25, "speed_mps": 3.0, "gradient_deg": 0.0,
    ...                          "body_mass_kg": 700 / 9.81})
    ...     return force_stance_dataset(meta, curves)
    >>> real = stances([("a", 2.0), ("a", 2.2), ("b", 2.6), ("b", 2.8)])
    >>> table = runner_spread([Comparison("3 m/s", "treadmill", 3.0, real, real)])
    >>> row = table.set_index("feature").loc["peak_vgrf_bw"]
    >>> float(row["between_ratio"]), float(row["within_ratio"])
    (1.0, 1.0)
    """
    rows = []
    for comparison in comparisons:
        if comparison.simulated is None:
            continue
        parts = {}
        for source, data in (("real", comparison.real), ("simulated", comparison.simulated)):
            features = stance_features(data).assign(runner=data.meta["participant"].astype(str).to_numpy())
            parts[source] = features.groupby("runner")
        for feature in FEATURES:
            row = {"comparison": comparison.label, "feature": feature}
            for source, grouped in parts.items():
                row[f"n_runners_{source}"] = int(grouped.ngroups)
                row[f"between_sd_{source}"] = float(grouped[feature].mean().std())
                row[f"within_sd_{source}"] = float(grouped[feature].std().mean())
            rows.append(row)
    columns = ["comparison", "feature"] + [f"{k}_{source}" for source in ("real", "simulated")
                                           for k in ("n_runners", "between_sd", "within_sd")]
    table = pd.DataFrame(rows, columns=columns)
    table["between_ratio"] = table["between_sd_simulated"] / table["between_sd_real"]
    table["within_ratio"] = table["within_sd_simulated"] / table["within_sd_real"]
    return table
