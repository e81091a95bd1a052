"""Simulate whole cohorts (to disk) or single bouts (in memory).

:func:`simulate_cohort` writes a raw data folder in the grfkit raw format
(:mod:`grfkit.io.schema`): ``dataset.json`` (scale, seed, generator and grfkit
version), ``participants.csv``, ``bouts.csv``, one folder per bout and the
``truth/`` tables.  :func:`simulate_bout` returns one bout and its truth
without touching the disk, for notebooks and tests.

Both are deterministic for a seed: every participant and bout draws from
generators keyed by its names (:func:`grfkit.simulate.seeds.child_rng`), so a
participant is the same runner at every scale and re-running gives identical
tables.
"""

from __future__ import annotations

import dataclasses
import importlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from grfkit.errors import ConfigError
from grfkit.io.schema import TRUTH_TRIAL_COLUMNS, RawBout
from grfkit.io.write import write_bout, write_dataset_files
from grfkit.progress import progress_bar
from grfkit.scales import ScaleConfig, get_scale
from grfkit.simulate.clocks import InsoleClock
from grfkit.simulate.domain_gap import DomainGap
from grfkit.simulate.overground import OvergroundConfig, simulate_overground_bout
from grfkit.simulate.participants import (
    OVERGROUND_COHORT,
    TREADMILL_COHORT,
    CohortSpec,
    Participant,
    participants_table,
    sample_participant,
    truth_table,
)
from grfkit.simulate.treadmill import TreadmillConfig, simulate_treadmill_bout
from grfkit.storage.atomic import write_text_atomic
from grfkit.storage.output_folders import write_output

__all__ = ["COHORTS", "SimulatedBout", "cohort_plan", "simulate_bout", "simulate_cohort"]

#: The two cohorts by data set name.
COHORTS: dict[str, CohortSpec] = {"overground": OVERGROUND_COHORT, "treadmill": TREADMILL_COHORT}


class SimulatedBout(NamedTuple):
    """One simulated bout with its ground truth.

    Attributes
    ----------
    raw
        The recorded tables.
    stances
        Truth of every contact (``truth/stances.csv`` rows of this bout).
    trial
        One row of ``truth/trials.csv``: the true clock offset and drift.
    """

    raw: RawBout
    stances: pd.DataFrame
    trial: pd.DataFrame


def _generator_version() -> str:
    try:
        return version("grfkit")
    except PackageNotFoundError:
        return "unknown"


def _spec(dataset: str, gap: DomainGap) -> CohortSpec:
    if dataset not in COHORTS:
        raise ConfigError(f"unknown data set {dataset!r}; choose one of {sorted(COHORTS)}")
    return gap.treadmill_cohort(COHORTS[dataset]) if dataset == "treadmill" else COHORTS[dataset]


def _participant(dataset: str, participant: str | Participant, seed: int, gap: DomainGap) -> Participant:
    if isinstance(participant, Participant):
        return gap.participant(participant)
    spec = _spec(dataset, gap)
    digits = participant.removeprefix(spec.id_prefix)
    if not digits.isdigit() or int(digits) < 1:
        raise ConfigError(
            f"participant id {participant!r} is not of the form {spec.id_prefix}01, {spec.id_prefix}02, ..."
        )
    return gap.participant(sample_participant(spec, int(digits) - 1, seed))


def _trial_row(participant: Participant, bout: str, clock: InsoleClock) -> pd.DataFrame:
    return pd.DataFrame(
        [[participant.dataset, participant.participant, bout, clock.clock_offset_s, clock.clock_drift_ppm]],
        columns=list(TRUTH_TRIAL_COLUMNS),
    )


