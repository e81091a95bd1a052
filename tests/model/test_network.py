"""Tests of grfkit.model.network: the BiLSTM's layers, direction and dropout."""

import pytest
import torch

from grfkit.model.features import PUBLISHED_FEATURES
from grfkit.model.network import BiLSTMRegressor, build_network
from grfkit.model.training import torch_threads


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Two OpenMP threads on two shared, busy cores spin against each other: use one."""
    with torch_threads(1):
        yield



def test_paper_network_layers_and_forward_pass() -> None:
    torch.manual_seed(0)
    net = build_network("paper", n_features=len(PUBLISHED_FEATURES))
    assert net.lstm.bidirectional and net.lstm.hidden_size == 512 and net.lstm.num_layers == 1
    linears = [m for m in net.head if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(1024, 64), (64, 32), (32, 1)]
    dropouts = [m.p for m in net.modules() if isinstance(m, torch.nn.Dropout)]
    assert dropouts == [0.2] * 4  # inputs, after the LSTM, after each hidden dense layer
    net.eval()
    with torch.no_grad():
        out = net(torch.randn(3, 101, 29))
    assert out.shape == (3, 101) and torch.isfinite(out).all()


def test_network_is_bidirectional_and_dropout_only_in_training() -> None:
    torch.manual_seed(1)
    net = BiLSTMRegressor(n_features=3, hidden_size=5, dense_sizes=(4,), input_dropout=0.5, dropout=0.5)
    x = torch.randn(2, 6, 3)  # short: at initialisation an LSTM forgets within tens of steps
    net.eval()
    with torch.no_grad():
        a = net(x)
        x_late = x.clone()
        x_late[:, -1] += 5.0  # change only the last time step
        b = net(x_late)
        assert torch.equal(a, net(x))  # no dropout in evaluation mode
    assert not torch.equal(a[:, 0], b[:, 0])  # the first output sees the future: backward direction
    net.train()
    with torch.no_grad():
        assert not torch.equal(net(x), net(x))
