"""Files on disk: atomic writes, output folders, caches, kept runs and provenance.

:mod:`~grfkit.storage.atomic` writes files and folders all-or-nothing,
:mod:`~grfkit.storage.output_folders` guards the command line's ``--out``
folders, :mod:`~grfkit.storage.cache` and :mod:`~grfkit.storage.cohort_cache`
keep computations with checksummed manifests (listed and cleared by
:mod:`~grfkit.storage.cache_entries`), :mod:`~grfkit.storage.kept_run`
keeps results with their provenance (:mod:`~grfkit.storage.provenance`).
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "atomic_directory": "atomic",
    "atomic_path": "atomic",
    "give_default_permissions": "atomic",
    "staging_directory": "atomic",
    "swap_in": "atomic",
    "write_text_atomic": "atomic",
    "CacheWarning": "cache",
    "MANIFEST_NAME": "cache",
    "STALE_TEMPORARY_AGE_S": "cache",
    "cache_table": "cache_entries",
    "clear_cache": "cache_entries",
    "ensure_writable": "cache",
    "load_entry": "cache",
    "read_manifest": "cache",
    "remove_stale_temporaries": "cache",
    "sha256_file": "cache",
    "size_bytes": "cache",
    "storage_errors": "cache",
    "verify_entry": "cache",
    "write_entry": "cache",
    "write_manifest": "cache",
    "CACHE_DIR_ENV": "cohort_cache",
    "COHORT_SOURCES": "cohort_cache",
    "PreparedCohort": "cohort_cache",
    "cache_dir": "cohort_cache",
    "load_or_build_stances": "cohort_cache",
    "prepare_cohort": "cohort_cache",
    "preprocessed": "cohort_cache",
    "simulated": "cohort_cache",
    "source_fingerprint": "cohort_cache",
    "KeptRun": "kept_run",
    "open_kept_run": "kept_run",
    "KINDS": "output_folders",
    "MARKER": "output_folders",
    "check_output": "output_folders",
    "foreign_entries": "output_folders",
    "output_kind": "output_folders",
    "write_output": "output_folders",
    "git_state": "provenance",
    "machine": "provenance",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
