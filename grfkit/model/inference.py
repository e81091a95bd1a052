"""A lean inference path for estimating one stance at a time on the CPU.

:class:`InferenceModel` holds the weights of a
:class:`~grfkit.model.trained_model.TrainedModel` as plain tensors and calls
the same operators as the network directly (z-scoring, the ATen LSTM
operator, the dense layers with ReLU), skipping the ``nn.Module`` overhead
that dominates single-stance calls.  Its estimates equal
:meth:`~grfkit.model.trained_model.TrainedModel.predict_bw`'s up to float
rounding of the scaling step.  It is for evaluation only: no dropout, no
gradients, no training or saving.  ``benchmarks/`` measures its speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from grfkit.constants import N_POINTS
from grfkit.errors import ChannelMismatchError
from grfkit.model.features import FeatureSet
from grfkit.model.trained_model import TrainedModel

__all__ = ["InferenceModel"]


@dataclass(frozen=True, eq=False)
class InferenceModel:
    """A trained model reduced to tensors and operator calls, for fast estimation.

    Parameters
    ----------
    features
        Input channels, in order.
    target
        ``"vgrf"`` or ``"apgrf"``.
    mean, std
        Z-score statistics per channel, ``float32`` tensors ``(n_features,)``.
    lstm_weights
        The LSTM's flat weight list in ``nn.LSTM`` order.
    hidden_size, lstm_layers
        LSTM shape.
    dense
        ``(weight, bias)`` of every dense layer, the last one the output layer.

    Examples
    --------
    >>> fast = InferenceModel.from_trained(model)  # doctest: +SKIP
    >>> fast.estimate_bw(build_inputs(one_stance, model.features)[0])  # doctest: +SKIP
    """

    features: FeatureSet
    target: str
    mean: torch.Tensor
    std: torch.Tensor
    lstm_weights: tuple[torch.Tensor, ...]
    hidden_size: int
    lstm_layers: int
    dense: tuple[tuple[torch.Tensor, torch.Tensor], ...]

    @classmethod
    def from_trained(cls, model: TrainedModel) -> InferenceModel:
        """Copy a trained model's scaler and weights into an inference model.

        Parameters
        ----------
        model
            A trained model (its network is not modified).

        Returns
        -------
        InferenceModel
            On the CPU.
        """
        network = model.network
        lstm = network.lstm
        linears = [m for m in network.head if isinstance(m, torch.nn.Linear)]
        detach = lambda t: t.detach().to("cpu", torch.float32).clone().contiguous()  # noqa: E731
        return cls(
            features=model.features,
            target=model.target,
            mean=torch.tensor(model.scaler.mean, dtype=torch.float32),
            std=torch.tensor(model.scaler.std, dtype=torch.float32),
            lstm_weights=tuple(detach(w) for w in lstm._flat_weights),
            hidden_size=lstm.hidden_size,
            lstm_layers=lstm.num_layers,
            dense=tuple((detach(m.weight), detach(m.bias)) for m in linears),
        )

    def estimate_bw(self, inputs: np.ndarray) -> np.ndarray:
        """Estimate force curves in body weights from unscaled model inputs.

        Parameters
        ----------
        inputs
            One stance ``(101, n_features)`` or several ``(n, 101, n_features)``,
            in physical units, channels in :attr:`features` order (as
            :func:`grfkit.model.features.build_inputs` returns them).

        Returns
        -------
        numpy.ndarray
            ``float64`` ``(101,)`` or ``(n, 101)``.

        Raises
        ------
        ChannelMismatchError
            If the last axis is not ``len(features)`` long or the time axis
            is not 101 points.
        """
        x = torch.as_tensor(np.asarray(inputs, dtype=np.float32))
        single = x.ndim == 2
        if single:
            x = x.unsqueeze(0)
        if x.ndim != 3 or x.shape[1] != N_POINTS or x.shape[2] != len(self.features):
            raise ChannelMismatchError(
                f"inputs must have shape ([n,] {N_POINTS}, {len(self.features)}) for channels "
                f"{list(self.features.channels)}, got {tuple(np.shape(inputs))}"
            )
        with torch.inference_mode():
            z = (x - self.mean) / self.std
            h0 = torch.zeros(2 * self.lstm_layers, z.shape[0], self.hidden_size)
            # Arguments: input, (h0, c0), weights, has_biases, num_layers, dropout, train, bidirectional, batch_first.
            out = torch.ops.aten.lstm.input(z, [h0, h0], list(self.lstm_weights), True, self.lstm_layers, 0.0,
                                            False, True, True)[0]
            for weight, bias in self.dense[:-1]:
                out = torch.relu_(torch.nn.functional.linear(out, weight, bias))
            weight, bias = self.dense[-1]
            out = torch.nn.functional.linear(out, weight, bias).squeeze(-1)
        result = out.numpy().astype(np.float64)
        return result[0] if single else result

    def estimate_n(self, inputs: np.ndarray, body_mass_kg: float | np.ndarray) -> np.ndarray:
        """Estimate force curves in newtons.

        Parameters
        ----------
        inputs
            As for :meth:`estimate_bw`.
        body_mass_kg
            Body mass of the runner, scalar or one per stance.

        Returns
        -------
        numpy.ndarray
            ``float64`` curves in newtons, shaped as :meth:`estimate_bw`'s.
        """
        from grfkit.constants import GRAVITY_MPS2

        bw = self.estimate_bw(inputs)
        mass = np.asarray(body_mass_kg, dtype=np.float64)
        return bw * (mass[:, None] if mass.ndim == 1 else mass) * GRAVITY_MPS2
