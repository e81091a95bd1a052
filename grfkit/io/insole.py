"""The instrumented insole: sensor layout, plantar load model and FSR response.

Shared by the simulator, the preprocessing (total load for clock
synchronisation, the insole's centre of pressure) and the "virtual insole"
that turns measured force into insole signals.  Positions are fractions of the
insole: ``ap_frac`` from heel (0) to toe (1), ``ml_frac`` from the medial (0)
to the lateral edge (1); the right insole mirrors the left.
:func:`plantar_distribution` shares a load among the 16 sensors by maximum
entropy, so that the shares' centroid is the centre of pressure;
:func:`fsr_response` turns the force on a sensor into 12-bit ADC counts (a
power-law conductance in a voltage divider, saturation, an activation
threshold); :data:`FSR_LAYOUT` is the sensor layout.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import ConvexHull

from grfkit.io.channels import N_FSR

__all__ = [
    "FsrSensor",
    "FSR_LAYOUT",
    "FSR_AP_FRAC",
    "FSR_ML_FRAC",
    "FSR_AREA_MM2",
    "REGION_LOAD_PRIOR",
    "DEFAULT_SENSOR_LOAD_SHARE",
    "FsrResponse",
    "DEFAULT_FSR_RESPONSE",
    "fsr_response",
    "fsr_force_from_adc",
    "plantar_weights",
    "plantar_distribution",
    "virtual_insole",
    "total_load",
    "insole_cop",
]


@dataclass(frozen=True)
class FsrSensor:
    """One force-sensitive resistor of the insole.

    Parameters
    ----------
    number
        Channel number, 1 to 16 (``left_fsr01_adc`` is number 1), heel to toe.
    region
        Anatomical region under the sensor: ``"heel"``, ``"midfoot"``,
        ``"metatarsal"`` or ``"toes"``.
    label
        What the sensor sits under (e.g. ``"MTH1"``: first metatarsal head).
    ap_frac
        Position along the insole, 0 heel to 1 toe.
    ml_frac
        Position across the insole, 0 medial to 1 lateral.
    area_mm2
        Active sensing area in square millimetres.
    """

    number: int
    region: str
    label: str
    ap_frac: float
    ml_frac: float
    area_mm2: float


#: The 16 sensors of one insole, numbered heel to toe: 3 under the heel,
#: 2 under the lateral midfoot (arch), 6 under the metatarsal heads and
#: 5 under hallux and toes.  Positions follow common plantar-pressure masks
#: (heel centre near 10-15 % of foot length, metatarsal heads near 65-75 %,
#: toes beyond 80 %); they describe a generic 16-sensor insole, not a
#: particular product.
FSR_LAYOUT: tuple[FsrSensor, ...] = (
    FsrSensor(1, "heel", "heel posterior", 0.06, 0.50, 300.0),
    FsrSensor(2, "heel", "heel medial", 0.15, 0.32, 300.0),
    FsrSensor(3, "heel", "heel lateral", 0.15, 0.68, 300.0),
    FsrSensor(4, "midfoot", "lateral arch proximal", 0.36, 0.80, 200.0),
    FsrSensor(5, "midfoot", "lateral arch distal", 0.50, 0.82, 200.0),
    FsrSensor(6, "metatarsal", "first metatarsal shaft", 0.62, 0.30, 200.0),
    FsrSensor(7, "metatarsal", "MTH5", 0.64, 0.85, 200.0),
    FsrSensor(8, "metatarsal", "MTH4", 0.69, 0.71, 200.0),
    FsrSensor(9, "metatarsal", "MTH1", 0.70, 0.18, 200.0),
    FsrSensor(10, "metatarsal", "MTH3", 0.72, 0.55, 200.0),
    FsrSensor(11, "metatarsal", "MTH2", 0.73, 0.38, 200.0),
    FsrSensor(12, "toes", "toe 5", 0.82, 0.75, 120.0),
    FsrSensor(13, "toes", "hallux proximal", 0.86, 0.20, 180.0),
    FsrSensor(14, "toes", "toes 3-4", 0.87, 0.60, 120.0),
    FsrSensor(15, "toes", "toe 2", 0.90, 0.44, 120.0),
    FsrSensor(16, "toes", "hallux distal", 0.94, 0.24, 180.0),
)


def _frozen(values: list[float]) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


#: Sensor positions along the insole (0 heel, 1 toe), in channel order.
FSR_AP_FRAC: np.ndarray = _frozen([s.ap_frac for s in FSR_LAYOUT])
#: Sensor positions across the insole (0 medial, 1 lateral), in channel order.
FSR_ML_FRAC: np.ndarray = _frozen([s.ml_frac for s in FSR_LAYOUT])
#: Sensor areas in mm², in channel order.
FSR_AREA_MM2: np.ndarray = _frozen([s.area_mm2 for s in FSR_LAYOUT])

#: Relative load a region carries per unit sensor area when the whole foot is
#: down (the arch carries least, the toes less than heel and forefoot).
REGION_LOAD_PRIOR: dict[str, float] = {"heel": 1.0, "midfoot": 0.35, "metatarsal": 1.0, "toes": 0.6}

#: Fraction of the plantar load that passes through the 16 sensing areas.
DEFAULT_SENSOR_LOAD_SHARE: float = 0.6

_LOG_PRIOR = np.log(np.array([s.area_mm2 * REGION_LOAD_PRIOR[s.region] for s in FSR_LAYOUT]))
_POSITIONS = np.stack([FSR_AP_FRAC, FSR_ML_FRAC], axis=1)  # (16, 2)
assert len(FSR_LAYOUT) == N_FSR


def _shrunk_hull() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sensors' convex hull shrunk by 3 % towards its centre.

    Returns the vertices (counter-clockwise) and the half-planes
    ``normals @ p <= offsets`` that bound it.
    """
    hull = ConvexHull(_POSITIONS)
    centre = _POSITIONS[hull.vertices].mean(axis=0)
    vertices = centre + 0.97 * (_POSITIONS[hull.vertices] - centre)
    edges = np.roll(vertices, -1, axis=0) - vertices
    normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1)  # outward for counter-clockwise vertices
    offsets = np.einsum("kd,kd->k", normals, vertices)
    return vertices, normals, offsets


