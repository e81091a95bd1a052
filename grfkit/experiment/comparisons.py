"""Paired statistics of the leave-one-subject-out results: is one strategy really better?

Every strategy is tested on the same held-out participants, so
:func:`paired_comparison` compares two strategies participant by participant (mean
paired difference with a seeded bootstrap 95 % CI, participants improved, two-sided
Wilcoxon signed-rank test, relative difference), and :func:`compare_runs` compares two
runs of the same study strategy by strategy.  :func:`friedman_test` asks whether
several strategies differ at all, :func:`findings_table` checks the study's published
findings (:data:`PUBLISHED_FINDINGS`) and whether the wearables beat the best guess
that needs none (:data:`BEST_VS_BASELINE`), :func:`describe_comparison` words one
comparison, and :func:`fine_tuning_effect` asks whether fine-tuning helped where the
inner folds chose it.  :func:`holm_adjusted` corrects p-values for many comparisons;
:func:`significantly_better` picks the comparisons that favour ``a``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from grfkit.errors import ConfigError
from grfkit.experiment.strategies import STRATEGIES, check_strategy

__all__ = [
    "PUBLISHED_FINDINGS",
    "BEST_VS_BASELINE",
    "paired_comparison",
    "compare_runs",
    "friedman_test",
    "findings_table",
    "describe_comparison",
    "FineTuningEffect",
    "fine_tuning_effect",
    "holm_adjusted",
    "significantly_better",
]

#: The study's qualitative findings as (better, worse) strategy pairs: mixed-domain
#: training (transfer, combined) beat either single domain, and combined training
#: slightly beat transfer learning -- for both vGRF and apGRF.
PUBLISHED_FINDINGS: tuple[tuple[str, str], ...] = (
    ("transfer", "overground"),
    ("transfer", "treadmill"),
    ("combined", "overground"),
    ("combined", "treadmill"),
    ("combined", "transfer"),
)

#: Label of the :func:`findings_table` rows that compare the best wearable strategy
#: (lowest mean rRMSE of :data:`grfkit.experiment.strategies.STRATEGIES`) with ``"baseline_static"``.
BEST_VS_BASELINE: str = "best wearable strategy beats baseline_static"

_KEYS: tuple[str, ...] = ("strategy", "target", "subject")
_FINDING_COLUMNS: tuple[str, ...] = (
    "finding", "target", "a", "b", "column", "n_participants", "n_unpaired", "mean_a", "mean_b",
    "mean_difference_pp", "ci_low_pp", "ci_high_pp", "n_improved", "wilcoxon_statistic", "p_value",
    "relative_difference_pct",
)
_RUN_COLUMNS: tuple[str, ...] = ("target", "strategy", *_FINDING_COLUMNS[4:])


def _strategy_mean(table: pd.DataFrame, strategy: str, target: str, column: str) -> float:
    """Mean of ``column`` over the participants of one strategy and target."""
    rows = table.loc[(table["strategy"].astype(str) == strategy) & (table["target"].astype(str) == target), column]
    return float(rows.mean())


def _per_participant(table: pd.DataFrame, strategies: Sequence[str], target: str, column: str) -> pd.DataFrame:
    """Participants x strategies matrix of ``column`` for one target, only participants with every value."""
    missing = [c for c in (*_KEYS, column) if c not in table.columns]
    if missing:
        raise ConfigError(f"results table lacks columns {missing}")
    rows = table.loc[table["target"].astype(str) == target]
    absent = [s for s in strategies if s not in set(rows["strategy"].astype(str))]
    if absent:
        raise ConfigError(f"results table has no {target!r} rows for strategies {absent}")
    rows = rows.loc[rows["strategy"].astype(str).isin(strategies)]
    repeated = rows.loc[rows.duplicated(["strategy", "subject"], keep=False), ["strategy", "subject"]]
    if len(repeated):
        pairs = sorted(set(map(tuple, repeated.astype(str).to_numpy())))
        raise ConfigError(f"results table repeats (strategy, subject) rows for target {target!r}: {pairs}")
    wide = rows.pivot(index="subject", columns="strategy", values=column)[list(strategies)]
    return wide.dropna()


def paired_comparison(
    table: pd.DataFrame,
    a: str,
    b: str,
    *,
    target: str,
    column: str = "rrmse_pct",
    n_bootstrap: int = 10_000,
    seed: int = 0,
) -> dict:
    """Compare two strategies participant by participant (lower is better).

    Parameters
    ----------
    table
        ``results.csv``: one row per strategy x target x held-out participant
        (columns ``strategy``, ``target``, ``subject`` and ``column``).
    a, b
        The strategies; differences are ``a - b``.
    target
        ``"vgrf"`` or ``"apgrf"``.
    column
        Per-participant metric, lower is better; differences are in its
        unit (percentage points for the default ``"rrmse_pct"``).
    n_bootstrap
        Bootstrap resamples of the participants.
    seed
        Seeds the bootstrap (:func:`numpy.random.default_rng`).

    Returns
    -------
    dict
        ``a``, ``b``, ``target``, ``column``; ``n_participants`` (those with a
        value for both; ``n_unpaired`` counts those with only one);
        ``differences_pp`` (:class:`pandas.Series` of ``a - b`` by subject);
        ``mean_a``, ``mean_b``, ``mean_difference_pp``; ``ci_low_pp`` and
        ``ci_high_pp`` (bootstrap percentile 95 % interval of the mean
        difference); ``n_improved`` (participants with ``a < b``);
        ``wilcoxon_statistic`` and ``p_value`` (two-sided signed-rank test;
        0 and 1 when every difference is zero); ``relative_difference_pct``
        (``100 * mean_difference_pp / mean_b``).

    Raises
    ------
    ConfigError
        If a column or a strategy's rows are missing, rows repeat, no
        participant has both values, or ``n_bootstrap`` < 1.

    Examples
    --------
    >>> t = pd.DataFrame({"strategy": ["x"] * 3 + ["y"] * 3, "target": "vgrf", "subject": list("pqr") * 2,
    ...                   "rrmse_pct": [4.0, 5.0, 6.0, 5.0, 7.0, 6.0]})
    >>> r = paired_comparison(t, "x", "y", target="vgrf")
    >>> r["mean_difference_pp"], r["n_improved"], r["relative_difference_pct"]
    (-1.0, 2, -16.666666666666668)
    """
    if int(n_bootstrap) < 1:
        raise ConfigError(f"n_bootstrap must be at least 1, got {n_bootstrap}")
    if a == b:
        raise ConfigError(f"compare two different strategies, got {a!r} twice")
    wide = _per_participant(table, (a, b), target, column)
    rows = table.loc[(table["target"].astype(str) == target) & table["strategy"].astype(str).isin((a, b))]
    n_unpaired = int(rows["subject"].astype(str).nunique()) - len(wide)
    if wide.empty:
        raise ConfigError(f"no participant has a {column!r} value for both {a!r} and {b!r} ({target!r})")
    differences = (wide[a] - wide[b]).rename("difference")
    d = differences.to_numpy(dtype=np.float64)
    rng = np.random.default_rng(seed)
    resampled = d[rng.integers(0, len(d), size=(int(n_bootstrap), len(d)))].mean(axis=1)
    ci_low, ci_high = np.percentile(resampled, [2.5, 97.5])
    if np.all(d == 0):
        statistic, p_value = 0.0, 1.0
    else:
        test = stats.wilcoxon(d)
        statistic, p_value = float(test.statistic), float(test.pvalue)
    mean_b = float(wide[b].mean())
    mean_difference = float(d.mean())
    return {
        "a": a,
        "b": b,
        "target": target,
        "column": column,
        "n_participants": len(d),
        "n_unpaired": n_unpaired,
        "differences_pp": differences,
        "mean_a": float(wide[a].mean()),
        "mean_b": mean_b,
        "mean_difference_pp": mean_difference,
        "ci_low_pp": float(ci_low),
        "ci_high_pp": float(ci_high),
        "n_improved": int((d < 0).sum()),
        "wilcoxon_statistic": statistic,
        "p_value": p_value,
        "relative_difference_pct": 100.0 * mean_difference / mean_b if mean_b != 0 else float("nan"),
    }


def _run_pairs(run: pd.DataFrame, column: str) -> dict[tuple[str, str], None]:
    """The (target, strategy) pairs of a results table with a ``column`` value, in table order."""
    rows = run.loc[run[column].notna()]
    return dict.fromkeys(zip(rows["target"].astype(str), rows["strategy"].astype(str)))


def compare_runs(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    strategies: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    column: str = "rrmse_pct",
    n_bootstrap: int = 10_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Compare two runs of the same study strategy by strategy, participant by participant.

    For every (target, strategy) that both runs hold for at least one common
    participant, :func:`paired_comparison` of run ``a`` against run ``b``
    (differences ``a - b``; participants paired by ``subject``).

    Parameters
    ----------
    a, b
        ``results.csv`` tables of two runs (e.g. two presets on the same data).
    strategies, targets
        The strategies and targets to compare, in this order; default: every
        one both runs hold, in the order of ``a``.
    column, n_bootstrap, seed
        As for :func:`paired_comparison`.

    Returns
    -------
    pandas.DataFrame
        One row per (target, strategy): ``target``, ``strategy``, ``column``, the
        values of :func:`paired_comparison` (``mean_a`` is run ``a``'s mean,
        ``n_unpaired`` counts participants held out in only one run) except the
        per-participant differences, and ``p_holm``
        (:func:`holm_adjusted` over all rows).

    Raises
    ------
    ConfigError
        If a table lacks a column, a requested strategy or target is missing
        from a run, the runs share no (target, strategy) with a common
        participant, or as :func:`paired_comparison`.

    Examples
    --------
    >>> a = pd.DataFrame({"strategy": "x", "target": "vgrf", "subject": list("pqr"), "rrmse_pct": [4.0, 5.0, 6.0]})
    >>> b = a.assign(rrmse_pct=[5.0, 7.0, 6.0])
    >>> row = compare_runs(a, b).iloc[0]
    >>> row.strategy, float(row.mean_difference_pp), int(row.n_improved), int(row.n_participants)
    ('x', -1.0, 2, 3)
    """
    runs = {"a": a, "b": b}
    for name, run in runs.items():
        missing = [c for c in (*_KEYS, column) if c not in run.columns]
        if missing:
            raise ConfigError(f"results table {name} lacks columns {missing}")
    held = {name: _run_pairs(run, column) for name, run in runs.items()}
    for position, key, wanted in ((0, "target", targets), (1, "strategy", strategies)):
        for name, pairs in held.items():
            have = {pair[position] for pair in pairs}
            absent = [w for w in wanted or () if w not in have]
            if absent:
                raise ConfigError(f"results table {name} has no {column!r} values for {key} {absent}")
    shared = [pair for pair in held["a"] if pair in held["b"]]
    order = {
        "target": list(targets) if targets is not None else list(dict.fromkeys(t for t, _ in shared)),
        "strategy": list(strategies) if strategies is not None else list(dict.fromkeys(s for _, s in shared)),
    }
    rows = []
    for target in order["target"]:
        for strategy in order["strategy"]:
            if (target, strategy) not in shared:
                continue
            picked = {
                name: run.loc[(run["target"].astype(str) == target) & (run["strategy"].astype(str) == strategy)]
                for name, run in runs.items()
            }
            if not set(picked["a"].dropna(subset=[column])["subject"].astype(str)) & set(
                picked["b"].dropna(subset=[column])["subject"].astype(str)
            ):
                continue
            both = pd.concat([rows_.assign(strategy=name) for name, rows_ in picked.items()], ignore_index=True)
            both["subject"] = both["subject"].astype(str)
            result = paired_comparison(
                both, "a", "b", target=target, column=column, n_bootstrap=n_bootstrap, seed=seed
            )
            rows.append({"target": target, "strategy": strategy, **{c: result[c] for c in _RUN_COLUMNS[2:]}})
    if not rows:
        raise ConfigError(
            f"the two runs share no (target, strategy) with a common participant's {column!r} value: "
            f"run a holds {list(held['a'])}, run b holds {list(held['b'])}"
        )
    out = pd.DataFrame(rows, columns=list(_RUN_COLUMNS))
    out["p_holm"] = holm_adjusted(out["p_value"].to_numpy(dtype=np.float64))
    return out


