"""Upkeep of the directory by staff: read an updated table, check it, compare, place, save safely, account for it.

No Streamlit here; the staff page (``pages/upkeep.py`` with ``ui.upkeep_panel``) calls these.
One module per job:

- ``reading``: an uploaded .csv/.xlsx to a table of strings, bounded early (bytes, rows, columns,
  cells, seconds);
- ``checking``: the one normalised value validation and storage share, the schema and cell checks,
  Excel's damaged letters (Windows-1250 '?', wrong-encoding round trips);
- ``comparing``: the field-by-field diff and its lines;
- ``placing``: which addresses need placing, and where each goes;
- ``preview``: all of that for one upload, with the stamp of the file it compared against;
- ``saving``: all-or-nothing saves (log, backup, atomic replace), no lost update, restore;
- ``locations``: hand-placed points; ``backups``: the dated copies; ``changelog``: who changed
  what, when; ``health``: approximate and stale records; ``downloads``: files for Excel;
- ``guard``: ``require_enabled()``, which every writing function calls first.

The usual sequence: ``preview_import`` → (``geocode_addresses``) → ``save_directory(...,
actor=..., expected_stamp=preview.stamp)``. Every writer takes ``actor``, the signed-in staff
identity, and records it in the change log (``<data dir>/changes.jsonl``). The names below are
this package's public interface.
"""
from __future__ import annotations

from geo.errors import StaleDirectoryError, StorageError, UpkeepDisabled
from geo.upkeep.backups import Backup, backup_dir, list_backups
from geo.upkeep.changelog import ACTIONS, read_log
from geo.upkeep.checking import normalise, records_with_problems, round_trip_damage, validate_upload
from geo.upkeep.comparing import Diff, FieldChange, RecordChange, change_lines, comparable, diff
from geo.upkeep.downloads import change_log_csv, directory_csv
from geo.upkeep.guard import require_enabled
from geo.upkeep.health import VERIFY_FIRST_RADIUS_M, approximate_locations, stale_records, verify_online_first
from geo.upkeep.locations import record_manual_location
from geo.upkeep.placing import AddressLocation, addresses_to_geocode, geocode_addresses, is_approximate
from geo.upkeep.preview import ImportPreview, preview_import
from geo.upkeep.reading import ENCODINGS, XLSX, Upload, read_upload
from geo.upkeep.saving import SaveResult, directory_stamp, mark_verified, restore_backup, save_directory

__all__ = [
    "ACTIONS", "ENCODINGS", "VERIFY_FIRST_RADIUS_M", "XLSX", "AddressLocation", "Backup", "Diff", "FieldChange", "ImportPreview",
    "RecordChange", "SaveResult", "StaleDirectoryError", "StorageError", "Upload", "UpkeepDisabled",
    "addresses_to_geocode", "approximate_locations", "backup_dir", "change_lines", "change_log_csv", "comparable",
    "diff", "directory_csv", "directory_stamp", "geocode_addresses", "is_approximate", "list_backups", "mark_verified",
    "normalise", "preview_import", "read_log", "read_upload", "record_manual_location", "records_with_problems",
    "require_enabled", "restore_backup", "round_trip_damage", "save_directory", "stale_records", "validate_upload",
    "verify_online_first",
]
