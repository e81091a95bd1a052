"""No grfkit command deletes a file it did not write (grfkit.storage.output_folders; defect rows B1-B9, C8, A21e, A26, A27).

Each data-loss case of the fault-injection campaign runs the real command (``main([...])``) on tmp folders:
``--out`` equal to its input, holding its input, a folder of unrelated files, the home folder, a file.
"""

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

import grfkit.storage.output_folders as output_folders
from grfkit.cli import main
from grfkit.errors import OutputError
from grfkit.io.stances import StanceDataset
from grfkit.scales import SCALES
from grfkit.storage.output_folders import (
    MARKER,
    check_output,
    foreign_entries,
    output_kind,
    write_output,
)


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def raw(tmp_path: Path, tiny_raw: Path) -> Path:
    """A private copy of the tiny raw cohort at ``project/raw``, with a user's note beside it."""
    project = tmp_path / "project"
    shutil.copytree(tiny_raw, project / "raw")
    (project / "notes.txt").write_text("my notes")
    return project / "raw"


@pytest.fixture
def thesis(tmp_path: Path) -> Path:
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.tex").write_text("\\documentclass{article}")
    (folder / "refs.bib").write_text("@article{x}")
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["-q", *argv])
    return status, capsys.readouterr().err


# --- preprocess -------------------------------------------------------------------


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_b1_preprocess_out_equal_to_its_input_is_refused(raw: Path, capsys, overwrite) -> None:
    before = snapshot(raw.parent)
    status, err = run(capsys, "preprocess", str(raw), "--out", str(raw), *overwrite)
    assert status == 2 and "OutputError" in err and "input folder" in err and str(raw) in err
    assert snapshot(raw.parent) == before


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_b1b_preprocess_out_holding_its_input_is_refused(raw: Path, capsys, overwrite) -> None:
    before = snapshot(raw.parent)
    status, err = run(capsys, "preprocess", str(raw), "--out", str(raw.parent), *overwrite)
    assert status == 2 and "OutputError" in err and "input folder" in err
    assert snapshot(raw.parent) == before


def test_preprocess_out_inside_its_input_is_refused(raw: Path, capsys) -> None:
    before = snapshot(raw)
    status, err = run(capsys, "preprocess", str(raw), "--out", str(raw / "stances"), "--overwrite")
    assert status == 2 and "lies inside the input folder" in err
    assert snapshot(raw) == before


def test_b2_preprocess_out_an_unrelated_folder_is_refused_and_overwrite_moves_it_aside(
        raw: Path, thesis: Path, capsys) -> None:
    before = snapshot(thesis)
    status, err = run(capsys, "preprocess", str(raw), "--out", str(thesis))
    assert status == 2 and "OutputError" in err and "refs.bib, thesis.tex" in err and "--overwrite" in err
    assert snapshot(thesis) == before

    status, err = run(capsys, "preprocess", str(raw), "--out", str(thesis), "--overwrite")
    assert status == 0 and len(StanceDataset.load(thesis)) > 0
    [kept] = thesis.parent.glob("thesis.replaced-*")
    assert err == f"grfkit preprocess: warning: the previous contents of {thesis} were moved to {kept}\n"
    assert snapshot(kept) == before  # nothing deleted: the old contents are beside the new folder


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_b3_the_home_folder_is_never_an_output(raw: Path, tmp_path: Path, monkeypatch, capsys, overwrite) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("secret")
    (home / "Documents").mkdir()
    monkeypatch.setenv("HOME", str(home))
    before = snapshot(home)
    for out in (home, tmp_path):  # the home folder, and a folder that holds it
        status, err = run(capsys, "preprocess", str(raw), "--out", str(out), *overwrite)
        assert status == 2 and "home folder" in err
    status, err = run(capsys, "simulate", "--out", "~", *overwrite)
    assert status == 2 and "home folder" in err
    assert snapshot(home) == before


def test_b4_preprocess_out_an_existing_file_is_a_typed_error(raw: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    status, err = run(capsys, "preprocess", str(raw), "--out", str(target), "--overwrite")
    assert status == 2 and "OutputError" in err and "existing file" in err and str(target) in err
    assert target.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "results.txt"]