def friedman_test(table: pd.DataFrame, strategies: Sequence[str], *, target: str,
                  column: str = "rrmse_pct") -> dict:
    """Friedman test: do several strategies differ at all, participant by participant?

    Parameters
    ----------
    table
        ``results.csv``.
    strategies
        At least three strategies.
    target
        ``"vgrf"`` or ``"apgrf"``.
    column
        Per-participant metric, lower is better.

    Returns
    -------
    dict
        ``strategies``, ``target``, ``column``, ``n_participants`` (those
        with a value for every strategy), ``statistic`` and ``p_value``
        (:func:`scipy.stats.friedmanchisquare`; 0 and 1 when every
        participant ties all strategies) and ``mean_ranks`` (strategy ->
        mean rank within participants, 1 = lowest ``column``).

    Raises
    ------
    ConfigError
        If fewer than 3 distinct strategies or fewer than 2 participants
        with every value are given, or a column or strategy is missing.
    """
    strategies = list(strategies)
    if len(strategies) < 3 or len(set(strategies)) != len(strategies):
        raise ConfigError(f"the Friedman test needs at least 3 distinct strategies, got {strategies}")
    wide = _per_participant(table, strategies, target, column)
    if len(wide) < 2:
        raise ConfigError(
            f"the Friedman test needs at least 2 participants with a {column!r} value for every strategy "
            f"({target!r}), got {list(wide.index)}"
        )
    ranks = wide.rank(axis=1)
    if (wide.nunique(axis=1) == 1).all():
        statistic, p_value = 0.0, 1.0
    else:
        test = stats.friedmanchisquare(*(wide[s].to_numpy(dtype=np.float64) for s in strategies))
        statistic, p_value = float(test.statistic), float(test.pvalue)
    return {
        "strategies": strategies,
        "target": target,
        "column": column,
        "n_participants": len(wide),
        "statistic": statistic,
        "p_value": p_value,
        "mean_ranks": {s: float(ranks[s].mean()) for s in strategies},
    }