def simulate_bout(
    dataset: str,
    participant: str | Participant,
    bout: str,
    *,
    seed: int = 0,
    duration_s: float | None = None,
    scale: str | ScaleConfig = "ci",
    overground: OvergroundConfig = OvergroundConfig(),
    treadmill: TreadmillConfig = TreadmillConfig(),
    gap: DomainGap = DomainGap(),
) -> SimulatedBout:
    """Simulate one bout in memory.

    Parameters
    ----------
    dataset
        ``"overground"`` or ``"treadmill"``.
    participant
        Participant id (``"OG03"``, ``"TM12"``; drawn from the cohort with
        ``seed``) or a :class:`~grfkit.simulate.participants.Participant`.
    bout
        Overground: ``"slow"``, ``"medium"`` or ``"fast"``; treadmill:
        ``"<speed>_<gradient>"``, e.g. ``"medium_level"``.
    seed
        Cohort seed.
    duration_s
        Length of the lab recording; default: the scale's bout length.
    scale
        Scale whose bout length is used when ``duration_s`` is not given.
    overground, treadmill
        Environment parameters.
    gap
        Which treadmill/overground differences to simulate (all by default).
    gap
        Which treadmill/overground differences to simulate (all by default).

    Returns
    -------
    SimulatedBout
        ``(raw, stances, trial)``; the same bout as in a cohort of the same
        seed with the same bout length.

    Raises
    ------
    ConfigError
        For an unknown data set, participant id or bout.

    Examples
    --------
    >>> raw, stances, trial = simulate_bout("treadmill", "TM01", "medium_level", duration_s=12)  # doctest: +SKIP
    """
    person = _participant(dataset, participant, seed, gap)
    config = get_scale(scale)
    overground, treadmill = gap.overground_config(overground), gap.treadmill_config(treadmill)
    try:
        if person.dataset == "overground":
            length = duration_s if duration_s is not None else config.overground_duration_s
            raw, stances, clock = simulate_overground_bout(
                person, bout, duration_s=length, seed=seed, config=overground
            )
        else:
            length = duration_s if duration_s is not None else config.treadmill_duration_s
            raw, stances, clock = simulate_treadmill_bout(person, bout, duration_s=length, seed=seed, config=treadmill)
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"cannot simulate bout {bout!r} of {person.participant} ({person.dataset}): {exc}") from None
    return SimulatedBout(raw, stances, _trial_row(person, bout, clock))


def cohort_plan(
    scale: str | ScaleConfig, seed: int, gap: DomainGap = DomainGap()
) -> tuple[list[Participant], pd.DataFrame]:
    """The participants and bouts a cohort of this scale and seed contains.

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"``, ``"paper"`` or a :class:`~grfkit.scales.ScaleConfig`.
    seed
        Cohort seed.
    gap
        Which treadmill/overground differences to simulate (all by default).

    Returns
    -------
    participants : list of Participant
        Overground then treadmill participants.
    bouts : pandas.DataFrame
        The ``bouts.csv`` table (dataset, participant, bout, condition,
        speed_mps, gradient_deg, duration_s).
    """
    config = get_scale(scale)
    treadmill_spec = _spec("treadmill", gap)
    people = [sample_participant(OVERGROUND_COHORT, i, seed) for i in range(config.overground_participants)]
    people += [sample_participant(treadmill_spec, i, seed) for i in range(config.treadmill_participants)]
    people = [gap.participant(p) for p in people]
    rows = []
    for person in people:
        if person.dataset == "overground":
            for bout in config.overground_bouts:
                rows.append((person, bout, bout, person.speeds_mps[bout], 0.0, config.overground_duration_s))
        else:
            for condition in config.treadmill_conditions:
                speed_class, gradient_class = condition.split("_", 1)
                rows.append(
                    (
                        person,
                        condition,
                        condition,
                        person.speeds_mps[speed_class],
                        person.gradients_deg[gradient_class],
                        config.treadmill_duration_s,
                    )
                )
    bouts = pd.DataFrame(
        [
            {
                "dataset": p.dataset,
                "participant": p.participant,
                "bout": bout,
                "condition": condition,
                "speed_mps": round(speed, 4),
                "gradient_deg": round(gradient, 4),
                "duration_s": duration,
            }
            for p, bout, condition, speed, gradient, duration in rows
        ]
    )
    return people, bouts


