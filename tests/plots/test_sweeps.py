"""The learning-curve figure of a sweep: means and participants, flat references, typed errors."""

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.plots.sweeps import learning_curve_figure


@pytest.fixture
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [{"value": 0.0, "strategy": "overground", "target": t, "subject": s, "rrmse_pct": rng.uniform(5, 9)}
            for t in ("vgrf", "apgrf") for s in ("OG01", "OG02", "OG03")]
    rows += [{"value": v, "strategy": k, "target": t, "subject": s, "rrmse_pct": rng.uniform(4, 8)}
             for v in (0.25, 0.5, 1.0) for k in ("transfer", "combined") for t in ("vgrf", "apgrf")
             for s in ("OG01", "OG02", "OG03")]
    return pd.DataFrame(rows)


def test_one_mean_line_per_strategy_and_target_over_the_participants(table) -> None:
    fig = learning_curve_figure(table, x_title="fraction", log_x=True, flat=("overground",))
    means = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(means) == 2 * 2  # transfer and combined, in each of 2 panels
    combined_vgrf = next(t for t in means if t.name == "Combined" and t.xaxis == "x")
    expected = table.query("strategy == 'combined' and target == 'vgrf'").groupby("value")["rrmse_pct"].mean()
    np.testing.assert_allclose(combined_vgrf.y, expected.to_numpy())
    participants = [t for t in fig.data if t.mode == "lines" and t.opacity == 0.25]
    assert len(participants) == 2 * 2 * 3
    flat = [t for t in fig.data if t.line.dash == "dash"]
    assert len(flat) == 2 and list(flat[0].x) == [0.25, 1.0]
    assert flat[0].y[0] == pytest.approx(table.query("strategy == 'overground' and target == 'vgrf'")
                                         ["rrmse_pct"].mean())
    assert fig.layout.xaxis.type == "log"
    assert sum(bool(t.showlegend) for t in fig.data) == 3  # each strategy in the legend once


def test_a_zero_value_on_a_log_axis_and_a_missing_column_are_typed_errors(table) -> None:
    with pytest.raises(ConfigError, match="logarithmic"):
        learning_curve_figure(table, x_title="fraction", log_x=True)
    with pytest.raises(ConfigError, match="subject"):
        learning_curve_figure(table.drop(columns="subject"), x_title="fraction")
