"""Flags for stances outside the training distribution: unseen speed, body mass, contact time or signal range.

:class:`TrainingRanges` records, from a model's training stances, the range of
speed, body mass and contact time and, per signal channel, the 0.5th and
99.5th percentile of all its samples.  :meth:`TrainingRanges.ood_flags`
flags each new stance:

- ``ood_speed``, ``ood_body_mass``, ``ood_contact_time``: the value lies
  outside the training range widened by :data:`STATIC_MARGIN` of its width on
  each side (a training stance is never flagged);
- ``ood_signal``: more than :data:`SIGNAL_SHARE_THRESHOLD` of the stance's
  samples (all signal channels, 101 points) lie outside their channel's
  percentile range.  By construction about 1 % of training samples do, so a
  few training stances (typically under 5 %) may be flagged too;
- ``ood``: any of these, with ``ood_reason`` naming each quantity and value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from grfkit.errors import ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import check_dataset_channels
from grfkit.model.features import FeatureSet, build_inputs

__all__ = ["SIGNAL_PERCENTILES", "SIGNAL_SHARE_THRESHOLD", "STATIC_MARGIN", "TrainingRanges"]

#: Share of a static range's width by which it is widened on each side before flagging.
STATIC_MARGIN: float = 0.05
#: A stance is ``ood_signal`` when more than this share of its samples lies outside the channel ranges.
SIGNAL_SHARE_THRESHOLD: float = 0.10
#: Percentiles of the training samples that bound each signal channel.
SIGNAL_PERCENTILES: tuple[float, float] = (0.5, 99.5)
# Static quantity -> (metadata column, flag column, readable name, unit).
_STATIC = (
    ("speed_mps", "ood_speed", "speed", "m/s"),
    ("body_mass_kg", "ood_body_mass", "body mass", "kg"),
    ("contact_time_s", "ood_contact_time", "contact time", "s"),
)


@dataclass(frozen=True)
class TrainingRanges:
    """What a model's training stances covered.

    Parameters
    ----------
    static
        ``{metadata column: (min, max)}`` for ``speed_mps``, ``body_mass_kg``
        and ``contact_time_s``.
    signals
        ``{signal channel: (0.5th, 99.5th percentile)}`` over every sample
        of every training stance.
    """

    static: dict[str, tuple[float, float]]
    signals: dict[str, tuple[float, float]]

    @classmethod
    def from_stances(cls, dataset: StanceDataset, features: FeatureSet) -> TrainingRanges:
        """Measure the ranges of training stances.

        Parameters
        ----------
        dataset
            The stances the model was trained on.
        features
            The model's input channels (its signal channels are measured).

        Raises
        ------
        ConfigError
            If ``dataset`` is empty.
        ChannelMismatchError
            If it lacks a channel or metadata column.
        """
        if not len(dataset):
            raise ConfigError("training ranges need at least one training stance")
        static = {}
        for column, *_ in _STATIC:
            if column not in dataset.meta.columns:
                raise ConfigError(f"training stances lack the metadata column {column!r}")
            values = dataset.meta[column].to_numpy(dtype=np.float64)
            static[column] = (float(np.nanmin(values)), float(np.nanmax(values)))
        inputs = _signal_inputs(dataset, features)
        low, high = np.percentile(inputs.reshape(-1, inputs.shape[2]), SIGNAL_PERCENTILES, axis=0)
        signals = {c: (float(lo), float(hi)) for c, lo, hi in zip(features.signal_channels, low, high)}
        return cls(static=static, signals=signals)

    def to_dict(self) -> dict:
        """Return the JSON-ready form (:meth:`from_dict` reads it back)."""
        return {"static": {k: list(v) for k, v in self.static.items()},
                "signals": {k: list(v) for k, v in self.signals.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> TrainingRanges:
        """Read :meth:`to_dict`'s output.

        Raises
        ------
        ConfigError
            If a quantity is missing or a range is not two finite ordered numbers.
        """
        try:
            static = {k: (float(v[0]), float(v[1])) for k, v in data["static"].items()}
            signals = {k: (float(v[0]), float(v[1])) for k, v in data["signals"].items()}
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ConfigError(f"training ranges lack or mangle a field ({type(error).__name__}: {error})") from None
        missing = [c for c, *_ in _STATIC if c not in static]
        bad = [k for k, (lo, hi) in {**static, **signals}.items() if not (np.isfinite([lo, hi]).all() and lo <= hi)]
        if missing or bad:
            raise ConfigError(f"training ranges: missing {missing}, not finite or not ordered {bad}")
        return cls(static=static, signals=signals)

    def ood_flags(self, dataset: StanceDataset) -> pd.DataFrame:
        """Flag each stance that lies outside the training distribution.

        Parameters
        ----------
        dataset
            Stances holding the metadata columns and every signal channel of
            :attr:`signals`.

        Returns
        -------
        pandas.DataFrame
            Indexed as ``dataset.meta``; boolean ``ood_speed``,
            ``ood_body_mass``, ``ood_contact_time``, ``ood_signal``, ``ood``
            (any of them), float ``signal_outside_share`` and string
            ``ood_reason`` (empty when not flagged), e.g. ``"speed 6.20 m/s
            outside training 2.61-4.49 m/s"``.

        Raises
        ------
        ChannelMismatchError
            If the data set lacks a channel or metadata column.
        DropoutError
            If a signal holds NaN or infinite values.
        """
        features = FeatureSet(channels=tuple(self.signals), name="training ranges")
        check_dataset_channels(features, dataset)
        table = pd.DataFrame(index=dataset.meta.index)
        reasons: list[list[str]] = [[] for _ in range(len(dataset))]
        for column, flag, name, unit in _STATIC:
            if column not in dataset.meta.columns:
                raise ConfigError(f"stances lack the metadata column {column!r} that the out-of-distribution "
                                  "check needs")
            low, high = self.static[column]
            margin = STATIC_MARGIN * (high - low)
            values = dataset.meta[column].to_numpy(dtype=np.float64)
            outside = ~((values >= low - margin) & (values <= high + margin))
            table[flag] = outside
            for i in np.flatnonzero(outside):
                reasons[i].append(f"{name} {values[i]:.3g} {unit} outside training {low:.3g}-{high:.3g} {unit}")
        inputs = _signal_inputs(dataset, features)
        bounds = np.array(list(self.signals.values()), dtype=np.float64)
        outside = (inputs < bounds[:, 0]) | (inputs > bounds[:, 1])
        share = outside.mean(axis=(1, 2))
        table["ood_signal"] = share > SIGNAL_SHARE_THRESHOLD
        per_channel = outside.mean(axis=1)
        channels = list(self.signals)
        for i in np.flatnonzero(table["ood_signal"].to_numpy()):
            worst = int(np.argmax(per_channel[i]))
            reasons[i].append(f"{share[i]:.0%} of signal samples outside the training range (most: "
                              f"{channels[worst]} {per_channel[i, worst]:.0%})")
        table["ood"] = table[[flag for _, flag, *_ in _STATIC] + ["ood_signal"]].any(axis=1)
        table["signal_outside_share"] = share
        table["ood_reason"] = ["; ".join(r) for r in reasons]
        return table


def _signal_inputs(dataset: StanceDataset, features: FeatureSet) -> np.ndarray:
    """The signal channels of ``features`` as ``float64`` ``(n, 101, n_signals)``."""
    signals = FeatureSet(channels=features.signal_channels, name=features.name)
    return build_inputs(dataset, signals).astype(np.float64)
