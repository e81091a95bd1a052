"""Real running recordings through grfkit's preprocessing chain.

- :mod:`grfkit.real.chain`: the shared steps -- 20 Hz zero-lag low-pass,
  20 N initial contact / toe-off, 101-point time normalisation -- and the
  force-only stance table they produce.
- :mod:`grfkit.real.hamner`: Hamner & Delp (2013) treadmill trials, every
  stance of both feet.
- :mod:`grfkit.real.dorn`: Dorn et al. (2012) overground jog and sprint, every
  clean contact on the 8 plates, rejected contacts reported with the reason.
- :mod:`grfkit.real.alcantara`: Alcantara et al. (2022) sacral accelerometer
  stances and the accelerometer-to-vGRF model split by condition.
- :mod:`grfkit.real.wearables`: virtual shoe IMU and virtual insole stances
  built from real markers and forces (:mod:`grfkit.real.virtual_sensors`).
- :mod:`grfkit.real.transfer`: treadmill LOSO on Hamner, transfer to Dorn.
- :mod:`grfkit.real.speed_variability`: step-to-step running speed from pelvis markers between
  force events (Hamner, Dorn).
- :mod:`grfkit.real.calibration`: which real runners may calibrate the simulator and which are
  held out to validate it (the one place the split is defined).
- :mod:`grfkit.scales`: how much the real-data chapter trains (``ci``, ``book``, ``paper``).
- :mod:`grfkit.plots.real`: the chapter's plotly figures.

The simulator's validation against these data lives in :mod:`grfkit.real.validation`; by
default it compares the simulator with the held-out validation runners only.

What is real and what is derived: the forces, centres of pressure and marker
trajectories are measured; every wearable signal of Hamner and Dorn is
*derived* from them (virtual sensors).  Only the Alcantara accelerometer is a
real wearable signal.
"""