def test_b4b_out_the_current_folder_gets_a_clear_error(raw: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    status, err = run(capsys, "preprocess", str(raw), "--out", ".")
    assert status == 2 and "is the current folder" in err and "--out results" in err


def test_rerunning_into_its_own_output_replaces_it_whole(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "stances"
    assert main(["-q", "preprocess", str(raw), "--out", str(out)]) == 0
    assert output_kind(out) == "stances" and foreign_entries(out, "stances") == []
    (out / "skipped.csv").write_text("stale")  # a file grfkit wrote: replaced without --overwrite
    assert main(["-q", "preprocess", str(raw), "--out", str(out)]) == 0
    assert (out / "skipped.csv").read_text() != "stale"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "stances"]  # no temporary or old folder left


def test_a_file_added_to_an_output_makes_it_not_replaceable(raw: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "stances"
    assert main(["-q", "preprocess", str(raw), "--out", str(out)]) == 0
    (out / "my_analysis.ipynb").write_text("{}")
    status, err = run(capsys, "preprocess", str(raw), "--out", str(out))
    assert status == 2 and "my_analysis.ipynb" in err
    assert (out / "my_analysis.ipynb").read_text() == "{}"


def test_an_output_of_another_kind_is_not_replaced(raw: Path, capsys) -> None:
    stances = raw.parent / "stances"
    assert main(["-q", "preprocess", str(raw), "--out", str(stances)]) == 0
    before = snapshot(stances)
    status, err = run(capsys, "simulate", "--out", str(stances))
    assert status == 2 and "exists and is not a grfkit raw data folder" in err
    assert snapshot(stances) == before


def test_preprocess_with_zero_stances_exits_non_zero_with_the_reasons(raw: Path, tmp_path: Path, capsys) -> None:
    for insole in raw.rglob("insole.parquet"):
        insole.unlink()
    out = tmp_path / "stances"
    status, err = run(capsys, "preprocess", str(raw), "--out", str(out))
    assert status == 2 and "no stances from the 3 bouts" in err
    assert "skipped bout overground/OG01/medium" in err and "insole" in err  # the reasons
    assert not out.exists()


def test_raw_dir_that_is_not_a_grfkit_raw_folder_is_named(thesis: Path, tmp_path: Path, capsys) -> None:
    status, err = run(capsys, "preprocess", str(thesis), "--out", str(tmp_path / "s"))
    assert status == 2 and f"not a grfkit raw data folder: {thesis}" in err
    status, err = run(capsys, "preprocess", str(thesis / "thesis.tex"), "--out", str(tmp_path / "s"))
    assert status == 2 and "not a grfkit raw data folder" in err
    assert not (tmp_path / "s").exists()


# --- simulate ----------------------------------------------------------------------


def test_b9_simulate_out_a_non_empty_folder_is_refused(tmp_path: Path, monkeypatch, tiny_scale, capsys) -> None:
    monkeypatch.setitem(SCALES, "ci", tiny_scale)
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / "subject01.c3d").write_bytes(b"\x01\x50")
    status, err = run(capsys, "simulate", "--out", str(folder))
    assert status == 2 and "subject01.c3d" in err
    assert (folder / "subject01.c3d").read_bytes() == b"\x01\x50"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recordings"]


def test_simulate_into_an_empty_folder_and_again_into_its_output(tmp_path: Path, monkeypatch, tiny_scale) -> None:
    monkeypatch.setitem(SCALES, "ci", tiny_scale)
    out = tmp_path / "raw"
    out.mkdir()
    assert main(["-q", "simulate", "--out", str(out)]) == 0
    first = snapshot(out)
    assert main(["-q", "simulate", "--out", str(out)]) == 0
    assert {k: v for k, v in snapshot(out).items() if k != MARKER} == {k: v for k, v in first.items() if k != MARKER}


# --- experiment ------------------------------------------------------------------


@pytest.fixture
def stance_dir(tmp_path: Path, stance_factory) -> Path:
    overground = stance_factory(participants=("OG01", "OG02"), stances_per_participant=3, seed=8)
    return overground.save(tmp_path / "overground")


def experiment(out: Path, stances: Path, *extra: str) -> list[str]:
    return ["experiment", "--stances", str(stances), "--out", str(out), "--strategies", "baseline_mean",
            "--targets", "vgrf", "--cache-dir", str(stances.parent / "cache"), *extra]


def test_b6_experiment_out_a_folder_holding_a_users_results_csv_is_refused(stance_dir: Path, tmp_path: Path,
                                                                           capsys) -> None:
    folder = tmp_path / "analysis"
    folder.mkdir()
    (folder / "results.csv").write_text("mine")
    (folder / "plot.py").write_text("print()")
    status, err = run(capsys, *experiment(folder, stance_dir))
    assert status == 2 and "OutputError" in err and "plot.py, results.csv" in err
    assert (folder / "results.csv").read_text() == "mine"
    assert not (tmp_path / "cache").exists()  # refused before any work


def test_b8_experiment_out_an_existing_file_is_refused_before_training(stance_dir: Path, tmp_path: Path,
                                                                      capsys) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    status, err = run(capsys, *experiment(target, stance_dir))
    assert status == 2 and "existing file" in err and target.read_text() == "x"
    assert not (tmp_path / "cache").exists()


def test_experiment_out_equal_to_or_inside_its_inputs_is_refused(stance_dir: Path, capsys) -> None:
    before = snapshot(stance_dir)
    for out in (stance_dir, stance_dir / "results", stance_dir.parent / "cache" / "r"):
        status, err = run(capsys, *experiment(out, stance_dir), "--overwrite")
        assert status == 2 and "input folder" in err
    assert snapshot(stance_dir) == before


def test_c8_a_results_folder_is_replaced_whole_or_not_at_all(stance_dir: Path, tmp_path: Path, monkeypatch,
                                                             capsys) -> None:
    import grfkit.experiment.store as experiment_module

    out = tmp_path / "results"
    assert main(["-q", *experiment(out, stance_dir)]) == 0
    before = snapshot(out)

    def killed(*args, **kwargs):  # the run stops after curves.npz and stances.csv are written
        raise RuntimeError("killed")

    monkeypatch.setattr(experiment_module, "summarise_results", killed)
    with pytest.raises(RuntimeError, match="killed"):
        main(["-q", *experiment(out, stance_dir, "--strategies", "baseline_static")])
    assert snapshot(out) == before  # every file of the old run, none of the new one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "overground", "results"]


# --- environment faults ------------------------------------------------------------


def test_a26_a_read_only_output_location_is_a_typed_error_before_any_work(raw: Path, stance_dir: Path,
                                                                         tmp_path: Path, monkeypatch,
                                                                         capsys) -> None:
    def read_only(path):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(output_folders, "staging_directory", read_only)
    for argv in (["preprocess", str(raw), "--out", str(tmp_path / "ro" / "s")],            # A26a
                 experiment(tmp_path / "ro" / "r", stance_dir),                            # A26b
                 ["simulate", "--out", str(tmp_path / "ro" / "raw")]):                     # A26d
        status, err = run(capsys, *argv)
        assert status == 2 and "OutputError" in err and "Read-only file system" in err and str(tmp_path / "ro") in err
    assert not (tmp_path / "cache").exists()  # the experiment stopped before training


def test_a27a_a_full_disk_is_a_typed_error_and_the_old_output_survives(raw: Path, tmp_path: Path, monkeypatch,
                                                                       capsys) -> None:
    import numpy as np

    import grfkit.io.stances as stances_module

    out = tmp_path / "stances"
    assert main(["-q", "preprocess", str(raw), "--out", str(out)]) == 0
    before = snapshot(out)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(stances_module.np, "savez_compressed", full)
    try:
        status, err = run(capsys, "preprocess", str(raw), "--out", str(out))
    finally:
        monkeypatch.setattr(stances_module.np, "savez_compressed", np.savez_compressed)
    assert status == 2 and "OutputError" in err and "No space left on device" in err and str(out) in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "stances"]  # no temporary left


