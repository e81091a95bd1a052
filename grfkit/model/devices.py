"""Which torch device trains and estimates: ``"cpu"``, ``"cuda"`` or ``"auto"``.

:func:`resolve_device` turns the name a user gives (``--device``) into a
:class:`torch.device`.  Determinism differs by device: on the CPU the same
data, settings, seed and thread count give bit-identical weights.  On CUDA,
cuDNN does not promise bit-identical LSTM gradients across GPUs, drivers or
library versions, so a CUDA run is stated to agree with another (and with a
CPU run) only to a tolerance -- per-participant rRMSE within about 0.1
percentage point, an expectation rather than a measured bound.  Measured once
(``results/paper-preset-gpu``, one H200): a rerun of 12 paper-preset folds
with a fresh cache gave identical metrics.  The resolved device is part of
the experiment's cache keys, so CPU and CUDA results never mix.
"""

from __future__ import annotations

import torch

from grfkit.errors import ConfigError

__all__ = ["DEVICES", "resolve_device"]

#: Device names :func:`resolve_device` accepts.
DEVICES: tuple[str, ...] = ("cpu", "cuda", "auto")


def resolve_device(name: str) -> torch.device:
    """Return the torch device that ``name`` stands for.

    Parameters
    ----------
    name
        ``"cpu"``; ``"cuda"`` (the current GPU; fails without one); or
        ``"auto"`` (``"cuda"`` when torch sees a GPU, else ``"cpu"``).

    Returns
    -------
    torch.device
        ``cpu`` or ``cuda``.

    Raises
    ------
    ConfigError
        For another name, or ``"cuda"`` when torch sees no GPU.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if name not in DEVICES:
        raise ConfigError(f"unknown device {name!r}; choose from {list(DEVICES)}")
    if name == "cpu":
        return torch.device("cpu")
    available = torch.cuda.is_available()
    if name == "cuda" and not available:
        raise ConfigError("device 'cuda' was asked for, but torch sees no CUDA GPU (torch "
                          f"{torch.__version__}, built with CUDA {torch.version.cuda}); use --device cpu or auto")
    return torch.device("cuda" if available else "cpu")
