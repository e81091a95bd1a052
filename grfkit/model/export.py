"""Export a trained model to ONNX or TorchScript, with its normalisation inside the graph.

:func:`export_model` wraps the network of a
:class:`~grfkit.model.trained_model.TrainedModel` so that the exported graph
takes raw channel values, ``float32`` ``(batch, 101, n_channels)`` in the
model's channel order and units, z-scores them with the training statistics
(in float64, as :meth:`grfkit.model.normalisation.Scaler.transform` does) and
returns the force in body weights, ``(batch, 101)``.  The channel list, units
and target travel inside the file (ONNX metadata, TorchScript extra file);
:func:`load_exported` reads both formats back as an :class:`ExportedModel`
that checks the input shape.  ONNX needs the optional extra ``export``
(``pip install 'grfkit[export]'``: onnx, onnxruntime) and is written by
PyTorch's TorchScript-based exporter (the newer one needs onnxscript);
PyTorch deprecates both that exporter and TorchScript, whose deprecation
warnings are therefore silenced here.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from grfkit import __version__
from grfkit.constants import N_POINTS
from grfkit.errors import ChannelMismatchError, ConfigError, FileFormatError, MissingFileError
from grfkit.model.artifact import channel_units
from grfkit.model.trained_model import TrainedModel
from grfkit.storage.atomic import atomic_path

__all__ = ["FORMATS", "RawInputModel", "export_model", "ExportedModel", "load_exported"]

#: Export formats and the file suffix :func:`export_model` suggests for each.
FORMATS: dict[str, str] = {"onnx": ".onnx", "torchscript": ".torchscript.pt"}

_METADATA_KEY = "grfkit"
_EXTRA_FILE = "grfkit.json"
_OPSET = 17


@contextlib.contextmanager
def _torch_export_warnings_silenced() -> Iterator[None]:
    """Silence PyTorch's deprecation of TorchScript and the legacy ONNX exporter, and its tracer."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"`torch\.jit\.\w+` is deprecated", DeprecationWarning)
        warnings.filterwarnings(
            "ignore", r"You are using the legacy TorchScript-based ONNX export", DeprecationWarning
        )
        warnings.filterwarnings("ignore", r"The feature will be removed", DeprecationWarning)
        # The shape check and the LSTM's own checks become constants in the trace: the runner
        # repeats the shape check, and the tests run batches of 1 and of many stances.
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings(
            "ignore", r"Exporting a model to ONNX with a batch_size other than 1", UserWarning
        )
        yield


