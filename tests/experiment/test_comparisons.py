"""Tests of grfkit.experiment.comparisons: paired differences, bootstrap, Wilcoxon, Friedman, the findings table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from grfkit.errors import ConfigError
from grfkit.experiment.comparisons import (
    BEST_VS_BASELINE,
    PUBLISHED_FINDINGS,
    FineTuningEffect,
    compare_runs,
    findings_table,
    fine_tuning_effect,
    friedman_test,
    holm_adjusted,
    paired_comparison,
    significantly_better,
)

SUBJECTS = ("a", "b", "c", "d", "e")


def results(values: dict[str, list[float]], target: str = "vgrf", subjects=SUBJECTS) -> pd.DataFrame:
    """A results table: one row per strategy and subject."""
    return pd.DataFrame(
        [
            {"strategy": strategy, "target": target, "subject": subject, "rrmse_pct": value}
            for strategy, column in values.items()
            for subject, value in zip(subjects, column)
        ]
    )


def test_identical_strategies_differ_by_nothing() -> None:
    table = results({"overground": [5.0, 6.0, 7.0, 8.0, 9.0], "combined": [5.0, 6.0, 7.0, 8.0, 9.0]})
    r = paired_comparison(table, "combined", "overground", target="vgrf")
    assert r["n_participants"] == 5 and r["n_unpaired"] == 0
    assert r["mean_difference_pp"] == 0.0 and r["ci_low_pp"] == r["ci_high_pp"] == 0.0
    assert r["n_improved"] == 0 and r["wilcoxon_statistic"] == 0.0 and r["p_value"] == 1.0
    assert r["relative_difference_pct"] == 0.0 and r["mean_a"] == r["mean_b"] == 7.0


def test_a_strictly_better_strategy() -> None:
    better = [4.0, 5.5, 6.0, 6.0, 8.5]
    worse = [5.0, 6.0, 7.0, 8.0, 9.0]
    table = results({"overground": worse, "combined": better})
    r = paired_comparison(table, "combined", "overground", target="vgrf", n_bootstrap=2000, seed=1)
    d = np.array(better) - np.array(worse)
    assert r["n_improved"] == 5
    pd.testing.assert_series_equal(r["differences_pp"], pd.Series(d, index=pd.Index(SUBJECTS, name="subject"),
                                                                  name="difference"))
    assert r["mean_difference_pp"] == pytest.approx(d.mean())
    assert r["relative_difference_pct"] == pytest.approx(100 * d.mean() / 7.0)
    # The bootstrap interval lies within the range of the differences and contains their mean.
    assert d.min() <= r["ci_low_pp"] <= r["mean_difference_pp"] <= r["ci_high_pp"] <= d.max()
    # Exact two-sided signed-rank p with all 5 differences negative: 2 / 2**5.
    assert r["wilcoxon_statistic"] == 0.0 and r["p_value"] == pytest.approx(2 / 2**5)
    reverse = paired_comparison(table, "overground", "combined", target="vgrf", n_bootstrap=2000, seed=1)
    assert reverse["n_improved"] == 0 and reverse["mean_difference_pp"] == pytest.approx(-d.mean())
    assert reverse["p_value"] == pytest.approx(r["p_value"])


def test_agrees_with_scipy_and_a_plain_bootstrap() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.uniform(3, 10, 15), rng.uniform(3, 10, 15)
    subjects = [f"S{i:02d}" for i in range(15)]
    table = results({"transfer": list(a), "treadmill": list(b)}, target="apgrf", subjects=subjects)
    r = paired_comparison(table, "transfer", "treadmill", target="apgrf", n_bootstrap=500, seed=3)
    expected = stats.wilcoxon(a - b)
    assert r["wilcoxon_statistic"] == pytest.approx(expected.statistic)
    assert r["p_value"] == pytest.approx(expected.pvalue)
    assert r["n_improved"] == int((a < b).sum())
    d = a - b
    means = d[np.random.default_rng(3).integers(0, 15, size=(500, 15))].mean(axis=1)
    assert (r["ci_low_pp"], r["ci_high_pp"]) == pytest.approx(tuple(np.percentile(means, [2.5, 97.5])))
    # Seeded: the same seed gives the same interval, another seed another one.
    again = paired_comparison(table, "transfer", "treadmill", target="apgrf", n_bootstrap=500, seed=3)
    other = paired_comparison(table, "transfer", "treadmill", target="apgrf", n_bootstrap=500, seed=4)
    assert again["ci_low_pp"] == r["ci_low_pp"] and other["ci_low_pp"] != r["ci_low_pp"]


def test_pairs_by_participant_not_by_row_order() -> None:
    table = results({"overground": [5.0, 6.0, 7.0, 8.0, 9.0], "combined": [4.0, 5.0, 6.0, 7.0, 8.0]})
    shuffled = table.sample(frac=1.0, random_state=0)
    r = paired_comparison(shuffled, "combined", "overground", target="vgrf")
    assert r["n_improved"] == 5 and (r["differences_pp"] == -1.0).all()
    # A participant without a value for one strategy is not paired, and counted.
    partial = table.drop(index=table.index[(table["strategy"] == "combined") & (table["subject"] == "e")])
    partial.loc[(partial["strategy"] == "combined") & (partial["subject"] == "d"), "rrmse_pct"] = np.nan
    r = paired_comparison(partial, "combined", "overground", target="vgrf")
    assert r["n_participants"] == 3 and r["n_unpaired"] == 2 and list(r["differences_pp"].index) == ["a", "b", "c"]


def test_paired_comparison_errors() -> None:
    table = results({"overground": [5.0] * 5, "combined": [4.0] * 5})
    with pytest.raises(ConfigError, match=r"no 'vgrf' rows for strategies \['transfer'\]"):
        paired_comparison(table, "transfer", "overground", target="vgrf")
    with pytest.raises(ConfigError, match="no 'apgrf' rows"):
        paired_comparison(table, "combined", "overground", target="apgrf")
    with pytest.raises(ConfigError, match=r"lacks columns \['rmse_bw'\]"):
        paired_comparison(table, "combined", "overground", target="vgrf", column="rmse_bw")
    with pytest.raises(ConfigError, match="n_bootstrap"):
        paired_comparison(table, "combined", "overground", target="vgrf", n_bootstrap=0)
    with pytest.raises(ConfigError, match="twice"):
        paired_comparison(table, "combined", "combined", target="vgrf")
    with pytest.raises(ConfigError, match=r"repeats .*\('combined', 'a'\)"):
        paired_comparison(pd.concat([table, table.iloc[5:6]]), "combined", "overground", target="vgrf")
    nan = table.assign(rrmse_pct=np.where(table["strategy"] == "combined", np.nan, table["rrmse_pct"]))
    with pytest.raises(ConfigError, match="no participant has"):
        paired_comparison(nan, "combined", "overground", target="vgrf")


def test_friedman_agrees_with_scipy_and_ranks() -> None:
    values = {"overground": [8.0, 9.0, 7.0, 8.5], "treadmill": [10.0, 6.0, 9.0, 9.5],
              "transfer": [7.0, 8.5, 7.5, 7.0], "combined": [6.0, 8.0, 6.5, 6.0]}
    table = results(values, subjects=("a", "b", "c", "d"))
    r = friedman_test(table, list(values), target="vgrf")
    expected = stats.friedmanchisquare(*values.values())
    assert r["statistic"] == pytest.approx(expected.statistic) and r["p_value"] == pytest.approx(expected.pvalue)
    assert r["n_participants"] == 4 and r["strategies"] == list(values)
    assert r["mean_ranks"] == {"overground": 3.0, "treadmill": 3.25, "transfer": 2.5, "combined": 1.25}
    tied = results({s: [5.0, 6.0] for s in values}, subjects=("a", "b"))
    assert friedman_test(tied, list(values), target="vgrf")["p_value"] == 1.0
    with pytest.raises(ConfigError, match="at least 3 distinct strategies"):
        friedman_test(table, ["overground", "combined"], target="vgrf")
    with pytest.raises(ConfigError, match="at least 3 distinct strategies"):
        friedman_test(table, ["overground", "combined", "combined"], target="vgrf")
    with pytest.raises(ConfigError, match=r"at least 2 participants .*\['a'\]"):
        friedman_test(table.loc[table["subject"] == "a"], list(values), target="vgrf")


def test_findings_table() -> None:
    values = {"overground": [8.0, 9.0, 7.0, 8.5, 9.0], "treadmill": [10.0, 6.0, 9.0, 9.5, 11.0],
              "transfer": [7.0, 8.5, 7.5, 7.0, 8.0], "combined": [6.0, 8.0, 6.5, 6.0, 7.0],
              "baseline_mean": [14.0, 15.0, 13.0, 16.0, 15.0], "baseline_static": [12.0, 11.0, 10.0, 13.0, 12.0]}
    table = pd.concat([results(values), results({k: v[::-1] for k, v in values.items()}, target="apgrf")])
    found = findings_table(table, n_bootstrap=200)
    assert len(found) == 2 * (len(PUBLISHED_FINDINGS) + 1)
    assert list(found.columns[:4]) == ["finding", "target", "a", "b"]
    assert {"relative_difference_pct", "p_value", "ci_low_pp", "significant", "direction_as_published"} <= set(
        found.columns)
    vgrf = found.loc[found["target"] == "vgrf"].set_index("finding")
    row = vgrf.loc["transfer beats overground"]
    assert row.n_improved == 4 and row.mean_difference_pp == pytest.approx(38 / 5 - 41.5 / 5)
    assert row.direction_as_published and not row.significant  # 4 of 5: p = 0.125 > 0.05
    best = vgrf.loc[BEST_VS_BASELINE]
    assert (best.a, best.b) == ("combined", "baseline_static")  # the wearable strategy with the lowest mean
    assert best.relative_difference_pct == pytest.approx(100 * (33.5 - 58.0) / 58.0)
    assert best.n_improved == 5 and best.direction_as_published
    assert found["direction_as_published"].all()
    # Strictly: p < alpha.
    assert (found["significant"] == (found["p_value"] < 0.05)).all()
    assert (findings_table(table, alpha=0.2, n_bootstrap=200)["significant"] == (found["p_value"] < 0.2)).all()
    # Findings whose strategies did not run are left out; unknown names are an error.
    only = findings_table(results({"combined": values["combined"], "transfer": values["transfer"]}))
    assert list(only["finding"]) == ["combined beats transfer"]
    assert findings_table(results({"combined": values["combined"]})).empty
    with pytest.raises(ConfigError, match="unknown strategy 'mixed'"):
        findings_table(table, [("combined", "mixed")])
    with pytest.raises(ConfigError, match="alpha"):
        findings_table(table, alpha=1.5)


def test_describe_comparison_words_the_statistics() -> None:
    from grfkit.experiment.comparisons import describe_comparison

    t = pd.DataFrame({"strategy": ["x"] * 4 + ["y"] * 4, "target": "apgrf", "subject": list("pqrs") * 2,
                      "rrmse_pct": [4.0, 5.0, 6.0, 9.0, 5.0, 7.0, 6.5, 8.0]})
    row = paired_comparison(t, "x", "y", target="apgrf")
    text = describe_comparison(row)
    assert text.startswith("For apGRF, x (6.0 %) had a lower mean rRMSE than y (6.6 %)")
    assert "lower for 3 of 4 participants" in text and f"p = {row['p_value']:.3f}" in text
    assert text.endswith("not significant at 0.05.")
    worse = describe_comparison({**row, "a": "y", "b": "x", "mean_a": row["mean_b"], "mean_b": row["mean_a"],
                                 "mean_difference_pp": -row["mean_difference_pp"], "n_improved": 1})
    assert "had a higher mean rRMSE" in worse and "+0.62" in worse
    tiny = describe_comparison({**row, "p_value": 6e-5})
    assert "Wilcoxon p < 0.001, significant" in tiny and "p = 0.000" not in tiny
    assert "Wilcoxon p = 0.001," in describe_comparison({**row, "p_value": 0.0005})


def _fold_table() -> pd.DataFrame:
    subjects = ["P1", "P2", "P3", "P4"]
    rows = [("treadmill", "vgrf", s, r, np.nan) for s, r in zip(subjects, [10.0, 12.0, 9.0, 11.0])]
    rows += [("transfer", "vgrf", s, r, e)
             for s, r, e in zip(subjects, [8.0, 12.5, 9.5, 11.0], [3, 2, 0, 0])]
    rows += [("transfer", "apgrf", s, 20.0, 0) for s in subjects]
    rows += [("treadmill", "apgrf", s, 21.0, np.nan) for s in subjects]
    table = pd.DataFrame(rows, columns=["strategy", "target", "subject", "rrmse_pct",
                                        "fine_tune_epochs"])
    return table.sample(frac=1.0, random_state=0)  # the order of the rows does not matter


def test_fine_tuning_effect_counts_the_tuned_folds_only() -> None:
    effect = fine_tuning_effect(_fold_table(), "vgrf")
    # P1 (-2 pp) and P2 (+0.5 pp) were fine-tuned; P3's worse rRMSE came without fine-tuning
    assert effect == FineTuningEffect(n_tuned=2, n_worse=1, mean_change_pp=-0.75)
    untuned = fine_tuning_effect(_fold_table(), "apgrf")
    assert (untuned.n_tuned, untuned.n_worse) == (0, 0) and np.isnan(untuned.mean_change_pp)


def test_fine_tuning_effect_needs_both_strategies() -> None:
    table = _fold_table()
    with pytest.raises(ConfigError, match="no vgrf folds of strategy 'treadmill'"):
        fine_tuning_effect(table.loc[table["strategy"] != "treadmill"], "vgrf")


def test_holm_adjusted_textbook_example_in_input_order() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> step-down maximum 0.06
    adjusted = holm_adjusted([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02])
    reversed_input = holm_adjusted(pd.Series([0.005, 0.03, 0.04, 0.01]))
    np.testing.assert_allclose(reversed_input, [0.02, 0.06, 0.06, 0.03])


def test_holm_adjusted_caps_at_one_and_handles_edges() -> None:
    np.testing.assert_allclose(holm_adjusted([0.5, 0.9, 0.01]), [1.0, 1.0, 0.03])
    assert holm_adjusted([]).shape == (0,)
    np.testing.assert_allclose(holm_adjusted([0.2]), [0.2])


def test_holm_adjusted_keeps_nan_out_of_the_count() -> None:
    adjusted = holm_adjusted([np.nan, 0.01, 0.02])
    assert np.isnan(adjusted[0])
    np.testing.assert_allclose(adjusted[1:], holm_adjusted([0.01, 0.02]))  # m = 2, not 3


@pytest.mark.parametrize("bad", [[0.1, 1.5], [-0.01], [[0.1, 0.2]]])
def test_holm_adjusted_refuses_values_outside_0_1_and_tables(bad) -> None:
    with pytest.raises(ValueError):
        holm_adjusted(bad)


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_holm_adjusted_properties(p_values) -> None:
    p = np.array(p_values)
    adjusted = holm_adjusted(p)
    assert adjusted.shape == p.shape
    assert np.all(adjusted >= p) and np.all(adjusted <= 1.0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= 0)  # monotone in the sorted order
    smallest = order[0]
    assert adjusted[smallest] == min(1.0, len(p) * p[smallest])  # Bonferroni for the smallest
    assert np.all(adjusted <= np.minimum(1.0, len(p) * p))  # never beyond Bonferroni


def test_holm_adjusted_agrees_with_statsmodels() -> None:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.random.default_rng(0).uniform(0.0, 0.2, size=12)
    np.testing.assert_allclose(holm_adjusted(p), multitest.multipletests(p, method="holm")[1])


def test_significantly_better_needs_a_low_p_and_a_negative_difference() -> None:
    rows = pd.DataFrame({"value": [0.25, 0.5, 0.75, 1.0], "p_value": [0.01, 0.01, 0.2, 0.049],
                         "p_holm": [0.04, 0.04, 0.4, 0.098], "mean_difference_pp": [-1.0, 2.0, -3.0, -0.5]},
                        index=[10, 11, 12, 13])
    better = significantly_better(rows)
    assert better.index.equals(rows.index)
    # 0.5: significant, but in favour of b; 0.75: lower, but not significant
    assert rows.loc[better, "value"].tolist() == [0.25, 1.0]
    assert rows.loc[significantly_better(rows, 0.01 + 1e-9), "value"].tolist() == [0.25]
    assert rows.loc[significantly_better(rows, p_column="p_holm"), "value"].tolist() == [0.25]


def test_significantly_better_refuses_a_bad_alpha_or_missing_columns() -> None:
    rows = pd.DataFrame({"p_value": [0.01], "mean_difference_pp": [-1.0]})
    with pytest.raises(ConfigError, match="alpha"):
        significantly_better(rows, 1.5)
    with pytest.raises(ConfigError, match="p_holm"):
        significantly_better(rows, p_column="p_holm")


def two_runs(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two seeded runs on 12 participants: ``a`` is worse for overground, better for combined."""
    rng = np.random.default_rng(seed)
    subjects = [f"P{i:02d}" for i in range(12)]
    rows_a, rows_b = [], []
    for target in ("vgrf", "apgrf"):
        for strategy, shift in (("overground", 1.5), ("combined", -0.8), ("baseline_static", 0.0)):
            for subject in subjects:
                value = 6.0 + rng.normal(0.0, 1.0)
                change = 0.0 if shift == 0.0 else shift + rng.normal(0.0, 0.2)
                key = {"strategy": strategy, "target": target, "subject": subject}
                rows_b.append({**key, "rrmse_pct": value})
                rows_a.append({**key, "rrmse_pct": value + change})
    return pd.DataFrame(rows_a), pd.DataFrame(rows_b)


