"""The overground lab: a runway with a row of force plates, two half turns and a capture volume.

:class:`LabLayout` holds the geometry: four force plates (0.6 m along the
runway by 0.4 m, 5 mm gaps) in a row in the middle of a straight runway,
centred on ``x = 0``, ``y = 0``; the runner loops around the lab anticlockwise
(along the runway in +x over the plates, a half turn, back along a parallel
straight, another half turn).  It gives the plates, a point of the loop at a
distance, and the steady-speed section of the runway where the plates lie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grfkit.io.schema import Plate

__all__ = ["LabLayout"]


@dataclass(frozen=True)
class LabLayout:
    """Geometry of the overground lab.

    Parameters
    ----------
    n_plates
        Force plates in the row.
    plate_length_m, plate_width_m
        Plate size along x and y.
    plate_gap_m
        Gap between neighbouring plates.
    plates_centre_x_m
        x of the middle of the plate row (the row is centred on y = 0).
    straight_start_x_m, straight_end_x_m
        Ends of the runway straight (the turns start there).
    turn_radius_m
        Radius of the two half turns (the return straight is at ``y = 2 R``).
    capture_x_m, capture_y_m
        Capture volume of the waist marker (x and y ranges).
    """

    n_plates: int = 4
    plate_length_m: float = 0.6
    plate_width_m: float = 0.4
    plate_gap_m: float = 0.005
    plates_centre_x_m: float = 0.0
    straight_start_x_m: float = -6.0
    straight_end_x_m: float = 6.0
    turn_radius_m: float = 1.75
    capture_x_m: tuple[float, float] = (-4.5, 4.5)
    capture_y_m: tuple[float, float] = (-1.5, 1.5)

    def plates(self) -> tuple[Plate, ...]:
        """The force plates, ``plate1`` (first crossed) to ``plateN``."""
        pitch = self.plate_length_m + self.plate_gap_m
        row = self.n_plates * pitch - self.plate_gap_m
        x0 = self.plates_centre_x_m - row / 2
        half = self.plate_width_m / 2
        return tuple(
            Plate(f"plate{k + 1}", x0 + k * pitch, x0 + k * pitch + self.plate_length_m, -half, half)
            for k in range(self.n_plates)
        )

    @property
    def straight_length_m(self) -> float:
        """Length of each straight."""
        return self.straight_end_x_m - self.straight_start_x_m

    @property
    def loop_length_m(self) -> float:
        """Length of one lap."""
        return 2 * self.straight_length_m + 2 * np.pi * self.turn_radius_m

    def position(self, distance_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point of the loop at a distance from the runway's start.

        Parameters
        ----------
        distance_m
            Distance along the loop (any value; taken modulo the lap length).

        Returns
        -------
        x_m, y_m, heading_rad : numpy.ndarray
            Position and running direction (0: +x).
        """
        s = np.mod(np.asarray(distance_m, dtype=np.float64), self.loop_length_m)
        length, radius = self.straight_length_m, self.turn_radius_m
        arc = np.pi * radius
        x = np.empty_like(s)
        y = np.empty_like(s)
        heading = np.empty_like(s)
        a = s < length
        b = (s >= length) & (s < length + arc)
        c = (s >= length + arc) & (s < 2 * length + arc)
        d = s >= 2 * length + arc
        x[a], y[a], heading[a] = self.straight_start_x_m + s[a], 0.0, 0.0
        phi = (s[b] - length) / radius
        x[b], y[b], heading[b] = self.straight_end_x_m + radius * np.sin(phi), radius - radius * np.cos(phi), phi
        x[c], y[c], heading[c] = self.straight_end_x_m - (s[c] - length - arc), 2 * radius, np.pi
        phi = (s[d] - 2 * length - arc) / radius
        x[d], y[d], heading[d] = (
            self.straight_start_x_m - radius * np.sin(phi),
            radius + radius * np.cos(phi),
            np.pi + phi,
        )
        return x, y, heading

    def steady_section_m(self, ramp_length_m: float) -> tuple[float, float]:
        """x range of the runway where the runner is past the ramps (steady speed).

        Parameters
        ----------
        ramp_length_m
            Distance over which the runner speeds up out of a turn or slows into one.

        Returns
        -------
        tuple of float
            ``(x_start, x_end)``.
        """
        return self.straight_start_x_m + ramp_length_m, self.straight_end_x_m - ramp_length_m

    def turn_distance_m(self, distance_m: np.ndarray) -> np.ndarray:
        """Distance along the loop to the nearest turn (0 inside a turn)."""
        s = np.mod(np.asarray(distance_m, dtype=np.float64), self.loop_length_m)
        length, arc = self.straight_length_m, np.pi * self.turn_radius_m
        on_first = s < length
        on_second = (s >= length + arc) & (s < 2 * length + arc)
        u = np.where(on_second, s - length - arc, s)
        return np.where(on_first | on_second, np.minimum(u, length - u), 0.0)