def findings_table(
    table: pd.DataFrame,
    findings: Sequence[tuple[str, str]] = PUBLISHED_FINDINGS,
    alpha: float = 0.05,
    *,
    column: str = "rrmse_pct",
    n_bootstrap: int = 10_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Test the study's findings ("strategy A had a lower rRMSE than B") with paired statistics.

    For every target in ``table``: one row per finding whose two strategies
    have rows, and one :data:`BEST_VS_BASELINE` row comparing the wearable
    strategy with the lowest mean (of :data:`grfkit.experiment.strategies.STRATEGIES`
    present) with ``"baseline_static"``, if both are present.

    Parameters
    ----------
    table
        ``results.csv``.
    findings
        ``(better, worse)`` strategy pairs; default :data:`PUBLISHED_FINDINGS`.
    alpha
        Significance level of the Wilcoxon test.
    column, n_bootstrap, seed
        As for :func:`paired_comparison`.

    Returns
    -------
    pandas.DataFrame
        One row per (finding, target): ``finding``, ``target`` and the
        values of :func:`paired_comparison` (``a`` is the strategy claimed
        better) except the per-participant differences, then
        ``significant`` (``p_value < alpha``) and ``direction_as_published``
        (``mean_difference_pp < 0``: ``a`` had the lower mean).

    Raises
    ------
    ConfigError
        For an unknown strategy in ``findings``, ``alpha`` outside (0, 1),
        or as :func:`paired_comparison`.

    Examples
    --------
    >>> t = pd.DataFrame({"strategy": ["combined"] * 3 + ["transfer"] * 3, "target": "vgrf",
    ...                   "subject": list("pqr") * 2, "rrmse_pct": [5.0, 7.0, 6.0, 6.0, 6.5, 6.5]})
    >>> row = findings_table(t).iloc[0]
    >>> row.finding, int(row.n_improved), float(row.mean_difference_pp), bool(row.direction_as_published)
    ('combined beats transfer', 2, -0.3333333333333333, True)
    """
    for pair in findings:
        for strategy in pair:
            check_strategy(strategy)
    if not 0.0 < float(alpha) < 1.0:
        raise ConfigError(f"alpha must lie between 0 and 1, got {alpha}")
    options = dict(column=column, n_bootstrap=n_bootstrap, seed=seed)
    rows = []
    for target in dict.fromkeys(table["target"].astype(str)):
        present = set(table.loc[table["target"].astype(str) == target, "strategy"].astype(str))
        comparisons = [(f"{a} beats {b}", a, b) for a, b in findings if a in present and b in present]
        wearable = [s for s in STRATEGIES if s in present]
        if wearable and "baseline_static" in present:
            means = {s: _strategy_mean(table, s, target, column) for s in wearable}
            best = min(wearable, key=lambda s: means[s])
            comparisons.append((BEST_VS_BASELINE, best, "baseline_static"))
        for finding, a, b in comparisons:
            result = paired_comparison(table, a, b, target=target, **options)
            rows.append({"finding": finding, **{c: result[c] for c in _FINDING_COLUMNS[1:]}})
    out = pd.DataFrame(rows, columns=list(_FINDING_COLUMNS))
    out["significant"] = out["p_value"].astype(float) < alpha
    out["direction_as_published"] = out["mean_difference_pp"].astype(float) < 0
    return out


def holm_adjusted(p_values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Holm-Bonferroni step-down adjusted p-values, in the order given.

    With the m known p-values sorted, :math:`p_{(1)} \\le \\dots \\le p_{(m)}`, the
    adjusted value of :math:`p_{(i)}` is :math:`\\min(1, \\max_{j \\le i} (m - j + 1) p_{(j)})`;
    rejecting where it is below alpha controls the family-wise error rate at alpha.

    Parameters
    ----------
    p_values
        One-dimensional p-values in [0, 1]; NaN marks a missing p-value.

    Returns
    -------
    numpy.ndarray
        The adjusted p-values in the input order (not sorted), each at most 1.
        A NaN p-value stays NaN and is not counted in m (as R's ``p.adjust``).

    Raises
    ------
    ConfigError
        If ``p_values`` is not one-dimensional or a value lies outside [0, 1].

    Examples
    --------
    >>> holm_adjusted([0.01, 0.04, 0.03, 0.005]).round(3).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ConfigError(f"p-values must be one-dimensional, got shape {p.shape}")
    known = np.flatnonzero(~np.isnan(p))
    if ((p[known] < 0) | (p[known] > 1)).any():
        raise ConfigError(f"p-values must lie in [0, 1], got {p[known][(p[known] < 0) | (p[known] > 1)].tolist()}")
    order = known[np.argsort(p[known], kind="stable")]
    m = len(order)
    adjusted = np.full(p.shape, np.nan)
    adjusted[order] = np.minimum(np.maximum.accumulate(p[order] * (m - np.arange(m))), 1.0)
    return adjusted


def significantly_better(rows: pd.DataFrame, alpha: float = 0.05, *, p_column: str = "p_value") -> pd.Series:
    """Which paired comparisons found ``a`` significantly better (lower) than ``b``.

    Parameters
    ----------
    rows
        Comparisons with ``mean_difference_pp`` (``a - b``) and ``p_column``, e.g. from
        :func:`grfkit.experiment.sweeps.sweep_statistics` or :func:`findings_table`.
    alpha
        Significance level.
    p_column
        The p-values to test, e.g. ``"p_holm"`` for Holm-adjusted ones.

    Returns
    -------
    pandas.Series
        Boolean, aligned with ``rows``: ``p_column < alpha`` and ``mean_difference_pp < 0``.
        A significant difference in favour of ``b`` is False.

    Raises
    ------
    ConfigError
        If ``alpha`` lies outside (0, 1) or a column is missing.
    """
    if not 0.0 < float(alpha) < 1.0:
        raise ConfigError(f"alpha must lie between 0 and 1, got {alpha}")
    missing = [c for c in (p_column, "mean_difference_pp") if c not in rows.columns]
    if missing:
        raise ConfigError(f"comparison rows lack columns {missing}")
    return (rows[p_column].astype(float) < alpha) & (rows["mean_difference_pp"].astype(float) < 0)


_TARGET_NAMES: dict[str, str] = {"vgrf": "vGRF", "apgrf": "apGRF"}


def _p_text(p_value: float) -> str:
    """``p = 0.016``, or ``p < 0.001`` where three decimals would show zero."""
    return "p < 0.001" if p_value < 0.0005 else f"p = {p_value:.3f}"


def describe_comparison(row: pd.Series | dict, alpha: float = 0.05) -> str:
    """One sentence stating a paired comparison with its statistics.

    Parameters
    ----------
    row
        A row of :func:`findings_table` or the result of :func:`paired_comparison`.
    alpha
        Significance level for the verdict.

    Returns
    -------
    str
        E.g. ``"For vGRF, transfer (6.9 %) had a lower mean rRMSE than
        treadmill (7.6 %): -0.62 percentage points (95 % CI -1.00 to -0.20),
        lower for 7 of 8 participants, Wilcoxon p = 0.016, significant at
        0.05."``

    Examples
    --------
    >>> print(describe_comparison({"a": "x", "b": "y", "target": "vgrf", "mean_a": 5.0, "mean_b": 6.0,
    ...     "mean_difference_pp": -1.0, "ci_low_pp": -1.5, "ci_high_pp": -0.5, "n_improved": 7,
    ...     "n_participants": 8, "p_value": 0.016}))
    For vGRF, x (5.0 %) had a lower mean rRMSE than y (6.0 %): -1.00 percentage points (95 % CI -1.50 to -0.50), lower for 7 of 8 participants, Wilcoxon p = 0.016, significant at 0.05.
    """
    r = dict(row)
    relation = "a lower" if r["mean_difference_pp"] < 0 else "a higher" if r["mean_difference_pp"] > 0 else "the same"
    verdict = "significant" if r["p_value"] < alpha else "not significant"
    return (
        f"For {_TARGET_NAMES.get(r['target'], r['target'])}, {r['a']} ({r['mean_a']:.1f} %) had {relation} mean "
        f"rRMSE than {r['b']} ({r['mean_b']:.1f} %): {r['mean_difference_pp']:+.2f} percentage points "
        f"(95 % CI {r['ci_low_pp']:.2f} to {r['ci_high_pp']:.2f}), lower for {int(r['n_improved'])} of "
        f"{int(r['n_participants'])} participants, Wilcoxon {_p_text(r['p_value'])}, {verdict} at {alpha:g}."
    )


@dataclass(frozen=True)
class FineTuningEffect:
    """Transfer learning against the treadmill model it started from, in the folds it fine-tuned.

    Parameters
    ----------
    n_tuned
        Folds whose inner cross-validation chose at least one pass of fine-tuning.
    n_worse
        Of those, the folds where transfer's rRMSE is higher than treadmill-only's.
    mean_change_pp
        Mean over those folds of transfer's minus treadmill-only's rRMSE, in
        percentage points (negative: fine-tuning helped); NaN without such folds.
    """

    n_tuned: int
    n_worse: int
    mean_change_pp: float


def fine_tuning_effect(table: pd.DataFrame, target: str) -> FineTuningEffect:
    """Did fine-tuning help the held-out participants of the folds that chose it?

    Parameters
    ----------
    table
        Per-fold results with ``strategy``, ``target``, ``subject``,
        ``rrmse_pct`` and ``fine_tune_epochs`` (e.g. the ``table`` of a
        :class:`grfkit.experiment.store.ExperimentResults`), holding the
        ``transfer`` and ``treadmill`` strategies.
    target
        ``"vgrf"`` or ``"apgrf"``.

    Returns
    -------
    FineTuningEffect
        The folds fine-tuned, those made worse, and the mean change of rRMSE.

    Raises
    ------
    ConfigError
        If the table lacks the transfer or the treadmill strategy for ``target``.
    """
    rows = table.loc[table["target"] == target]
    folds = {}
    for strategy in ("transfer", "treadmill"):
        folds[strategy] = rows.loc[rows["strategy"] == strategy].set_index("subject")
        if folds[strategy].empty:
            raise ConfigError(f"the results table has no {target} folds of strategy {strategy!r}")
    transfer, treadmill = folds["transfer"], folds["treadmill"]
    tuned = transfer.index[transfer["fine_tune_epochs"].to_numpy() > 0]
    change_pp = transfer.loc[tuned, "rrmse_pct"] - treadmill.loc[tuned, "rrmse_pct"]
    return FineTuningEffect(
        n_tuned=len(tuned),
        n_worse=int((change_pp > 0).sum()),
        mean_change_pp=float(change_pp.mean()) if len(change_pp) else float("nan"),
    )