class RawInputModel(nn.Module):
    """A network with its z-scoring in front: raw channel values in, force in body weights out.

    Parameters
    ----------
    model
        A trained model (its network, shared, not copied, is put into evaluation mode).

    Examples
    --------
    >>> raw = torch.from_numpy(build_inputs(stances, model.features))  # doctest: +SKIP
    >>> RawInputModel(model)(raw)  # doctest: +SKIP
    """

    def __init__(self, model: TrainedModel) -> None:
        super().__init__()
        self.network = model.network.to("cpu").eval()
        self.register_buffer("mean", torch.tensor(model.scaler.mean, dtype=torch.float64))
        self.register_buffer("std", torch.tensor(model.scaler.std, dtype=torch.float64))
        self.n_channels = len(model.features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Estimate force curves in body weights.

        Parameters
        ----------
        x
            Raw channel values ``(batch, 101, n_channels)``.

        Returns
        -------
        torch.Tensor
            ``float32`` ``(batch, 101)``.
        """
        if x.shape[-1] != self.n_channels:
            raise ValueError("inputs have the wrong number of channels on their last axis")
        z = ((x.to(torch.float64) - self.mean) / self.std).to(torch.float32)
        return self.network(z)


def _metadata(model: TrainedModel, fmt: str) -> dict:
    return {
        "format": fmt,
        "channels": list(model.features.channels),
        "channel_units": channel_units(model.features.channels),
        "target": model.target,
        "output": "force in body weights, (batch, 101)",
        "input": f"raw channel values, float32 (batch, {N_POINTS}, {len(model.features)})",
        "preset": model.preset.name,
        "grfkit_version": __version__,
        "provenance": None if model.provenance is None else model.provenance.to_dict(),
    }


def export_model(model: TrainedModel | str | Path, fmt: str, out: str | Path) -> Path:
    """Write a trained model as one ONNX or TorchScript file that takes raw channel values.

    Parameters
    ----------
    model
        A trained model, or a model folder (:meth:`grfkit.model.trained_model.TrainedModel.load`).
    fmt
        ``"onnx"`` or ``"torchscript"``.
    out
        File to write, atomically (an existing file is replaced).

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    ConfigError
        For an unknown format, or ONNX without the ``export`` extra installed.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {sorted(FORMATS)}")
    if not isinstance(model, TrainedModel):
        model = TrainedModel.load(model)
    wrapper = RawInputModel(model)
    metadata = json.dumps(_metadata(model, fmt))
    out = Path(out)
    with atomic_path(out) as tmp, _torch_export_warnings_silenced():
        if fmt == "torchscript":
            torch.jit.save(
                torch.jit.script(wrapper), str(tmp), _extra_files={_EXTRA_FILE: metadata}
            )
        else:
            _write_onnx(wrapper, metadata, tmp)
    return out


def _import_onnx():
    try:
        import onnx
    except ImportError:
        raise ConfigError(
            "ONNX export needs the optional extra: pip install 'grfkit[export]'"
        ) from None
    return onnx


def _write_onnx(wrapper: RawInputModel, metadata: str, path: Path) -> None:
    onnx = _import_onnx()
    example = torch.zeros(2, N_POINTS, wrapper.n_channels)
    torch.onnx.export(
        wrapper,
        (example,),
        str(path),
        dynamo=False,
        opset_version=_OPSET,
        input_names=["inputs"],
        output_names=["force_bw"],
        dynamic_axes={"inputs": {0: "batch"}, "force_bw": {0: "batch"}},
    )
    graph = onnx.load(str(path))
    entry = graph.metadata_props.add()
    entry.key, entry.value = _METADATA_KEY, metadata
    graph.producer_name, graph.producer_version = "grfkit", __version__
    onnx.save(graph, str(path))


@dataclass(frozen=True, eq=False)
class ExportedModel:
    """An exported model read back, run by ONNX Runtime or TorchScript.

    Parameters
    ----------
    path
        The exported file.
    metadata
        What :func:`export_model` stored: ``format``, ``channels``,
        ``channel_units``, ``target``, ``preset``, ``grfkit_version``, ``provenance``.
    runner
        An ``onnxruntime.InferenceSession`` or a ``torch.jit.ScriptModule``.
    """

    path: Path
    metadata: dict
    runner: object

    @property
    def channels(self) -> tuple[str, ...]:
        """Input channels, in the order of the last input axis."""
        return tuple(self.metadata["channels"])

    def estimate_bw(self, inputs: np.ndarray) -> np.ndarray:
        """Estimate force curves in body weights from raw channel values.

        Parameters
        ----------
        inputs
            One stance ``(101, n_channels)`` or several ``(n, 101, n_channels)``,
            in physical units (as :func:`grfkit.model.features.build_inputs` returns them).

        Returns
        -------
        numpy.ndarray
            ``float64`` ``(101,)`` or ``(n, 101)``.

        Raises
        ------
        ChannelMismatchError
            If the shape does not fit the model's 101 points and channels.
        """
        x = np.asarray(inputs, dtype=np.float32)
        single = x.ndim == 2
        x = x[None] if single else x
        if x.ndim != 3 or x.shape[1] != N_POINTS or x.shape[2] != len(self.channels):
            raise ChannelMismatchError(
                f"{self.path.name} takes inputs of shape ([n,] {N_POINTS}, {len(self.channels)}) "
                f"for channels "
                f"{list(self.channels)}, got {tuple(np.shape(inputs))}"
            )
        if self.metadata["format"] == "onnx":
            out = self.runner.run(None, {"inputs": np.ascontiguousarray(x)})[0]
        else:
            with torch.inference_mode():
                out = self.runner(torch.from_numpy(np.ascontiguousarray(x))).numpy()
        out = out.astype(np.float64)
        return out[0] if single else out


def load_exported(path: str | Path, *, threads: int = 1) -> ExportedModel:
    """Read a file written by :func:`export_model`, ready to run.

    Parameters
    ----------
    path
        A ``.onnx`` file or a TorchScript file.
    threads
        ONNX Runtime intra-op threads (TorchScript uses torch's setting).

    Returns
    -------
    ExportedModel

    Raises
    ------
    MissingFileError
        If the file does not exist.
    FileFormatError
        If it is no model exported by grfkit.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError("exported model file not found", path=path)
    if path.suffix == ".onnx":
        onnx = _import_onnx()
        import onnxruntime

        try:
            props = {
                p.key: p.value
                for p in onnx.load(str(path), load_external_data=False).metadata_props
            }
        except Exception as error:  # noqa: BLE001 - protobuf raises several types
            raise FileFormatError(
                f"not an ONNX model ({type(error).__name__})", path=path
            ) from None
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = threads
        runner = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        text = props.get(_METADATA_KEY)
    else:
        extra = {_EXTRA_FILE: ""}
        try:
            with _torch_export_warnings_silenced():
                runner = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
        except Exception as error:  # noqa: BLE001 - torch raises many types
            raise FileFormatError(
                f"not a TorchScript model ({type(error).__name__})", path=path
            ) from None
        runner.eval()
        text = extra[_EXTRA_FILE] or None
    if not text:
        raise FileFormatError(
            "the file carries no grfkit metadata (not exported by grfkit export)", path=path
        )
    return ExportedModel(path=path, metadata=json.loads(text), runner=runner)
