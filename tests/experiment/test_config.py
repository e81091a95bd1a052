"""Tests of grfkit.experiment.config: the defaults, their normalisation and the errors of a bad config."""

import json

import pytest

from grfkit.errors import ConfigError
from grfkit.experiment.config import TARGETS, ExperimentConfig
from grfkit.experiment.strategies import ALL_STRATEGIES
from grfkit.model.baselines import BASELINES


def test_config_defaults_and_normalisation() -> None:
    c = ExperimentConfig()
    assert (c.scale, c.seed, c.preset, c.strategies, c.targets, c.participants, c.num_threads) == (
        "ci", 0, "fast", ALL_STRATEGIES, TARGETS, None, 1)
    assert set(BASELINES) < set(c.strategies)
    c = ExperimentConfig(scale="book", strategies=["combined"], targets="apgrf", participants=["OG02"])
    assert c.strategies == ("combined",) and c.targets == ("apgrf",) and c.participants == ("OG02",)
    assert c.to_dict()["preset"]["hidden_size"] == c.model_preset.hidden_size
    json.dumps(c.to_dict())
    with pytest.raises(AttributeError):
        c.seed = 1  # frozen


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strategies": ("overground", "mixed")}, "unknown strategy 'mixed'"),
        ({"targets": ("mlgrf",)}, "unknown targets"),
        ({"preset": "huge"}, "unknown model preset 'huge'"),
        ({"scale": "tiny"}, "unknown scale 'tiny'"),
        ({"strategies": ()}, "non-empty"),
        ({"targets": ("vgrf", "vgrf")}, "without repeats"),
        ({"num_threads": 0}, "num_threads"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_config_raises_config_error(kwargs, message) -> None:
    with pytest.raises(ConfigError, match=message):
        ExperimentConfig(**kwargs)