def simulate_cohort(
    scale: str | ScaleConfig,
    seed: int,
    out_dir: str | Path | None = None,
    progress: bool = False,
    *,
    fmt: str = "parquet",
    overground: OvergroundConfig = OvergroundConfig(),
    treadmill: TreadmillConfig = TreadmillConfig(),
    gap: DomainGap = DomainGap(),
    overwrite: bool = False,
    cache: bool | str | Path = False,
) -> Path:
    """Simulate both data sets of a cohort and write them as a raw data folder.

    The folder is written beside ``out_dir`` and moved into place when
    complete, so an interrupted run leaves no half-written cohort.  An
    existing ``out_dir`` is replaced only if it is a simulated cohort grfkit
    wrote (see :mod:`grfkit.storage.output_folders`).

    Parameters
    ----------
    scale
        ``"ci"``, ``"book"``, ``"paper"`` or a :class:`~grfkit.scales.ScaleConfig`.
    seed
        Cohort seed (non-negative).
    out_dir
        Raw data folder to create; ``None`` with ``cache``.
    progress
        Show a progress bar over the bouts.
    fmt
        Table format, ``"parquet"`` (default) or ``"csv"``.
    overground, treadmill
        Environment parameters.
    gap
        Which treadmill/overground differences the cohort has.
    overwrite
        Also replace an ``out_dir`` that grfkit did not write (its contents
        are moved aside to ``out_dir.replaced-<time>``, not deleted).
    cache
        ``False`` writes ``out_dir``.  ``True`` (the default cache folder of
        :func:`grfkit.storage.cohort_cache.cache_dir`) or a folder returns the
        cohort simulated before with the same scale, seed, ``gap`` and
        simulator code, or simulates it there
        (:func:`grfkit.storage.cohort_cache.simulated`); only with the
        default ``fmt``, ``overground`` and ``treadmill``.

    Returns
    -------
    pathlib.Path
        ``out_dir``, or the raw folder in the cache.

    Raises
    ------
    ConfigError
        For an unknown scale, or ``cache`` with ``out_dir`` or with settings the cache does not key.
    OutputError
        If ``out_dir`` may not be replaced or cannot be written (checked
        before simulating).
    CacheError
        With ``cache``, if the cache folder cannot be written to, naming it.
    """
    config = get_scale(scale)
    if cache is not False:
        if out_dir is not None or (fmt, overground, treadmill) != ("parquet", OvergroundConfig(), TreadmillConfig()):
            raise ConfigError("cache keys a cohort by scale, seed and gap: give no out_dir, fmt, overground or "
                              "treadmill with it")
        # Imported by name, not by an import statement: the cohort's source fingerprint
        # (grfkit.storage.fingerprint) follows import statements from the simulator and must
        # cover the code that computes the cohort, not the cache's bookkeeping.
        cohort_cache = importlib.import_module("grfkit.storage.cohort_cache")
        return cohort_cache.simulated(config, seed, gap=gap, cache=cache, progress=progress)
    if out_dir is None:
        raise ConfigError("simulate_cohort needs an out_dir (or cache)")
    people, bouts = cohort_plan(config, seed, gap)
    by_id = {(p.dataset, p.participant): p for p in people}
    out_dir = Path(out_dir)
    stances: list[pd.DataFrame] = []
    trials: list[pd.DataFrame] = []
    with write_output(out_dir, "raw", overwrite=overwrite) as tmp:
        rows = list(bouts.itertuples(index=False))
        for row in progress_bar(rows, desc=f"simulate {config.name}", unit="bout", show=progress):
            person = by_id[(row.dataset, row.participant)]
            bout = simulate_bout(
                row.dataset,
                person,
                row.bout,
                seed=seed,
                duration_s=row.duration_s,
                overground=overground,
                treadmill=treadmill,
                gap=gap,
            )
            write_bout(tmp, bout.raw, fmt=fmt)
            stances.append(bout.stances)
            trials.append(bout.trial)
        write_dataset_files(
            tmp,
            participants=participants_table(people),
            bouts=bouts,
            truth_trials=pd.concat(trials, ignore_index=True),
            truth_stances=pd.concat(stances, ignore_index=True),
            manifest={
                "scale": config.name,
                "seed": int(seed),
                "generator": "grfkit.simulate",
                "grfkit_version": _generator_version(),
                "scale_config": dataclasses.asdict(config),
                "domain_gap": dataclasses.asdict(gap),
            },
        )
        write_text_atomic(Path(tmp) / "truth" / "participants.csv", truth_table(people).to_csv(index=False))
    return out_dir
