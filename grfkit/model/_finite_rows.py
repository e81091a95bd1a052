"""The check that model inputs and targets hold finite values (package-private).

Feature building, target building and the no-wearable baselines all refuse a
stance that holds NaN or an infinite value; this is the one place that turns
the flagged rows into a :class:`~grfkit.errors.DropoutError` naming the
channel and the participants concerned.
"""

from __future__ import annotations

import numpy as np

from grfkit.errors import DropoutError
from grfkit.io.stances import StanceDataset


def raise_if_any_nonfinite(bad_rows: np.ndarray, dataset: StanceDataset, what: str, channel: str) -> None:
    """Raise if any row of ``dataset`` is flagged as holding non-finite values.

    Parameters
    ----------
    bad_rows
        Boolean mask over the stances of ``dataset``.
    dataset
        The stances the mask refers to.
    what
        What the rows are, for the message (``"stances"``, ``"target curves"``).
    channel
        The channel the values belong to.

    Raises
    ------
    DropoutError
        If ``bad_rows`` flags any stance; the message gives their number and
        participants.
    """
    if bad_rows.any():
        participants = sorted(set(dataset.meta["participant"].astype(str)[bad_rows]))
        raise DropoutError(
            f"{int(bad_rows.sum())} {what} hold NaN or infinite values (participants {participants})",
            channel=channel,
        )