def test_a21e_an_out_path_with_a_non_utf8_byte_is_written(raw: Path, tmp_path: Path) -> None:
    out = Path(os.fsdecode(os.fsencode(tmp_path) + b"/st\xff"))
    assert main(["-q", "preprocess", str(raw), "--out", str(out)]) == 0
    assert b"st\xff" in os.listdir(os.fsencode(tmp_path))
    assert {"meta.parquet", "arrays.npz", "channels.json", "skipped.csv"} <= set(os.listdir(out))


# --- the library rules -------------------------------------------------------------


def test_check_output_rules(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path / "home")
    assert check_output(tmp_path / "new" / "deep", "results") == tmp_path / "new" / "deep"
    assert (tmp_path / "new").is_dir() and list((tmp_path / "new").iterdir()) == []  # the writability probe is gone
    empty = tmp_path / "empty"
    empty.mkdir()
    check_output(empty, "stances")
    for bad in ("/", tmp_path / "home", "."):
        with pytest.raises(OutputError):
            check_output(bad, "raw", overwrite=True)
    (tmp_path / "link").symlink_to(empty)
    with pytest.raises(OutputError, match="symbolic link"):
        check_output(tmp_path / "link", "stances", overwrite=True)
    with pytest.raises(ValueError):
        check_output(empty, "models")


def test_unmarked_outputs_of_older_grfkit_are_recognised(tmp_path: Path, stance_factory) -> None:
    folder = stance_factory(participants=("OG01",), stances_per_participant=2, seed=1).save(tmp_path / "s")
    (folder / MARKER).unlink()
    assert output_kind(folder) == "stances" and foreign_entries(folder, "stances") == []
    assert foreign_entries(folder, "results") == sorted(p.name for p in folder.iterdir())
    results = tmp_path / "r"
    results.mkdir()
    (results / "results.csv").write_text("a\n1\n")
    assert output_kind(results) is None  # a results.csv alone is not enough
    (results / "provenance.json").write_text(json.dumps({"grfkit_version": "0.1.0"}))
    assert output_kind(results) == "results"