_HULL_VERTICES, _HULL_NORMALS, _HULL_OFFSETS = _shrunk_hull()
_TABLE_AP = np.linspace(0.0, 1.0, 201)
_TABLE_ML = np.linspace(0.0, 1.0, 101)


@dataclass(frozen=True)
class FsrResponse:
    """Electrical response of one FSR channel (sensor, voltage divider, ADC).

    Parameters
    ----------
    half_scale_force_n
        Force at which the divider outputs half of full scale (2048 counts).
    exponent
        Power-law exponent of the FSR conductance versus force.
    saturation_force_n
        Scale of the sensing layer's saturation, ``F_sat * tanh(F / F_sat)``.
    activation_force_n
        Force below which the FSR does not conduct.
    noise_adc
        Standard deviation of the converter noise, in counts.
    adc_max
        Largest ADC count (4095 for 12 bits).
    """

    half_scale_force_n: float = 150.0
    exponent: float = 0.9
    saturation_force_n: float = 900.0
    activation_force_n: float = 0.5
    noise_adc: float = 4.0
    adc_max: int = 4095


#: Response used by the simulator and by :func:`virtual_insole` by default.
DEFAULT_FSR_RESPONSE = FsrResponse()


def fsr_response(
    sensor_force_n: ArrayLike,
    *,
    response: FsrResponse = DEFAULT_FSR_RESPONSE,
    gain: ArrayLike = 1.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Convert the force on FSR sensors to raw ADC counts.

    Parameters
    ----------
    sensor_force_n
        Force on each sensor in newtons, any shape (e.g. ``(n_samples, 16)``).
    response
        Sensor, divider and converter parameters.
    gain
        Multiplies the force before the response (fit/calibration gain);
        broadcast against ``sensor_force_n`` (a scalar or one gain per sensor).
    rng
        Random generator for converter noise; ``None`` gives the noise-free
        response (still rounded to whole counts).

    Returns
    -------
    numpy.ndarray
        ADC counts (``int16``, 0 to ``response.adc_max``), same shape as
        ``sensor_force_n``.

    Examples
    --------
    >>> int(fsr_response(150.0, response=FsrResponse(saturation_force_n=1e9, activation_force_n=0.0)))
    2048
    """
    force = np.asarray(sensor_force_n, dtype=np.float32) * np.asarray(gain, dtype=np.float32)
    effective = force - np.float32(response.activation_force_n)
    conducting = effective > 0
    adc = np.zeros(force.shape, dtype=np.float32)
    saturation = np.float32(response.saturation_force_n)
    x = (
        saturation * np.tanh(effective[conducting] / saturation) / np.float32(response.half_scale_force_n)
    ) ** np.float32(response.exponent)
    adc[conducting] = response.adc_max * x / (1 + x)
    if rng is not None and response.noise_adc > 0:
        adc += np.float32(response.noise_adc) * rng.standard_normal(size=adc.shape, dtype=np.float32)
    return np.clip(np.rint(adc), 0, response.adc_max).astype(np.int16)


def fsr_force_from_adc(
    fsr_adc: ArrayLike,
    *,
    response: FsrResponse = DEFAULT_FSR_RESPONSE,
    gain: ArrayLike = 1.0,
) -> np.ndarray:
    """Invert the noise-free FSR response: ADC counts to sensor force.

    Parameters
    ----------
    fsr_adc
        ADC counts, any shape.
    response
        Response parameters assumed for the sensors.
    gain
        Fit/calibration gain assumed (divides the result).

    Returns
    -------
    numpy.ndarray
        Force in newtons (0 for counts at or below 0).  Counts at or above the
        response's ceiling (the saturated sensing layer) map to a large
        finite force, not infinity.
    """
    adc = np.clip(np.asarray(fsr_adc, dtype=np.float64), 0.0, response.adc_max - 0.5)
    x = adc / (response.adc_max - adc)
    compressed = response.half_scale_force_n * x ** (1.0 / response.exponent)
    ratio = np.minimum(compressed / response.saturation_force_n, 1.0 - 1e-6)
    effective = response.saturation_force_n * np.arctanh(ratio)
    force = np.where(adc > 0, effective + response.activation_force_n, 0.0)
    return force / np.asarray(gain, dtype=np.float64)


def _project_into_hull(targets: np.ndarray) -> np.ndarray:
    """Move targets outside the (slightly shrunk) sensor hull onto its boundary."""
    inside = np.all(targets @ _HULL_NORMALS.T <= _HULL_OFFSETS, axis=1)
    if inside.all():
        return targets
    out = targets[~inside]
    a, b = _HULL_VERTICES, np.roll(_HULL_VERTICES, -1, axis=0)  # edges a -> b
    ab = b - a
    t = np.einsum("nkd,kd->nk", out[:, None, :] - a[None], ab) / np.einsum("kd,kd->k", ab, ab)
    closest = a[None] + np.clip(t, 0.0, 1.0)[:, :, None] * ab[None]
    distance = np.linalg.norm(closest - out[:, None, :], axis=2)
    projected = targets.copy()
    projected[~inside] = closest[np.arange(len(out)), distance.argmin(axis=1)]
    return projected


def _solve_weights(targets: np.ndarray, *, max_iterations: int = 60, tolerance_frac: float = 1e-7) -> np.ndarray:
    """Maximum-entropy sensor weights with centroid ``targets`` (inside the hull), by Newton's method."""
    offsets = _POSITIONS[None, :, :] - targets[:, None, :]  # (n, 16, 2)
    lam = np.zeros_like(targets)
    weights = np.empty((len(targets), N_FSR))
    active = np.arange(len(targets))
    for _ in range(max_iterations):
        d = offsets[active]
        logits = _LOG_PRIOR[None, :] + np.einsum("nkd,nd->nk", d, lam[active])
        logits -= logits.max(axis=1, keepdims=True)
        w = np.exp(logits)
        w /= w.sum(axis=1, keepdims=True)
        weights[active] = w
        gradient = np.einsum("nk,nkd->nd", w, d)
        todo = np.abs(gradient).max(axis=1) >= tolerance_frac
        if not todo.any():
            break
        covariance = np.einsum("nk,nkd,nke->nde", w, d, d) - gradient[:, :, None] * gradient[:, None, :]
        step = np.linalg.solve(covariance + 1e-12 * np.eye(2), gradient[:, :, None])[:, :, 0]
        step *= np.minimum(1.0, 10.0 / np.maximum(np.linalg.norm(step, axis=1, keepdims=True), 1e-12))
        active = active[todo]
        lam[active] -= step[todo]
    return weights


@functools.cache
def _weight_table() -> np.ndarray:
    """Weights on a regular (ap, ml) grid over the whole insole, shape (n_ap, n_ml, 16)."""
    ap, ml = np.meshgrid(_TABLE_AP, _TABLE_ML, indexing="ij")
    targets = _project_into_hull(np.stack([ap.ravel(), ml.ravel()], axis=1))
    table = _solve_weights(targets).reshape(len(_TABLE_AP), len(_TABLE_ML), N_FSR)
    table.flags.writeable = False
    return table


def plantar_weights(cop_ap_frac: ArrayLike, cop_ml_frac: ArrayLike) -> np.ndarray:
    """Share of the plantar load on each sensor for a centre of pressure.

    The maximum-entropy distribution over the 16 sensors (prior: area times
    :data:`REGION_LOAD_PRIOR`) whose centroid is the given COP.  It is solved
    once by Newton's method on a regular grid of COPs (0.005 along, 0.01
    across the insole) and interpolated bilinearly; because the centroid is
    linear in the weights, the interpolated weights keep the centroid exactly
    on the target.  A COP outside the sensors' convex hull (shrunk by 3 %
    towards its centre, since the hull's edge is only reached in the limit)
    cannot be matched and is first moved to the nearest point of that hull.

    Parameters
    ----------
    cop_ap_frac, cop_ml_frac
        Centre of pressure in insole fractions (0 heel .. 1 toe, 0 medial ..
        1 lateral), 1-D arrays of equal length or scalars; values outside
        0..1 are clipped.

    Returns
    -------
    numpy.ndarray
        Weights of shape ``(n, 16)``, non-negative, each row summing to 1.

    Raises
    ------
    ValueError
        If the two COP arrays differ in shape or hold NaN.

    Examples
    --------
    >>> w = plantar_weights([0.15, 0.9], [0.6, 0.3])
    >>> np.round(w @ FSR_AP_FRAC, 3).tolist(), np.round(w @ FSR_ML_FRAC, 3).tolist()
    ([0.15, 0.9], [0.6, 0.3])
    """
    ap = np.atleast_1d(np.asarray(cop_ap_frac, dtype=np.float64))
    ml = np.atleast_1d(np.asarray(cop_ml_frac, dtype=np.float64))
    if ap.shape != ml.shape or ap.ndim != 1:
        raise ValueError(f"cop_ap_frac and cop_ml_frac must be 1-D of equal length, got {ap.shape} and {ml.shape}")
    if np.isnan(ap).any() or np.isnan(ml).any():
        raise ValueError("the centre of pressure holds NaN; give a defined COP wherever the foot is loaded")
    table = _weight_table()
    u = np.clip(ap, 0.0, 1.0) * (len(_TABLE_AP) - 1)
    v = np.clip(ml, 0.0, 1.0) * (len(_TABLE_ML) - 1)
    i = np.minimum(u.astype(np.intp), len(_TABLE_AP) - 2)
    j = np.minimum(v.astype(np.intp), len(_TABLE_ML) - 2)
    fu, fv = (u - i)[:, None], (v - j)[:, None]
    return (
        table[i, j] * (1 - fu) * (1 - fv)
        + table[i + 1, j] * fu * (1 - fv)
        + table[i, j + 1] * (1 - fu) * fv
        + table[i + 1, j + 1] * fu * fv
    )


def plantar_distribution(
    vertical_force_n: ArrayLike,
    cop_ap_frac: ArrayLike,
    cop_ml_frac: ArrayLike,
    *,
    sensor_load_share: float = DEFAULT_SENSOR_LOAD_SHARE,
) -> np.ndarray:
    """Force on each of the 16 sensors for a vertical force and its COP.

    Parameters
    ----------
    vertical_force_n
        Vertical force on the foot in newtons, 1-D (``n`` samples).
    cop_ap_frac, cop_ml_frac
        Centre of pressure in insole fractions, same length.  Where the force
        is not positive the COP is ignored (it may be NaN there).
    sensor_load_share
        Fraction of the load passing through the sensing areas.

    Returns
    -------
    numpy.ndarray
        Sensor forces in newtons, shape ``(n, 16)``; zero where the force is
        not positive.
    """
    force = np.atleast_1d(np.asarray(vertical_force_n, dtype=np.float64))
    ap = np.broadcast_to(np.asarray(cop_ap_frac, dtype=np.float64), force.shape)
    ml = np.broadcast_to(np.asarray(cop_ml_frac, dtype=np.float64), force.shape)
    loaded = force > 0
    out = np.zeros((force.size, N_FSR))
    if loaded.any():
        weights = plantar_weights(ap[loaded], ml[loaded])
        out[loaded] = weights * (sensor_load_share * force[loaded])[:, None]
    return out


def virtual_insole(
    vertical_force_n: ArrayLike,
    cop_ap_frac: ArrayLike,
    cop_ml_frac: ArrayLike,
    *,
    sensor_load_share: float = DEFAULT_SENSOR_LOAD_SHARE,
    gain: float = 1.0,
    sensor_gains: ArrayLike | None = None,
    response: FsrResponse = DEFAULT_FSR_RESPONSE,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Insole ADC signals from a vertical force and its centre of pressure.

    The same plantar load model and FSR response the simulator uses, so it
    can turn real force-plate data (force and COP expressed in insole
    fractions) into the insole signals a wearer would have produced.

    Parameters
    ----------
    vertical_force_n
        Vertical ground reaction force on the foot, 1-D, newtons.
    cop_ap_frac, cop_ml_frac
        Centre of pressure in insole fractions (0 heel .. 1 toe, 0 medial ..
        1 lateral); may be NaN where the force is not positive.
    sensor_load_share
        Fraction of the load passing through the sensing areas.
    gain
        Fit/calibration gain of this insole (1: nominal).
    sensor_gains
        Optional per-sensor gains, 16 values.
    response
        FSR response.
    rng
        Random generator for converter noise (``None``: noise-free).

    Returns
    -------
    numpy.ndarray
        ADC counts, ``int16``, shape ``(n, 16)``.

    Examples
    --------
    >>> adc = virtual_insole([0.0, 1500.0], [np.nan, 0.15], [np.nan, 0.6])
    >>> adc.shape, int(adc[0].max()), bool(adc[1, :3].sum() > adc[1, 10:].sum())
    ((2, 16), 0, True)
    """
    forces = plantar_distribution(vertical_force_n, cop_ap_frac, cop_ml_frac, sensor_load_share=sensor_load_share)
    gains = np.asarray(gain, dtype=np.float64)
    if sensor_gains is not None:
        gains = gains * np.asarray(sensor_gains, dtype=np.float64)
    return fsr_response(forces, response=response, gain=gains, rng=rng)


def _as_fsr_matrix(fsr_adc: ArrayLike) -> np.ndarray:
    values = np.asarray(fsr_adc, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != N_FSR:
        raise ValueError(f"expected FSR counts of shape (n_samples, {N_FSR}), got {values.shape}")
    return values


def total_load(
    fsr_adc: ArrayLike,
    *,
    linearise: bool = False,
    response: FsrResponse = DEFAULT_FSR_RESPONSE,
) -> np.ndarray:
    """Total insole load per sample.

    Parameters
    ----------
    fsr_adc
        ADC counts of one insole, shape ``(n_samples, 16)`` (an array or the
        16 FSR columns of a DataFrame).
    linearise
        ``False``: the sum of the raw counts.  ``True``: invert the nominal
        FSR response first and sum the sensor forces (newtons through the
        sensing areas; closer to proportional to the vertical force, but only
        as good as the assumed response).
    response
        Response assumed when ``linearise`` is true.

    Returns
    -------
    numpy.ndarray
        One value per sample (counts, or newtons when linearised).

    Raises
    ------
    ValueError
        If the input is not ``(n_samples, 16)``.
    """
    values = _as_fsr_matrix(fsr_adc)
    if linearise:
        values = fsr_force_from_adc(values, response=response)
    return values.sum(axis=1)


def insole_cop(
    fsr_adc: ArrayLike,
    *,
    min_total_adc: float = 100.0,
    unloaded_value_frac: float = np.nan,
) -> tuple[np.ndarray, np.ndarray]:
    """Insole centre of pressure: the count-weighted centroid of the sensors.

    Parameters
    ----------
    fsr_adc
        ADC counts of one insole, shape ``(n_samples, 16)``.
    min_total_adc
        Below this total count the insole is unloaded (swing phase, only
        noise) and the centroid is not defined.
    unloaded_value_frac
        Value returned for unloaded samples (default NaN; a model input may
        prefer a constant such as 0.5).

    Returns
    -------
    cop_ap_frac, cop_ml_frac : numpy.ndarray
        Centroid along (0 heel .. 1 toe) and across (0 medial .. 1 lateral)
        the insole, one value per sample.  The weights are the raw counts, so
        the FSR non-linearity biases the centroid towards lightly loaded
        sensors compared with the true COP.

    Raises
    ------
    ValueError
        If the input is not ``(n_samples, 16)``.

    Examples
    --------
    >>> counts = np.zeros((1, 16)); counts[0, 8] = 3000
    >>> ap, ml = insole_cop(counts)
    >>> bool(ap[0] == FSR_AP_FRAC[8]), bool(ml[0] == FSR_ML_FRAC[8])
    (True, True)
    """
    values = np.clip(_as_fsr_matrix(fsr_adc), 0.0, None)
    total = values.sum(axis=1)
    loaded = total >= min_total_adc
    safe = np.where(loaded, total, 1.0)
    ap = np.where(loaded, values @ FSR_AP_FRAC / safe, unloaded_value_frac)
    ml = np.where(loaded, values @ FSR_ML_FRAC / safe, unloaded_value_frac)
    return ap, ml
