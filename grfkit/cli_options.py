"""Pieces the ``grfkit`` sub-commands share: their choices, help formatter and common options.

:mod:`grfkit.cli`, :mod:`grfkit.cli_tune` and :mod:`grfkit.cli_sweep` build their
parsers from these, so that an option such as ``--quiet`` or ``--overwrite``
reads the same in every command.  The choices are those of modules that import
PyTorch or pandas, written out here so that ``grfkit --help`` imports neither;
tests/test_cli.py checks that they agree.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from grfkit.scales import SCALES

if TYPE_CHECKING:
    from grfkit.simulate.domain_gap import DomainGap

__all__ = [
    "EXPERIMENT_TIME",
    "GAP_SWITCHES",
    "PRESETS",
    "SPEED_SOURCES",
    "STRATEGIES",
    "TARGETS",
    "HelpFormatter",
    "add_device",
    "add_executor",
    "add_gap_off",
    "add_overwrite",
    "add_quiet",
    "domain_gap",
    "scale_help",
]

#: Strategies and baselines (grfkit.experiment.strategies.ALL_STRATEGIES).
STRATEGIES: tuple[str, ...] = ("overground", "treadmill", "transfer", "combined", "baseline_mean", "baseline_static")
#: Forces to estimate (grfkit.experiment.config.TARGETS).
TARGETS: tuple[str, ...] = ("vgrf", "apgrf")
#: The built-in model presets (grfkit.model.presets.PRESETS).
PRESETS: tuple[str, ...] = ("ci", "fast", "paper")
#: Where ``grfkit predict`` takes the running speed from (grfkit.field.chain; tests/test_cli_field.py checks them).
SPEED_SOURCES: tuple[str, ...] = ("auto", "stated", "imu")
#: The treadmill/overground differences ``--gap-off`` switches off (fields of grfkit.simulate.DomainGap).
GAP_SWITCHES: tuple[str, ...] = ("belt_dynamics", "overground_accelerations", "treadmill_incline", "session_sensors",
                                 "speed_ranges")
#: Wall time of ``grfkit experiment --scale S --workers 2`` on a 2-core CPU with a cold cache (simulation,
#: preprocessing and training; see README.md and results/paper/provenance.json).
EXPERIMENT_TIME: dict[str, str] = {"ci": "about 1-2 min", "book": "about 10 min", "paper": "about 21 min"}


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout and appends each option's default where it has one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help_text = action.help or ""
        default = action.default
        if ("%(default)" in help_text or default is None or default is False or default is argparse.SUPPRESS
                or default == [] or action.required or not action.option_strings):
            return help_text
        shown = " ".join(map(str, default)) if isinstance(default, (list, tuple)) else "%(default)s"
        return f"{help_text} (default: {shown})"


def scale_help() -> str:
    """Return the help text of ``--scale``: each scale's cohort and the experiment's wall time.

    Returns
    -------
    str
        One sentence per scale of :data:`EXPERIMENT_TIME`.
    """
    sizes = []
    for name, time_text in EXPERIMENT_TIME.items():
        s = SCALES[name]
        sizes.append(
            f"{name}: {s.overground_participants} overground runners x {len(s.overground_bouts)} bouts of "
            f"{s.overground_duration_s:g} s and {s.treadmill_participants} treadmill runners x "
            f"{len(s.treadmill_conditions)} conditions of {s.treadmill_duration_s:g} s; experiment {time_text}"
        )
    return ("cohort size. " + "; ".join(sizes)
            + " (--workers 2 on a 2-core CPU, cold cache; simulation alone takes seconds to minutes)")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """Add ``-q`` after the sub-command too; SUPPRESS keeps the value given before it.

    Parameters
    ----------
    parser
        A sub-command's parser.
    """
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars")


def add_overwrite(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--overwrite`` (see :func:`grfkit.storage.output_folders.check_output`).

    Parameters
    ----------
    parser
        A sub-command's parser.
    what
        The kind of folder the command writes, e.g. ``"results folder"``.
    """
    parser.add_argument("--overwrite", action="store_true",
                        help=f"replace an existing --out that is not a grfkit {what} (its contents are moved aside "
                             "to OUT.replaced-<time>, never deleted; input folders and the home folder are "
                             "always refused)")


def add_gap_off(parser: argparse.ArgumentParser) -> None:
    """Add ``--gap-off`` (:data:`GAP_SWITCHES`, or ``all``).

    Parameters
    ----------
    parser
        A sub-command's parser.
    """
    parser.add_argument("--gap-off", nargs="+", default=[], metavar="DIFFERENCE", choices=[*GAP_SWITCHES, "all"],
                        help="switch treadmill/overground differences off (fields of grfkit.simulate.DomainGap: "
                             f"{', '.join(GAP_SWITCHES)}; or all)")


def add_device(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--device`` (see :func:`grfkit.model.devices.resolve_device`).

    Parameters
    ----------
    parser
        A sub-command's parser.
    what
        What runs on the device, completing "torch device that ...".
    """
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu",
                        help=f"torch device that {what}; auto: cuda if torch sees a GPU, else cpu (bit-identical "
                             "results only on the CPU)")


def add_executor(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--executor``, ``--workers`` and ``--scheduler`` (see :func:`grfkit.executors.open_executor`).

    Parameters
    ----------
    parser
        A sub-command's parser.
    what
        The units of work, e.g. ``"folds"``.
    """
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help=f"where {what} run: local (this process or --workers processes) or dask (a "
                             "LocalCluster on 127.0.0.1, or --scheduler); needs pip install 'grfkit[dask]'")
    parser.add_argument("--workers", type=int, default=1,
                        help=f"{what} run in parallel: local processes, or the dask LocalCluster's workers (results "
                             "do not depend on it)")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="with --executor dask: the address of a running Dask scheduler (TLS: tls://HOST:PORT "
                             "and Dask's distributed.comm.tls settings)")


def domain_gap(gap_off: Sequence[str]) -> DomainGap:
    """Return the :class:`~grfkit.simulate.DomainGap` with the named differences (or ``all``) switched off.

    Parameters
    ----------
    gap_off
        Names of :data:`GAP_SWITCHES`, or ``"all"``.

    Returns
    -------
    grfkit.simulate.DomainGap
        The domain gap of the simulated cohort.
    """
    from grfkit.simulate.domain_gap import DomainGap

    off = set(GAP_SWITCHES) if "all" in gap_off else set(gap_off)
    return DomainGap(**{name: False for name in off})