def test_compare_runs_pairs_participants_and_signs_the_differences() -> None:
    a, b = two_runs()
    # A participant held out only in run a is not paired, and counted.
    extra = pd.DataFrame([{"strategy": "combined", "target": "vgrf", "subject": "P99", "rrmse_pct": 1.0}])
    shuffled = pd.concat([a, extra]).sample(frac=1.0, random_state=1)
    out = compare_runs(shuffled, b, n_bootstrap=2000)
    assert list(out["target"]) == ["vgrf"] * 3 + ["apgrf"] * 3
    assert set(out["strategy"]) == {"overground", "combined", "baseline_static"}
    rows = out.set_index(["target", "strategy"])
    for target in ("vgrf", "apgrf"):
        worse, better = rows.loc[(target, "overground")], rows.loc[(target, "combined")]
        assert worse.mean_difference_pp > 1.0 and worse.n_improved == 0 and worse.ci_low_pp > 0
        assert better.mean_difference_pp < -0.5 and better.n_improved == 12 and better.ci_high_pp < 0
        assert worse.p_value < 0.01 and better.p_value < 0.01
        same = rows.loc[(target, "baseline_static")]
        assert same.mean_difference_pp == 0.0 and same.p_value == 1.0 and same.n_improved == 0
    assert rows.loc[("vgrf", "combined"), "n_unpaired"] == 1
    assert rows.loc[("vgrf", "combined"), "n_participants"] == 12
    assert (rows.drop(index=[("vgrf", "combined")])["n_unpaired"] == 0).all()
    np.testing.assert_array_equal(out["p_holm"], holm_adjusted(out["p_value"]))
    # The same as paired_comparison on the two runs' rows under distinct labels.
    both = pd.concat([a.assign(strategy=a["strategy"] + " a"), b.assign(strategy=b["strategy"] + " b")])
    r = paired_comparison(both, "combined a", "combined b", target="apgrf", n_bootstrap=2000)
    for column in ("mean_a", "mean_b", "mean_difference_pp", "ci_low_pp", "ci_high_pp", "p_value"):
        assert rows.loc[("apgrf", "combined"), column] == pytest.approx(r[column])
    assert significantly_better(out, p_column="p_holm").sum() == 2


