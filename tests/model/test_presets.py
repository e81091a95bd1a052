"""Tests of grfkit.model.presets: the published configuration, validation, round trip."""

import dataclasses
import json

import pytest

from grfkit.errors import ConfigError
from grfkit.model.network import build_network
from grfkit.model.presets import PRESETS, ModelPreset, get_preset


def test_paper_preset_is_the_published_configuration() -> None:
    p = get_preset("paper")
    assert (p.hidden_size, p.lstm_layers, p.dense_sizes) == (512, 1, (64, 32))
    assert (p.input_dropout, p.dropout) == (0.2, 0.2)
    assert (p.learning_rate, p.batch_size, p.epochs, p.grad_clip_norm) == (5e-4, 8, 1, 1.0)
    assert p.min_steps == 0  # exactly the published single epoch


def test_fast_preset_is_smaller_than_paper() -> None:
    fast, paper = get_preset("fast"), get_preset("paper")
    n_params = [sum(q.numel() for q in build_network(p, 29).parameters()) for p in (fast, paper)]
    assert n_params[0] * 50 < n_params[1]
    assert set(PRESETS) == {"paper", "fast", "ci"}


def test_unknown_and_invalid_presets() -> None:
    with pytest.raises(ConfigError, match="huge"):
        get_preset("huge")
    with pytest.raises(ConfigError, match="dropout"):
        dataclasses.replace(get_preset("fast"), dropout=1.0)
    with pytest.raises(ConfigError, match="hidden_size"):
        dataclasses.replace(get_preset("fast"), hidden_size=0)
    with pytest.raises(ConfigError, match="min_steps"):
        dataclasses.replace(get_preset("fast"), min_steps=-1)
    with pytest.raises(ConfigError, match="learning_rate"):
        dataclasses.replace(get_preset("fast"), learning_rate=-1.0)
    with pytest.raises(ConfigError, match="fine_tune_trainable"):
        dataclasses.replace(get_preset("fast"), fine_tune_trainable="lstm")
    assert dataclasses.replace(get_preset("fast"), fine_tune_trainable="output").fine_tune_trainable == "output"
    with pytest.raises(ConfigError, match="missing"):
        ModelPreset.from_dict({"name": "x"})
    p = get_preset("paper")
    assert ModelPreset.from_dict(json.loads(json.dumps(p.to_dict()))) == p
