"""run_experiment(keep_models=True): every wearable fold's model kept, cached and resumable."""

from pathlib import Path

import numpy as np

from grfkit.experiment.config import ExperimentConfig
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import predict


def _model_dirs(out: Path) -> list[str]:
    return sorted(
        p.parent.relative_to(out / "models").as_posix() for p in out.glob("models/*/*/*/model.json")
    )


def test_kept_models_reproduce_their_folds_estimates(run, small, stances, tmp_path: Path) -> None:
    results = run(small, stances, tmp_path, "out", keep_models=True)
    out = tmp_path / "out"
    subjects = ("OG01", "OG02", "OG03")
    assert _model_dirs(out) == [
        f"{s}/vgrf/{p}" for s in ("overground", "transfer") for p in subjects
    ]
    table = results.stances
    estimated_n = results.curves()["estimated_n"]
    for strategy in ("overground", "transfer"):
        for subject in subjects:
            model = TrainedModel.load(out / "models" / strategy / "vgrf" / subject)
            held_out = stances.subset((stances.meta["participant"] == subject).to_numpy())
            rows = ((table["strategy"] == strategy) & (table["subject"] == subject)).to_numpy()
            np.testing.assert_allclose(
                predict(model, held_out), estimated_n[rows], rtol=1e-6, atol=1e-6
            )


def test_a_cache_without_models_is_completed_and_results_do_not_change(
    run, small, stances, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    plain = run(small, stances, tmp_path, "plain", cache_dir=cache)
    assert not (tmp_path / "plain" / "models").exists()
    kept = run(small, stances, tmp_path, "kept", cache_dir=cache, keep_models=True)
    assert (
        kept.provenance["n_fits_computed"] == 6
    )  # the folds again, for their models; not the pre-training
    assert kept.table.equals(plain.table)
    again = run(small, stances, tmp_path, "again", cache_dir=cache, keep_models=True)
    assert again.provenance["n_fits_computed"] == 0 and len(_model_dirs(tmp_path / "again")) == 6


def test_baselines_keep_no_model(run, config, stances, tmp_path: Path) -> None:
    mixed = ExperimentConfig(**{**config.__dict__, "strategies": ("overground", "baseline_mean")})
    run(mixed, stances, tmp_path, "out", keep_models=True)
    assert _model_dirs(tmp_path / "out") == [
        f"overground/vgrf/{p}" for p in ("OG01", "OG02", "OG03")
    ]