def test_compare_runs_selects_strategies_and_targets_in_the_order_given() -> None:
    a, b = two_runs()
    out = compare_runs(a, b, strategies=["combined", "overground"], targets=["apgrf"], n_bootstrap=100)
    assert list(zip(out["target"], out["strategy"])) == [("apgrf", "combined"), ("apgrf", "overground")]
    # Only the pairs both runs hold are compared.
    out = compare_runs(a, b.loc[b["strategy"] != "overground"], n_bootstrap=100)
    assert "overground" not in set(out["strategy"]) and len(out) == 4


def test_compare_runs_errors_name_what_is_missing() -> None:
    a, b = two_runs()
    with pytest.raises(ConfigError, match=r"results table b lacks columns \['rmse_bw'\]"):
        compare_runs(a.assign(rmse_bw=1.0), b, column="rmse_bw")
    with pytest.raises(ConfigError, match=r"results table a has no 'rrmse_pct' values for strategy \['transfer'\]"):
        compare_runs(a, b, strategies=["combined", "transfer"])
    with pytest.raises(ConfigError, match=r"results table b has no 'rrmse_pct' values for target \['apgrf'\]"):
        compare_runs(a, b.loc[b["target"] == "vgrf"], targets=["apgrf"])
    with pytest.raises(ConfigError, match=r"share no \(target, strategy\).*run a holds \[\('vgrf', 'overground'\)"):
        compare_runs(a.loc[a["strategy"] == "overground"], b.loc[b["strategy"] == "combined"])
    other = b.assign(subject=b["subject"] + "x")
    with pytest.raises(ConfigError, match="share no"):
        compare_runs(a, other)
