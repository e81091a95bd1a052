"""The treadmill-to-overground domain gap, one switch per difference.

Every difference the simulator models between the treadmill data set and the
overground one is a field of :class:`DomainGap`; switching one off removes
that difference (``DomainGap(treadmill_incline=False)``), and :data:`NO_GAP`
removes them all, so that a reader can see what each does to transfer
learning (chapter 5).  The two data sets still differ in their runners and in
how force is measured (instrumented belt versus floor plates).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from dataclasses import dataclass

import pandas as pd

from grfkit.io.channels import N_FSR
from grfkit.simulate.overground import OvergroundConfig
from grfkit.simulate.participants import (
    OVERGROUND_COHORT,
    TREADMILL_COHORT,
    CohortSpec,
    Participant,
)
from grfkit.simulate.treadmill import TreadmillConfig

__all__ = ["DomainGap", "NO_GAP"]


@dataclass(frozen=True)
class DomainGap:
    """Which treadmill/overground differences the simulated cohort has.

    Parameters
    ----------
    belt_dynamics
        The treadmill belt slows under the braking foot and speeds up under
        the pushing one (``TreadmillConfig.belt_dip_ratio``); off: a belt
        that holds its speed exactly.  Belt-on-deck friction stays at its
        validated value, zero.
    overground_accelerations
        Overground runners change speed a little from step to step
        (``OvergroundConfig.speed_fluctuation_cv``); off: constant speed on
        the straight, as on a treadmill.
    treadmill_incline
        The treadmill protocol's inclines (+1 %, +6 %, -4 % grade); off:
        every treadmill condition is level, like the overground runway.
    session_sensors
        Insole fit gains, per-sensor gains and IMU mounting angles differ
        between recording sessions (the sensors are put on anew); off: every
        session has the nominal gains and a perfectly aligned IMU.
    speed_ranges
        Each domain has its own speed range (treadmill runners are faster on
        average and more varied, with prescribed speeds 0.9-1.1 x preferred
        and a fixed 12 km/h); off: treadmill speeds follow the overground
        cohort's distribution and speed classes.
    """

    belt_dynamics: bool = True
    overground_accelerations: bool = True
    treadmill_incline: bool = True
    session_sensors: bool = True
    speed_ranges: bool = True

    @classmethod
    def switches(cls) -> pd.DataFrame:
        """The switches as their docstring describes them: one row per difference.

        Returns
        -------
        pandas.DataFrame
            Index ``switch`` (field name); columns ``difference`` (what the
            switch models) and ``switched_off`` (what replaces it when off).

        Examples
        --------
        >>> DomainGap.switches().loc["treadmill_incline", "switched_off"]
        'every treadmill condition is level, like the overground runway'
        """
        text = inspect.cleandoc(cls.__doc__ or "").split("Parameters\n----------\n", 1)[1]
        described: dict[str, str] = {}
        for line in text.splitlines():
            if line and not line.startswith(" "):
                name = line.strip()
                described[name] = ""
            elif line.strip():
                described[name] = f"{described[name]} {line.strip()}".strip()
        rows = []
        for field in dataclasses.fields(cls):
            on, _, off = described[field.name].replace("``", "").partition("; off: ")
            rows.append({"switch": field.name, "difference": on,
                         "switched_off": re.split(r"\.\s+(?=[A-Z])", off)[0].rstrip(".")})
        return pd.DataFrame(rows).set_index("switch")

    @property
    def label(self) -> str:
        """``"gap"`` for the full gap, ``"nogap"`` for none, else the switched-off names joined by ``-``."""
        off = [f.name for f in dataclasses.fields(self) if not getattr(self, f.name)]
        if not off:
            return "gap"
        return "nogap" if len(off) == len(dataclasses.fields(self)) else "off-" + "-".join(off)

    def overground_config(self, config: OvergroundConfig = OvergroundConfig()) -> OvergroundConfig:
        """The overground environment with this gap applied."""
        return config if self.overground_accelerations else dataclasses.replace(config, speed_fluctuation_cv=0.0)

    def treadmill_config(self, config: TreadmillConfig = TreadmillConfig()) -> TreadmillConfig:
        """The treadmill environment with this gap applied."""
        return config if self.belt_dynamics else dataclasses.replace(config, belt_dip_ratio=0.0)

    def treadmill_cohort(self, spec: CohortSpec = TREADMILL_COHORT) -> CohortSpec:
        """The treadmill population with this gap applied."""
        if not self.speed_ranges:
            spec = dataclasses.replace(
                spec,
                preferred_speed_mean_mps=OVERGROUND_COHORT.preferred_speed_mean_mps,
                preferred_speed_sd_mps=OVERGROUND_COHORT.preferred_speed_sd_mps,
                speed_ratios=(
                    *OVERGROUND_COHORT.speed_ratios,
                    *(("fixed", r) for name, r in OVERGROUND_COHORT.speed_ratios if name == "medium"),
                ),
                fixed_speeds_mps=(),
            )
        if not self.treadmill_incline:
            spec = dataclasses.replace(spec, gradients_deg=tuple((name, 0.0) for name, _ in spec.gradients_deg))
        return spec

    def participant(self, person: Participant) -> Participant:
        """A participant with this gap's sensor set-up (nominal when ``session_sensors`` is off)."""
        if self.session_sensors:
            return person
        return dataclasses.replace(
            person,
            fsr_gain_left=1.0,
            fsr_gain_right=1.0,
            sensor_gains_left=(1.0,) * N_FSR,
            sensor_gains_right=(1.0,) * N_FSR,
            imu_pitch_offset_deg=0.0,
            imu_roll_offset_deg=0.0,
        )


#: No modelled difference between the domains.
NO_GAP = DomainGap(
    belt_dynamics=False,
    overground_accelerations=False,
    treadmill_incline=False,
    session_sensors=False,
    speed_ranges=False,
)
