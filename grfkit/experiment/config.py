"""What an experiment runs, and the study's published numbers.

:class:`ExperimentConfig` names the data scale and seed, the model preset,
the strategies, targets and held-out participants, and the torch threads of
one experiment; :data:`TARGETS` lists the force components and
:data:`PUBLISHED_RRMSE` the study's published rRMSE.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from grfkit.errors import ConfigError
from grfkit.experiment.strategies import ALL_STRATEGIES, check_strategy
from grfkit.model.presets import ModelPreset, get_preset
from grfkit.scales import SCALES

__all__ = ["TARGETS", "PUBLISHED_RRMSE", "ExperimentConfig"]

#: Force components, one model each.
TARGETS: tuple[str, ...] = ("vgrf", "apgrf")

#: The study's published rRMSE (percent): mean across the 15 held-out
#: participants and the range (min, max).  Only the combined strategy's
#: numbers are given in the abstract; the others appear only in its figure.
PUBLISHED_RRMSE: dict[tuple[str, str], tuple[float, float, float]] = {
    ("combined", "vgrf"): (6.1, 3.5, 10.7),
    ("combined", "apgrf"): (5.5, 3.2, 7.9),
}


@dataclass(frozen=True)
class ExperimentConfig:
    """What to run: data scale and seed, model preset, strategies, targets.

    Parameters
    ----------
    scale
        Simulated cohort size, ``"ci"``, ``"book"`` or ``"paper"`` (see
        :mod:`grfkit.scales`).  Used to build the stance data unless
        :func:`~grfkit.experiment.runner.run_experiment` is given stances.
    seed
        Seeds the simulated cohort and every training run.
    preset
        Model preset name (see :data:`grfkit.model.presets.PRESETS`) or a
        :class:`~grfkit.model.presets.ModelPreset`.
    strategies
        Strategies to run, from :data:`~grfkit.experiment.strategies.ALL_STRATEGIES` (the four wearable
        strategies and the two no-wearable baselines; default: all six).
    targets
        Force components, from :data:`TARGETS`.
    participants
        Held-out overground participants to evaluate (a subset of the LOSO
        folds, e.g. for benchmarks); ``None``: all.  Training always uses
        every *other* overground participant.
    num_threads
        Torch threads per training run.  Results are bit-identical for the
        same thread count on the same machine; 1 is the default because
        it is reproducible everywhere and, with :func:`run_experiment`'s
        ``workers``, uses several cores better than threads do.

    Raises
    ------
    ConfigError
        For an unknown scale, preset, strategy or target, an empty or
        duplicated list, or ``num_threads`` < 1.
    """

    scale: str = "ci"
    seed: int = 0
    preset: str | ModelPreset = "fast"
    strategies: tuple[str, ...] = ALL_STRATEGIES
    targets: tuple[str, ...] = TARGETS
    participants: tuple[str, ...] | None = None
    num_threads: int = 1

    def __post_init__(self) -> None:
        for name in ("strategies", "targets"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        if self.participants is not None:
            participants = (self.participants,) if isinstance(self.participants, str) else self.participants
            object.__setattr__(self, "participants", tuple(str(p) for p in participants))
        if self.scale not in SCALES:
            raise ConfigError(f"unknown scale {self.scale!r}; choose one of {sorted(SCALES)}")
        get_preset(self.preset)
        for s in self.strategies:
            check_strategy(s)
        unknown = [t for t in self.targets if t not in TARGETS]
        if unknown:
            raise ConfigError(f"unknown targets {unknown}; choose from {list(TARGETS)}")
        for name in ("strategies", "targets", "participants"):
            value = getattr(self, name)
            if value is not None and (not value or len(set(value)) != len(value)):
                raise ConfigError(f"{name} must be a non-empty list without repeats, got {list(value)}")
        if int(self.seed) < 0:
            raise ConfigError(f"seed must be non-negative, got {self.seed}")
        if int(self.num_threads) < 1:
            raise ConfigError(f"num_threads must be at least 1, got {self.num_threads}")

    @property
    def model_preset(self) -> ModelPreset:
        """The resolved :class:`~grfkit.model.presets.ModelPreset`."""
        return get_preset(self.preset)

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary (the preset written out in full)."""
        data = asdict(self)
        data["preset"] = self.model_preset.to_dict()
        for name in ("strategies", "targets", "participants"):
            if data[name] is not None:
                data[name] = list(data[name])
        return data
