"""Numbers of the real-data comparison in words, for the book's chapter 6.

:func:`range_text` writes the range of a column (``"0.91–1.12"``);
:func:`peak_difference_text` the relative difference of the simulated peak
vertical force from the real one at each speed of a
:func:`grfkit.real.validation.validate_simulator` table.  Both only format:
the numbers come from :mod:`grfkit.real.validation` and its companions.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["peak_difference_text", "range_text"]


def range_text(values: pd.Series, digits: int, *, scale: float = 1.0) -> str:
    """The smallest and the largest value, scaled and rounded, joined by an en dash.

    Parameters
    ----------
    values
        Numbers (NaN is ignored).
    digits
        Digits after the decimal point.
    scale
        Factor applied first (e.g. 100 for a fraction written as a percentage).

    Returns
    -------
    str
        ``"low–high"``.

    Examples
    --------
    >>> range_text(pd.Series([0.25, 0.125, 0.5]), 2, scale=100)
    '12.50–50.00'
    """
    return f"{scale * values.min():.{digits}f}–{scale * values.max():.{digits}f}"


def peak_difference_text(table: pd.DataFrame) -> str:
    """Relative difference of the simulated from the real peak vGRF, per comparison.

    Parameters
    ----------
    table
        The comparison table of
        :func:`grfkit.real.validation.validate_simulator` (``feature``,
        ``comparison``, ``z``, ``simulated_mean``, ``real_mean``).  Rows of
        ``peak_vgrf_bw`` without a ``z`` (not simulated) are left out.

    Returns
    -------
    str
        ``"+3 % at 2.5 m/s; -1 % at 3.5 m/s"``: simulated over real mean minus
        one, in whole percent, each comparison without its ``"treadmill "``
        prefix, joined with ``"; "``.
    """
    peak = table[table["feature"] == "peak_vgrf_bw"].dropna(subset=["z"])
    pct = 100 * (peak["simulated_mean"] / peak["real_mean"] - 1)
    return "; ".join(f"{p:+.0f} % at {c.removeprefix('treadmill ')}"
                     for c, p in zip(peak["comparison"], pct, strict=True))
