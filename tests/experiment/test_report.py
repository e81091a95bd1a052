"""Tests of grfkit.experiment.report: summaries in the study's format, published comparison, side-by-side tables."""

import numpy as np

from grfkit.experiment.config import PUBLISHED_RRMSE
from grfkit.experiment.report import (
    compare_with_published,
    format_summary,
    rrmse_table,
    summarise_results,
)
from grfkit.experiment.strategies import ALL_STRATEGIES


def test_summaries_in_the_studys_format(run, config, stances, tmp_path) -> None:
    results = run(config, stances, tmp_path, "out")
    summary = summarise_results(results.table)
    assert list(summary["strategy"]) == list(ALL_STRATEGIES) and (summary["n_participants"] == 3).all()
    assert (summary["n_undefined"] == 0).all()
    row = summary.iloc[0]
    assert row.rrmse_pct_min <= row.rrmse_pct_mean <= row.rrmse_pct_max
    text = results.summary()
    assert "preset tiny" in text and all(s in text for s in ALL_STRATEGIES) and "undefined" not in text
    cell = f"{row.rrmse_pct_mean:.1f} ({row.rrmse_pct_min:.1f}–{row.rrmse_pct_max:.1f})"
    assert cell in format_summary(results.table)
    compared = compare_with_published(results.table)
    combined = compared.loc[compared["strategy"] == "combined"].iloc[0]
    published = (combined.published_mean, combined.published_min, combined.published_max)
    assert published == PUBLISHED_RRMSE[("combined", "vgrf")]
    assert np.isnan(compared.loc[compared["strategy"] == "overground", "published_mean"]).all()


def test_rrmse_table_side_by_side(run, config, stances, tmp_path) -> None:
    table = run(config, stances, tmp_path, "out").table
    side = rrmse_table({"book": table, "only combined": table.loc[table["strategy"] == "combined"]})
    assert list(side.columns) == ["book", "only combined", "published"]
    assert side.index.names == ["strategy", "target"] and len(side) == len(ALL_STRATEGIES)
    row = summarise_results(table).set_index("strategy").loc["combined"]
    assert side.loc[("combined", "vgrf"), "book"] == (
        f"{row.rrmse_pct_mean:.1f} ({row.rrmse_pct_min:.1f}–{row.rrmse_pct_max:.1f})")
    assert side.loc[("combined", "vgrf"), "published"] == "6.1 (3.5–10.7)"
    assert side.loc[("overground", "vgrf"), "only combined"] == "–" == side.loc[("overground", "vgrf"), "published"]
    assert list(rrmse_table({"book": table}, published=None).columns) == ["book"]