def test_write_output_leaves_nothing_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with write_output(tmp_path / "out", "results") as tmp:
            (tmp / "results.csv").write_text("half")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_write_output_with_overwrite_moves_a_foreign_folder_aside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.txt").write_text("x")
    with pytest.raises(OutputError, match="x.txt"):
        with write_output(out, "results"):
            pass
    with pytest.warns(UserWarning, match="previous contents"):
        with write_output(out, "results", overwrite=True) as tmp:
            (tmp / "results.csv").write_text("a\n")
    [kept] = tmp_path.glob("out.replaced-*")
    assert (kept / "x.txt").read_text() == "x"
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "results.csv"] and output_kind(out) == "results"


def test_b10_concurrent_saves_to_one_output_all_succeed(tmp_path: Path, stance_factory) -> None:
    """B10: two `preprocess` runs with the same --out, started together, both exit 0 with a complete folder."""
    from concurrent.futures import ThreadPoolExecutor

    data = [stance_factory(participants=("OG01",), stances_per_participant=2, seed=s) for s in range(6)]
    out = tmp_path / "st"

    def save(i: int) -> None:
        for _ in range(8):
            data[i].save(out)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(save, range(6)))
    assert len(StanceDataset.load(out)) == 2 and foreign_entries(out, "stances") == []
    assert [p.name for p in tmp_path.iterdir()] == ["st"]


def test_b10_two_preprocess_commands_with_one_out_started_together(raw: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "st"
    command = [sys.executable, "-m", "grfkit", "-q", "preprocess", str(raw), "--out", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run_ in runs:
        _, err = run_.communicate(timeout=300)
        assert run_.returncode == 0, err
    assert len(StanceDataset.load(out)) > 0 and foreign_entries(out, "stances") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "st"]


def test_overwrite_keeps_a_foreign_folder_visible_even_if_killed_during_the_swap(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.txt").write_text("x")
    real_swap_in = output_folders.swap_in

    def killed_after_swap(staged, path):
        real_swap_in(staged, path)
        raise KeyboardInterrupt

    monkeypatch.setattr(output_folders, "swap_in", killed_after_swap)
    with pytest.raises(KeyboardInterrupt), pytest.warns(UserWarning):
        with write_output(out, "results", overwrite=True) as tmp:
            (tmp / "results.csv").write_text("a\n")
    [kept] = tmp_path.glob("out.replaced-*")  # a visible name, not a hidden .out.old-* folder
    assert (kept / "x.txt").read_text() == "x"


# --- every command x every dangerous --out (the "done when") ------------------


@pytest.fixture
def stances(tmp_path: Path, tiny_result) -> Path:
    """A stance data set folder (an experiment's input) of the tiny cohort."""
    return tiny_result.stances.save(tmp_path / "stances")


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]], ids=["plain", "overwrite"])
@pytest.mark.parametrize("case", ["input", "unrelated", "home"])
@pytest.mark.parametrize("command", ["simulate", "preprocess", "experiment"])
def test_no_command_deletes_a_file_it_did_not_write(command, case, overwrite, raw, stances, thesis, tmp_path,
                                                    monkeypatch, capsys) -> None:
    """Each command with --out equal to its input, a folder of unrelated files, or the home folder."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "paper.docx").write_text("draft")
    monkeypatch.setenv("HOME", str(home))
    inputs = {"simulate": None, "preprocess": raw, "experiment": stances}[command]
    if case == "input" and inputs is None:
        pytest.skip("simulate reads no input folder")
    out = {"input": inputs, "unrelated": thesis, "home": home}[case]
    argv = {
        "simulate": ["simulate", "--scale", "ci"],
        "preprocess": ["preprocess", str(raw)],
        "experiment": ["experiment", "--stances", str(stances), "--strategies", "baseline_mean", "--targets", "vgrf",
                       "--cache-dir", str(tmp_path / "cache")],
    }[command]
    watched = {folder: snapshot(folder) for folder in (raw.parent, stances, thesis, home)}
    status, err = run(capsys, *argv, "--out", str(out), *overwrite)
    if case == "unrelated" and overwrite:  # allowed: the folder's files are moved aside, not deleted
        backups = list(thesis.parent.glob("thesis.replaced-*"))
        assert status == 0 and len(backups) == 1, err
        assert snapshot(backups[0]) == watched.pop(thesis)
    else:
        assert status == 2 and "OutputError" in err and str(out) in err, err
    for folder, files in watched.items():
        assert snapshot(folder) == files, f"{command} --out {case} changed {folder}"
