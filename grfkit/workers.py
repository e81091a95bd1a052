"""Worker processes that end with the run that started them.

A process pool's workers would otherwise live on after the parent is killed
(``kill -9``, a closed terminal) and keep computing for nobody.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

__all__ = ["exit_with_parent"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def exit_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere nothing).

    Call it first in a pool's ``initializer``.

    Parameters
    ----------
    parent_pid
        ``os.getpid()`` of the parent, taken before the pool started: if the
        parent is already gone when this runs, the worker exits at once.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
