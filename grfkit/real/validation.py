"""Validation of the simulator against real running forces at matched speeds.

The simulator (:mod:`grfkit.simulate`) is compared with the real recordings
stance by stance, after both went through the same chain
(:mod:`grfkit.real.chain`: 20 N events on the unfiltered vertical force,
20 Hz zero-lag low-pass, 101-point normalisation):

* treadmill: Hamner & Delp (2013), 10 runners at 2, 3, 4 and 5 m/s, against
  simulated treadmill bouts of the same belt speeds on the level
  (:func:`simulate_treadmill_stances`);
* overground: Dorn et al. (2012), one runner's 3.5 m/s jog, against simulated
  overground bouts whose straight-line speed is 3.5 m/s
  (:func:`simulate_overground_stances`; clean plate contacts only).  The
  9 m/s sprint lies outside the speeds the simulator's gait relations are
  written for (:data:`SIMULATOR_SPEED_RANGE_MPS`): it is listed with its real
  values only, not extrapolated.

Per stance (:func:`stance_features`): peak vertical force, peak braking and
peak propulsive force (body weights, magnitudes), contact time, braking and
propulsive impulse (body-weight seconds: the time integral of the negative
and positive parts of the anteroposterior force).  Per comparison
(:func:`validation_table`): mean and standard deviation of each feature, real
and simulated, and whether the simulator lies inside the reference spread,
``|simulated mean - real mean| <= 2 SD``.  The reference SD is the real one
where the real data hold several runners (Hamner: stances of 10 runners), and
the simulated cohort's where they hold one (Dorn): a single runner's
stance-to-stance SD is not a population spread, so there the question is
whether the real runner is a plausible member of the simulated population.

Held-out validation: the real runners are split into a calibration and a
validation part (:mod:`grfkit.real.calibration`: Hamner subjects 01, 02, 03,
04, 08 and Dorn's runner calibrate; Hamner subjects 10, 11, 17, 19, 20
validate).  :func:`validate_simulator` compares the simulator with the
validation runners unless asked for the calibration part, and every row and
curve it returns names its part.  Dorn's one runner informed an earlier
braking relation of the simulator, so no overground runner is held out: the overground
comparison appears only in the calibration part.

No-wearable baselines on real stances: :func:`static_baseline_loso` scores
:mod:`grfkit.model.baselines` (the training mean curve, and the mean curve of the
stances nearest in contact time, speed, body mass and gradient) leaving one
participant out at a time, on any stance set.

:func:`baseline_sim_vs_real` sets them side by side on the real Hamner
stances and the simulated treadmill cohort (all of it, and the stances
matched to Hamner's conditions, :func:`matched_to_hamner`): if the simulator
carried as much stance-to-stance variation that no static quantity explains
as real runners do, the static baseline's error is about the same on both
(the issue's criterion: within :data:`BASELINE_TOLERANCE_PCT` percent,
relative).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grfkit.constants import CONTACT_THRESHOLD_N, GRAVITY_MPS2, N_POINTS
from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BASELINES, fit_baseline, predict_baseline
from grfkit.model.metrics import evaluate, participant_metrics
from grfkit.preprocess.events import classify_plate_contacts, detect_contacts
from grfkit.real.calibration import PARTS, VALIDATION, describe_part, select_part
from grfkit.real.chain import GRF_CHANNELS, force_stance_curves, force_stance_dataset
from grfkit.simulate import (
    OVERGROUND_COHORT,
    TREADMILL_COHORT,
    sample_participant,
    simulate_bout,
)
from grfkit.simulate.overground import OvergroundConfig
from grfkit.simulate.participants import Participant
from grfkit.simulate.treadmill import TreadmillConfig

__all__ = [
    "SIMULATOR_SPEED_RANGE_MPS",
    "FEATURES",
    "Comparison",
    "ValidationResult",
    "stance_features",
    "simulate_treadmill_stances",
    "simulate_overground_stances",
    "validation_table",
    "curve_summary",
    "validate_simulator",
    "format_validation_table",
    "static_baseline_loso",
    "HAMNER_SPEED_RANGE_MPS",
    "LEVEL_TOLERANCE_DEG",
    "BASELINE_TOLERANCE_PCT",
    "matched_to_hamner",
    "baseline_sim_vs_real",
    "runner_spread",
]

#: Running speeds the simulator's gait relations are written for
#: (:class:`grfkit.simulate.grf_model.GaitRelations`), m/s.
SIMULATOR_SPEED_RANGE_MPS: tuple[float, float] = (2.5, 6.0)

#: Stance features compared: column -> (label, unit).
FEATURES: dict[str, tuple[str, str]] = {
    "peak_vgrf_bw": ("peak vertical force", "BW"),
    "peak_braking_bw": ("peak braking force", "BW"),
    "peak_propulsive_bw": ("peak propulsive force", "BW"),
    "contact_time_s": ("contact time", "s"),
    "braking_impulse_bws": ("braking impulse", "BW·s"),
    "propulsive_impulse_bws": ("propulsive impulse", "BW·s"),
}

_MATCH_TOLERANCE_S = 0.03

#: Belt speeds of Hamner & Delp (2013), m/s: simulated stances compared with them lie inside.
HAMNER_SPEED_RANGE_MPS: tuple[float, float] = (2.0, 5.0)
#: Largest absolute gradient of a simulated stance matched to Hamner's level treadmill, degrees.
LEVEL_TOLERANCE_DEG: float = 1.0
#: Largest relative difference (percent) of the simulated static baseline's rRMSE from the real one
#: that the simulator passes with (the issue's acceptance criterion).
BASELINE_TOLERANCE_PCT: float = 25.0


def stance_features(dataset: StanceDataset) -> pd.DataFrame:
    """Peak forces, contact time and impulses of every stance.

    Parameters
    ----------
    dataset
        Stances with targets ``vgrf_n`` and ``apgrf_n`` and metadata
        ``body_mass_kg`` and ``contact_time_s``.

    Returns
    -------
    pandas.DataFrame
        The metadata columns ``dataset``, ``participant``, ``bout``, ``foot``,
        ``speed_mps`` and the :data:`FEATURES` columns; braking values are
        positive magnitudes, impulses use the 101 points spaced
        ``contact_time_s / 100`` apart (trapezoidal rule).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from grfkit.real.chain import force_stance_dataset
    >>> s = np.linspace(0, 1, 101)
    >>> curves = np.stack([700 * 2.5 * np.sin(np.pi * s), -700 * 0.3 * np.sin(2 * np.pi * s), 0 * s], -1)[None]
    >>> meta = pd.DataFrame({"dataset": ["x"], "participant": ["p"], "bout": ["b"], "foot": ["left"],
    ...                      "plate": ["belt"], "ic_s": [0.0], "to_s": [0.25], "contact_time_s": [0.25],
    ...                      "speed_mps": [3.0], "gradient_deg": [0.0], "body_mass_kg": [700 / 9.81]})
    >>> f = stance_features(force_stance_dataset(meta, curves))
    >>> round(float(f["peak_vgrf_bw"].iloc[0]), 2), round(float(f["braking_impulse_bws"].iloc[0]), 4)
    (2.5, 0.0239)
    """
    weight = dataset.meta["body_mass_kg"].to_numpy(dtype=np.float64)[:, None] * GRAVITY_MPS2
    vertical = dataset.target("vgrf_n") / weight
    ap = dataset.target("apgrf_n") / weight
    contact = dataset.meta["contact_time_s"].to_numpy(dtype=np.float64)
    step = contact / (N_POINTS - 1)
    table = dataset.meta[["dataset", "participant", "bout", "foot", "speed_mps"]].reset_index(drop=True).copy()
    table["peak_vgrf_bw"] = vertical.max(axis=1)
    table["peak_braking_bw"] = -ap.min(axis=1)
    table["peak_propulsive_bw"] = ap.max(axis=1)
    table["contact_time_s"] = contact
    table["braking_impulse_bws"] = np.trapezoid(np.maximum(-ap, 0.0), axis=1) * step
    table["propulsive_impulse_bws"] = np.trapezoid(np.maximum(ap, 0.0), axis=1) * step
    return table


def _truth_feet(detected_ic_s: np.ndarray, truth: pd.DataFrame) -> list[str]:
    """Foot of the truth contact whose IC is nearest each detected IC ("" if none within 30 ms)."""
    ic = truth["ic_s"].to_numpy(dtype=np.float64)
    feet = truth["foot"].astype(str).to_numpy()
    out = []
    for t in detected_ic_s:
        k = int(np.argmin(np.abs(ic - t))) if ic.size else -1
        out.append(feet[k] if k >= 0 and abs(ic[k] - t) <= _MATCH_TOLERANCE_S else "")
    return out


def _meta_row(
    person: Participant, bout: str, foot: str, plate: str, ic: float, to: float, speed: float, environment: str
) -> dict[str, object]:
    return {
        "dataset": f"simulated {environment}",
        "participant": person.participant,
        "bout": bout,
        "foot": foot,
        "plate": plate,
        "ic_s": ic,
        "to_s": to,
        "contact_time_s": to - ic,
        "speed_mps": speed,
        "gradient_deg": 0.0,
        "body_mass_kg": person.body_mass_kg,
        "insole_length_m": person.insole_length_m,
        "condition": f"{speed:g} m/s",
        "environment": environment,
        "foot_strike": person.foot_strike,
    }


def simulate_treadmill_stances(
    speeds_mps: Sequence[float] = (2.0, 3.0, 4.0, 5.0),
    *,
    n_participants: int = 4,
    duration_s: float = 12.0,
    seed: int = 0,
    config: TreadmillConfig = TreadmillConfig(),
) -> StanceDataset:
    """Simulate level treadmill running at given belt speeds and cut it into stances.

    Each of the first ``n_participants`` runners of the simulated treadmill
    cohort runs one bout per speed (the runner's ``medium`` speed replaced by
    the belt speed, level gradient), in memory.  Contacts are found on the
    simulated belt force with the real chain (20 N, unfiltered), curves are
    20 Hz filtered and normalised; the foot comes from the simulation's truth.

    Parameters
    ----------
    speeds_mps
        Belt speeds.
    n_participants
        Runners ``TM01`` onwards.
    duration_s
        Length of each bout.
    seed
        Cohort seed.
    config
        Treadmill parameters (e.g. to try other gait relations).

    Returns
    -------
    StanceDataset
        Force stance set, ``dataset`` ``"simulated treadmill"``,
        ``environment`` ``"treadmill"``; contacts cut by the recording's ends
        are left out.
    """
    rows, curves = [], []
    for index in range(n_participants):
        person = sample_participant(TREADMILL_COHORT, index, seed)
        for speed in speeds_mps:
            runner = dataclasses.replace(person, speeds_mps={**person.speeds_mps, "medium": float(speed)})
            bout = simulate_bout(
                "treadmill", runner, "medium_level", seed=seed, duration_s=duration_s, treadmill=config
            )
            force = bout.raw.force
            t = force["time_s"].to_numpy()
            rate = bout.raw.info.force_rate_hz
            contacts = detect_contacts(force["belt_fz_n"].to_numpy(), rate, CONTACT_THRESHOLD_N, time_s=t)
            contacts = contacts[contacts["complete"]]
            feet = _truth_feet(contacts["ic_s"].to_numpy(), bout.stances)
            curves.append(
                force_stance_curves(
                    force[["belt_fz_n", "belt_fx_n", "belt_fy_n"]].to_numpy(),
                    t,
                    rate,
                    contacts["ic_s"],
                    contacts["to_s"],
                )
            )
            for foot, ic, to in zip(feet, contacts["ic_s"], contacts["to_s"], strict=True):
                rows.append(
                    _meta_row(runner, f"{speed:g}_level", foot, "belt", float(ic), float(to), float(speed), "treadmill")
                )
    return force_stance_dataset(pd.DataFrame(rows), np.concatenate(curves))


def simulate_overground_stances(
    speed_mps: float = 3.5,
    *,
    n_participants: int = 4,
    duration_s: float = 60.0,
    seed: int = 0,
    config: OvergroundConfig = OvergroundConfig(),
) -> StanceDataset:
    """Simulate overground loops at a straight-line speed and keep the clean plate contacts.

    Parameters
    ----------
    speed_mps
        Straight-line running speed (the runner slows in the turns).
    n_participants
        Runners ``OG01`` onwards.
    duration_s
        Length of each bout.
    seed
        Cohort seed.
    config
        Overground parameters.

    Returns
    -------
    StanceDataset
        Force stance set of the contacts :func:`grfkit.preprocess.events.classify_plate_contacts`
        finds clean, ``dataset`` ``"simulated overground"``; ``speed_mps`` is
        the straight-line speed.
    """
    rows, curves = [], []
    for index in range(n_participants):
        person = sample_participant(OVERGROUND_COHORT, index, seed)
        runner = dataclasses.replace(person, speeds_mps={**person.speeds_mps, "medium": float(speed_mps)})
        bout = simulate_bout("overground", runner, "medium", seed=seed, duration_s=duration_s, overground=config)
        force = bout.raw.force
        t = force["time_s"].to_numpy()
        rate = bout.raw.info.force_rate_hz
        table = classify_plate_contacts(force, bout.raw.info.plates, sampling_rate_hz=rate)
        table = table[table["clean"]]
        feet = _truth_feet(table["ic_s"].to_numpy(), bout.stances)
        for foot, row in zip(feet, table.itertuples(index=False), strict=True):
            columns = [f"{row.plate}_fz_n", f"{row.plate}_fx_n", f"{row.plate}_fy_n"]
            curves.append(force_stance_curves(force[columns].to_numpy(), t, rate, [row.ic_s], [row.to_s]))
            rows.append(
                _meta_row(
                    runner, "medium", foot, row.plate, float(row.ic_s), float(row.to_s), float(speed_mps), "overground"
                )
            )
    array = np.concatenate(curves) if curves else np.zeros((0, N_POINTS, len(GRF_CHANNELS)))
    return force_stance_dataset(pd.DataFrame(rows), array)


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


def curve_summary(dataset: StanceDataset, label: str, source: str) -> pd.DataFrame:
    """Mean and SD of the vertical and anteroposterior curves in body weights.

    Parameters
    ----------
    dataset
        Stances with ``vgrf_n``, ``apgrf_n`` and ``body_mass_kg``.
    label
        Comparison label (e.g. ``"treadmill 3 m/s"``).
    source
        ``"real"`` or ``"simulated"``.

    Returns
    -------
    pandas.DataFrame
        Long table: ``comparison``, ``source``, ``channel`` (``vgrf``/``apgrf``),
        ``stance_pct`` (0-100), ``mean_bw``, ``sd_bw``, ``n_stances``.
    """
    weight = dataset.meta["body_mass_kg"].to_numpy(dtype=np.float64)[:, None] * GRAVITY_MPS2
    parts = []
    for channel in ("vgrf", "apgrf"):
        curves = dataset.target(f"{channel}_n") / weight
        parts.append(
            pd.DataFrame(
                {
                    "comparison": label,
                    "source": source,
                    "channel": channel,
                    "stance_pct": np.arange(N_POINTS, dtype=float),
                    "mean_bw": curves.mean(axis=0) if len(curves) else np.nan,
                    "sd_bw": curves.std(axis=0, ddof=1) if len(curves) > 1 else np.nan,
                    "n_stances": len(curves),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


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


def static_baseline_loso(
    stances: StanceDataset,
    *,
    target: str,
    kinds: Sequence[str] = BASELINES,
    k_neighbours: int = 25,
) -> pd.DataFrame:
    """Leave-one-participant-out rRMSE of the no-wearable baselines on any stance set.

    For each participant, every baseline kind is fitted
    (:func:`grfkit.model.baselines.fit_baseline`) on all *other* participants'
    stances and estimates this participant's stances
    (:func:`grfkit.model.baselines.predict_baseline`); errors come from
    :func:`grfkit.model.metrics.evaluate` and are averaged per participant
    (:func:`grfkit.model.metrics.participant_metrics`), as the study reports them.

    Parameters
    ----------
    stances
        Stances of at least two participants with the target channel and the
        static features (:data:`grfkit.model.baselines.STATIC_BASELINE_FEATURES`),
        real or simulated; the ``dataset`` column is carried through.
    target
        ``"vgrf"`` or ``"apgrf"``.
    kinds
        Baselines to score (:data:`grfkit.model.baselines.BASELINES`).
    k_neighbours
        Neighbours of ``"baseline_static"``.

    Returns
    -------
    pandas.DataFrame
        One row per kind and held-out participant: ``kind``, ``target``,
        ``dataset`` (the participant's data set values joined with ``"+"``),
        ``participant``, ``n_stances``, ``rrmse_pct``, ``rmse_bw``, ``r``
        (means over the participant's stances).

    Raises
    ------
    ConfigError
        With fewer than two participants, or for an unknown kind or target.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from grfkit.real.chain import force_stance_dataset
    >>> s = np.linspace(0, 1, 101)
    >>> def stance(p, peak_bw):
    ...     return np.stack([700 * peak_bw * np.sin(np.pi * s), -70 * np.sin(2 * np.pi * s), 0 * s], -1)
    >>> curves = np.stack([stance(p, b) for p, b in [("a", 2.0), ("b", 2.5), ("c", 3.0)]])
    >>> meta = pd.DataFrame({"dataset": "x", "participant": ["a", "b", "c"], "bout": "b", "foot": "left",
    ...                      "plate": "belt", "ic_s": 0.0, "to_s": 0.25, "contact_time_s": 0.25, "speed_mps": 3.0,
    ...                      "gradient_deg": 0.0, "body_mass_kg": 700 / 9.81})
    >>> table = static_baseline_loso(force_stance_dataset(meta, curves), target="vgrf", kinds=("baseline_mean",))
    >>> table.set_index("participant")["rrmse_pct"].round(1).to_dict()  # b is the others' mean
    {'a': 26.4, 'b': 0.0, 'c': 17.6}
    """
    participants = stances.participants
    if len(participants) < 2:
        raise ConfigError(f"leave-one-participant-out needs two participants or more, got {participants}")
    column = stances.meta["participant"].astype(str).to_numpy()
    tables = []
    for participant in participants:
        held_out = column == str(participant)
        train, test = stances.subset(~held_out), stances.subset(held_out)
        for kind in kinds:
            model = fit_baseline(kind, train, target=target, k_neighbours=k_neighbours)
            table = evaluate(test, predict_baseline(model, test), target)
            table.insert(0, "target", target)
            table.insert(0, "kind", kind)
            tables.append(table)
    scored = pd.concat(tables, ignore_index=True)
    per_participant = participant_metrics(scored, by=["kind", "target", "participant"])
    datasets = (
        scored.groupby(["kind", "target", "participant"], sort=False)["dataset"]
        .agg(lambda values: "+".join(sorted(set(map(str, values)))))
        .reset_index()
    )
    table = datasets.merge(per_participant, on=["kind", "target", "participant"])
    return table[["kind", "target", "dataset", "participant", "n_stances", "rrmse_pct", "rmse_bw", "r"]]


def matched_to_hamner(stances: StanceDataset) -> np.ndarray:
    """Stances run in Hamner & Delp's conditions: level belt, speed inside their range.

    Parameters
    ----------
    stances
        Stances with ``speed_mps`` and ``gradient_deg``.

    Returns
    -------
    numpy.ndarray
        Boolean mask: ``|gradient_deg| <= LEVEL_TOLERANCE_DEG`` and
        ``speed_mps`` within :data:`HAMNER_SPEED_RANGE_MPS` (inclusive).

    Examples
    --------
    >>> from grfkit.real.chain import force_stance_dataset
    >>> meta = pd.DataFrame({"dataset": "treadmill", "participant": "TM01", "bout": ["a", "b", "c"],
    ...                      "foot": "left", "plate": "belt", "ic_s": 0.0, "to_s": 0.25, "contact_time_s": 0.25,
    ...                      "speed_mps": [3.0, 3.0, 5.5], "gradient_deg": [0.5, 3.4, 0.0], "body_mass_kg": 70.0})
    >>> matched_to_hamner(force_stance_dataset(meta, np.zeros((3, 101, 3)))).tolist()
    [True, False, False]
    """
    speed = stances.meta["speed_mps"].to_numpy(dtype=float)
    gradient = stances.meta["gradient_deg"].to_numpy(dtype=float)
    low, high = HAMNER_SPEED_RANGE_MPS
    return (np.abs(gradient) <= LEVEL_TOLERANCE_DEG) & (speed >= low) & (speed <= high)


def baseline_sim_vs_real(
    real: StanceDataset | None,
    simulated: StanceDataset,
    *,
    targets: Sequence[str] = ("vgrf", "apgrf"),
    kinds: Sequence[str] = BASELINES,
    k_neighbours: int = 25,
    real_scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The no-wearable baselines' LOSO rRMSE on real and on simulated treadmill stances, side by side.

    Each cohort is scored on its own by :func:`static_baseline_loso` (every
    participant held out in turn, rRMSE averaged per participant) and
    summarised over participants.  Cohorts: ``"real"`` (``real``, e.g. every
    accepted Hamner stance of both feet), ``"simulated matched"`` (the
    ``treadmill`` stances of ``simulated`` run in Hamner's conditions,
    :func:`matched_to_hamner`) and ``"simulated all"`` (every ``treadmill``
    stance of ``simulated``).

    Parameters
    ----------
    real
        Real treadmill stances, or ``None`` when the real data are absent
        (then only the simulated rows are returned and the comparison
        columns are missing values).
    simulated
        A simulated cohort's stances (``meta["dataset"]`` ``"treadmill"``
        or ``"overground"``; only the treadmill ones are used).
    targets
        Targets to score.
    kinds, k_neighbours
        As for :func:`static_baseline_loso`.
    real_scores
        The ``"real"`` rows of an earlier call (e.g. from a kept run, when the
        real data are absent here), used instead of scoring ``real``.

    Returns
    -------
    pandas.DataFrame
        One row per cohort, target and kind: ``cohort``, ``target``,
        ``kind``, ``n_participants``, ``n_stances``, ``rrmse_pct`` (mean over
        participants), ``rrmse_pct_min``, ``rrmse_pct_max``,
        ``relative_difference_pct`` (simulated over real minus one, percent;
        NaN on the real rows and without real data) and ``within_tolerance``
        (``|relative_difference_pct| <= BASELINE_TOLERANCE_PCT``; missing
        where there is no difference).

    Raises
    ------
    ConfigError
        If a cohort has fewer than two participants (``simulated`` without
        treadmill stances, or none matched), for an unknown kind or target, or
        if both ``real`` and ``real_scores`` are given.
    """
    if real is not None and real_scores is not None:
        raise ConfigError("give the real stances or their scores (real_scores), not both")
    treadmill = simulated.subset((simulated.meta["dataset"] == "treadmill").to_numpy())
    cohorts = {"simulated matched": treadmill.subset(matched_to_hamner(treadmill)), "simulated all": treadmill}
    if real is not None:
        cohorts = {"real": real, **cohorts}
    rows = []
    for cohort, stances in cohorts.items():
        for target in targets:
            scored = static_baseline_loso(stances, target=target, kinds=kinds, k_neighbours=k_neighbours)
            for kind, group in scored.groupby("kind", sort=False):
                rows.append(
                    {
                        "cohort": cohort,
                        "target": target,
                        "kind": kind,
                        "n_participants": len(group),
                        "n_stances": int(group["n_stances"].sum()),
                        "rrmse_pct": group["rrmse_pct"].mean(),
                        "rrmse_pct_min": group["rrmse_pct"].min(),
                        "rrmse_pct_max": group["rrmse_pct"].max(),
                    }
                )
    table = pd.DataFrame(rows)
    if real_scores is not None:
        scores = real_scores.reset_index()
        table = pd.concat([scores.loc[scores["cohort"] == "real", list(table.columns)], table], ignore_index=True)
    if not (table["cohort"] == "real").any():
        table["relative_difference_pct"] = np.nan
    else:
        reference = table[table["cohort"] == "real"].set_index(["target", "kind"])["rrmse_pct"]
        real_value = pd.MultiIndex.from_frame(table[["target", "kind"]]).map(reference.to_dict().get)
        ratio = table["rrmse_pct"].to_numpy() / np.asarray(real_value, dtype=float)
        table["relative_difference_pct"] = np.where(table["cohort"] == "real", np.nan, 100.0 * (ratio - 1.0))
    difference = table["relative_difference_pct"]
    table["within_tolerance"] = (difference.abs() <= BASELINE_TOLERANCE_PCT).astype("boolean").mask(difference.isna())
    return table


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
