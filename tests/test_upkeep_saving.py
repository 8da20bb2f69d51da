"""geo.upkeep saving: the change log, no lost update, restore, no half save, disk full / read-only.

Every test works on a temporary copy of data/ (the ``data_dir`` fixture); no test reaches the network.
"""
from __future__ import annotations

import datetime as dt
import errno
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from geo import atomic, load, model, settings, upkeep
from geo.errors import DataFileError, DataValidationError, StaleDirectoryError, StorageError
from geo.upkeep import changelog

NOW = dt.datetime(2026, 12, 1, 9, 30, 0)
LATER = dt.datetime(2026, 12, 1, 9, 45, 10)
ANA, BOJAN = "ana.novak@koper.si", "bojan.kos@koper.si"
SHIPPED = (settings.PROJECT_DIR / "data" / settings.SERVICES_FILE).read_bytes()

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(autouse=True)
def upkeep_on(monkeypatch):
    monkeypatch.delenv(settings.UPKEEP_ENV, raising=False)


def current(data_dir: Path) -> pd.DataFrame:
    return load.read_csv_text(data_dir / settings.SERVICES_FILE)


def as_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def log_lines(data_dir: Path) -> list[dict]:
    path = data_dir / settings.CHANGE_LOG_FILE
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# ------------------------------------------------------------------------------------------------
# The change log


def test_an_import_logs_every_field_with_who_and_when(data_dir):
    table = current(data_dir)
    table.loc[table["id"] == "cajanke", "phones"] = "+38656634599"
    table = table[table["id"] != "birth-grant"]
    upkeep.save_directory(table, data_dir, actor=ANA, now=NOW)
    lines = log_lines(data_dir)
    assert [(line["record"], line["change"], line["field"]) for line in lines] == [
        ("birth-grant", "removed", ""), ("cajanke", "changed", "phones")]
    phones = lines[1]
    assert (phones["old"], phones["new"]) == (current_value(SHIPPED, "cajanke", "phones"), "+38656634599")
    assert {line["actor"] for line in lines} == {ANA}
    assert {line["action"] for line in lines} == {"import"}
    assert {line["when"] for line in lines} == {"2026-12-01T09:30:00+01:00"}  # Koper time, with its offset
    assert {line["file"] for line in lines} == {"services.csv"}


def current_value(content: bytes, record_id: str, field: str) -> str:
    table = upkeep.saving.table_of(content)
    return table.loc[table["id"] == record_id, field].iloc[0]


def test_verified_and_location_corrections_are_logged_and_the_log_reads_recent_first(data_dir):
    upkeep.mark_verified(["cajanke"], data_dir=data_dir, actor=ANA, now=NOW)
    upkeep.record_manual_location("Pobeška cesta 2, 6000 Koper", 45.540112, 13.755187, actor=BOJAN,
                                  note="Vhod s parkirišča.", data_dir=data_dir, now=LATER)
    log = upkeep.read_log(data_dir)
    assert list(log.columns) == list(changelog.COLUMNS)
    assert list(log["action"]) == ["location"] * 4 + ["verified"]  # most recent first
    verified = log.iloc[-1]
    assert (verified["record"], verified["field"], verified["old"], verified["new"], verified["actor"]) == (
        "cajanke", "last_verified", "2026-11-23", "2026-12-01", ANA)
    placed = log[log["action"] == "location"]
    assert set(placed["field"]) == {"lat", "lon", "accuracy_m", "note"}
    assert set(placed["record"]) == {"Pobeška cesta 2, 6000 Koper"} and set(placed["actor"]) == {BOJAN}
    assert placed.set_index("field").loc["lat", "new"] == "45.540112"
    assert set(placed["when"]) == {"2026-12-01T09:45:10+01:00"}


def test_a_correction_of_a_known_point_logs_old_and_new(data_dir):
    upkeep.record_manual_location("Krožna cesta 5, 6000 Koper", 45.5411, 13.7401, actor=ANA, accuracy_m=10,
                                  data_dir=data_dir, now=NOW)
    log = upkeep.read_log(data_dir).set_index("field")
    assert log.loc["lat", "change"] == "changed" and log.loc["lat", "old"] and log.loc["lat", "new"] == "45.5411"
    assert (log.loc["accuracy_m", "old"], log.loc["accuracy_m", "new"]) == ("500", "10")


def test_nothing_changed_logs_nothing_and_a_save_needs_an_actor(data_dir):
    upkeep.save_directory(current(data_dir), data_dir, actor=ANA, now=NOW)
    assert log_lines(data_dir) == []
    before = files_under(data_dir)
    table = current(data_dir)
    table.loc[0, "note_en"] = "Changed."
    with pytest.raises(DataValidationError, match="say who"):
        upkeep.save_directory(table, data_dir, actor="  ", now=NOW)
    assert files_under(data_dir) == before


def test_a_damaged_log_line_is_skipped_not_fatal(data_dir):
    upkeep.mark_verified(["cajanke"], data_dir=data_dir, actor=ANA, now=NOW)
    with open(data_dir / settings.CHANGE_LOG_FILE, "a", encoding="utf-8") as handle:
        handle.write('{"when": "2026-12-01T09:31:00+01:00", "actor": "cut sho')  # a crash mid-line
    upkeep.mark_verified(["remote-alarm"], data_dir=data_dir, actor=BOJAN, now=LATER)
    log = upkeep.read_log(data_dir)
    assert list(log["record"]) == ["cajanke"]  # the cut line swallowed the next one's start; both are skipped
    upkeep.mark_verified(["birth-grant"], data_dir=data_dir, actor=BOJAN, now=LATER)
    assert list(upkeep.read_log(data_dir)["record"]) == ["birth-grant", "cajanke"]


def test_the_change_log_downloads_for_excel_with_formulas_neutralised(data_dir):
    table = current(data_dir)
    table.loc[0, "note_sl"] = '=HYPERLINK("http://evil.example","klik")'
    upkeep.save_directory(table, data_dir, actor="@SUM(1)", now=NOW)
    content = upkeep.change_log_csv(data_dir)
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    header, line = text.splitlines()[:2]
    assert header == ";".join(changelog.COLUMNS)
    assert "'=HYPERLINK" in line and "'@SUM(1)" in line
    cells = [c for row in pd.read_csv(__import__("io").StringIO(text), sep=";", dtype=str, keep_default_na=False).values
             for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


# ------------------------------------------------------------------------------------------------
# No lost update


def test_two_previews_the_second_save_is_refused_with_who_and_when(data_dir):
    ana_table, bojan_table = current(data_dir), current(data_dir)
    ana_table.loc[ana_table["id"] == "cajanke", "phones"] = "+38656634599"
    bojan_table.loc[bojan_table["id"] == "birth-grant", "note_en"] = "Bojan's note."
    ana = upkeep.preview_import("ana.csv", as_csv(ana_table), data_dir)
    bojan = upkeep.preview_import("bojan.csv", as_csv(bojan_table), data_dir)
    assert ana.stamp == bojan.stamp == upkeep.directory_stamp(data_dir)
    upkeep.save_directory(ana.upload.frame, data_dir, actor=ANA, expected_stamp=ana.stamp, now=NOW)
    after_ana = (data_dir / "services.csv").read_bytes()
    with pytest.raises(StaleDirectoryError) as caught:
        upkeep.save_directory(bojan.upload.frame, data_dir, actor=BOJAN, expected_stamp=bojan.stamp, now=LATER)
    assert (caught.value.changed_by, caught.value.changed_at) == (ANA, "2026-12-01T09:30:00+01:00")
    assert ANA in str(caught.value)
    assert (data_dir / "services.csv").read_bytes() == after_ana  # nothing silently overwritten
    assert len(list((data_dir / "backups").iterdir())) == 1 and {l["actor"] for l in log_lines(data_dir)} == {ANA}
    # The preview again, on the new data: Ana's phone would be undone by Bojan's file, and it says so.
    again = upkeep.preview_import("bojan.csv", as_csv(bojan_table), data_dir)
    assert again.stamp != bojan.stamp
    assert {(r.id, r.fields) for r in again.diff.changed} == {("cajanke", ("phones",)), ("birth-grant", ("note_en",))}
    upkeep.save_directory(again.upload.frame, data_dir, actor=BOJAN, expected_stamp=again.stamp, now=LATER)
    assert b"Bojan's note." in (data_dir / "services.csv").read_bytes()


def test_a_change_outside_the_app_is_reported_without_a_name(data_dir):
    preview = upkeep.preview_import("s.csv", SHIPPED.replace(b"2026-11-23\n", b"2026-11-24\n", 1), data_dir)
    (data_dir / "services.csv").write_bytes(SHIPPED.replace(b"24/7", b"Mo-Su 00:00-24:00", 1))
    with pytest.raises(StaleDirectoryError) as caught:
        upkeep.save_directory(preview.upload.frame, data_dir, actor=ANA, expected_stamp=preview.stamp)
    assert (caught.value.changed_by, caught.value.changed_at) == ("", "")


# ------------------------------------------------------------------------------------------------
# Restore


def test_backups_are_listed_newest_first_and_restoring_is_logged_and_backed_up(data_dir):
    table = current(data_dir)
    shipped_note = table.loc[0, "note_en"]
    table.loc[0, "note_en"] = "First."
    first = upkeep.save_directory(table, data_dir, actor=ANA, now=NOW)
    table.loc[0, "note_en"] = "Second."
    second = upkeep.save_directory(table, data_dir, actor=ANA, now=LATER)
    found = upkeep.list_backups(data_dir)
    assert [b.name for b in found] == [second.backup.name, first.backup.name]
    assert found[0].file == "services.csv" and found[0].taken_at == dt.datetime(2026, 12, 1, 9, 45, 10)
    assert found[1].size == len(SHIPPED)
    restored = upkeep.restore_backup(first.backup.name, data_dir=data_dir, actor=BOJAN,
                                     now=dt.datetime(2026, 12, 1, 10, 0, 0))
    assert (data_dir / "services.csv").read_bytes() == SHIPPED
    assert b"Second." in restored.backup.read_bytes()  # what the restore replaced is kept too
    log = upkeep.read_log(data_dir)
    latest = log.iloc[0]
    assert (latest["action"], latest["actor"], latest["record"], latest["field"], latest["old"], latest["new"],
            latest["detail"]) == ("restore", BOJAN, table.loc[0, "id"], "note_en", "Second.", shipped_note, first.backup.name)
    assert len(upkeep.list_backups(data_dir)) == 3


def test_a_manual_points_backup_can_be_restored(data_dir):
    path = data_dir / settings.MANUAL_COORDINATES_FILE
    old = path.read_bytes()
    upkeep.record_manual_location("Pobeška cesta 2, 6000 Koper", 45.5401, 13.7551, actor=ANA, data_dir=data_dir, now=NOW)
    [backup] = upkeep.list_backups(data_dir)
    assert backup.file == settings.MANUAL_COORDINATES_FILE
    result = upkeep.restore_backup(backup.name, data_dir=data_dir, actor=BOJAN, now=LATER)
    assert result.changed and path.read_bytes() == old
    latest = upkeep.read_log(data_dir).iloc[0]
    assert (latest["action"], latest["file"], latest["detail"]) == ("restore", settings.MANUAL_COORDINATES_FILE, backup.name)


@pytest.mark.parametrize("name", ["../services.csv", "services.csv", "backups/x.csv", "/etc/passwd", "notes-2026.txt"])
def test_only_a_listed_backup_can_be_restored(data_dir, name):
    (data_dir / "backups").mkdir()
    (data_dir / "backups" / "notes-2026.txt").write_text("x")
    before = files_under(data_dir)
    with pytest.raises(DataFileError, match="not a backup"):
        upkeep.restore_backup(name, data_dir=data_dir, actor=ANA)
    assert files_under(data_dir) == before


def test_a_broken_backup_is_not_restored(data_dir):
    (data_dir / "backups").mkdir()
    broken = SHIPPED.replace(b",home_care,", b",homecare,", 1)
    (data_dir / "backups" / "services-2026-11-30-120000.csv").write_bytes(broken)
    before = files_under(data_dir)
    with pytest.raises(DataValidationError, match="category"):
        upkeep.restore_backup("services-2026-11-30-120000.csv", data_dir=data_dir, actor=ANA)
    assert files_under(data_dir) == before


def test_restore_refuses_when_upkeep_is_off(data_dir, monkeypatch):
    upkeep.mark_verified(["cajanke"], data_dir=data_dir, actor=ANA, now=NOW)
    [backup] = upkeep.list_backups(data_dir)
    monkeypatch.setenv(settings.UPKEEP_ENV, "0")
    with pytest.raises(upkeep.UpkeepDisabled):
        upkeep.restore_backup(backup.name, data_dir=data_dir, actor=ANA)


# ------------------------------------------------------------------------------------------------
# Half a save: validation and storage see one normalised value


@pytest.mark.parametrize("spelling", [" confidential", "confidential ", "\tconfidential", "\u00a0confidential",
                                      "confidential\u00a0"])
def test_a_confidential_row_with_an_address_is_refused_in_any_spelling(data_dir, spelling):
    table = current(data_dir)
    row = table.index[table["id"] == "cajanke"][0]
    table.loc[row, "location_type"] = spelling
    table.loc[row, "service_area"] = ""
    upload = upkeep.read_upload("s.csv", as_csv(table))
    problems = upkeep.validate_upload(upload)
    assert (row + 2, "address") in {(p.row, p.field) for p in problems}
    before = files_under(data_dir)
    with pytest.raises(DataValidationError, match="confidential service must not have an address"):
        upkeep.save_directory(upload.frame, data_dir, actor=ANA, now=NOW)
    assert files_under(data_dir) == before


@pytest.mark.parametrize("spelling", ["site ", " site", "\tsite", "site\u00a0", "\u00a0site\t"])
def test_padded_enumerations_are_stored_as_they_were_checked_and_load(data_dir, spelling):
    table = current(data_dir)
    row = table.index[table["location_type"] == "site"][0]
    table.loc[row, "location_type"] = spelling
    table.loc[row, "target_groups"] = "older;\u00a0families "
    upload = upkeep.read_upload("s.csv", as_csv(table))
    assert upkeep.validate_upload(upload) == []
    upkeep.save_directory(upload.frame, data_dir, actor=ANA, now=NOW)
    loaded = load.load_services(data_dir)  # what every public page does after a restart
    assert loaded.loc[row, "location_type"] == "site"
    assert loaded.loc[row, "target_groups"] == ["older", "families"]
    stored = current(data_dir)
    assert stored.loc[row, "location_type"] == "site" and stored.loc[row, "target_groups"] == "older; families"


def test_a_table_that_would_not_load_is_never_written(data_dir, monkeypatch):
    table = current(data_dir)
    table.loc[0, "note_en"] = "Changed."
    real = model.parse_services
    calls = []

    def refuses_what_is_written(frame, file="services.csv"):
        calls.append(len(frame))
        raise DataValidationError([])

    monkeypatch.setattr(model, "parse_services", refuses_what_is_written)
    before = files_under(data_dir)
    with pytest.raises(DataValidationError):
        upkeep.save_directory(table, data_dir, actor=ANA, now=NOW)
    assert calls == [36] and files_under(data_dir) == before
    monkeypatch.setattr(model, "parse_services", real)


# ------------------------------------------------------------------------------------------------
# Disk full, read-only folder: a translated reason, nothing partial, no backup from the attempt


def _changed(data_dir: Path) -> pd.DataFrame:
    table = current(data_dir)
    table.loc[0, "note_en"] = "Changed."
    return table


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "full"), (errno.EDQUOT, "full"),
                                              (errno.EROFS, "read_only"), (errno.EACCES, "read_only"),
                                              (errno.EIO, "other")])
def test_a_failing_disk_leaves_everything_as_it_was(data_dir, monkeypatch, code, reason):
    def fail(handle, data):
        handle.write(data[: len(data) // 3])
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic, "_write_payload", fail)
    before = files_under(data_dir)
    with pytest.raises(StorageError) as caught:
        upkeep.save_directory(_changed(data_dir), data_dir, actor=ANA, now=NOW)
    assert caught.value.reason == reason and caught.value.file == "services.csv"
    assert files_under(data_dir) == before  # no backup, no log line, no temporary file


def test_a_full_disk_on_the_data_file_itself_removes_the_backup_and_the_log_line(data_dir, monkeypatch):
    real = atomic._write_payload

    def full_on_services(handle, data):
        if ".services.csv." in handle.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(handle, data)

    monkeypatch.setattr(atomic, "_write_payload", full_on_services)
    before = files_under(data_dir)
    with pytest.raises(StorageError, match="No space left"):
        upkeep.mark_verified(["cajanke"], data_dir=data_dir, actor=ANA, now=NOW)
    assert files_under(data_dir) == before
    monkeypatch.setattr(atomic, "_write_payload", real)
    upkeep.mark_verified(["cajanke"], data_dir=data_dir, actor=ANA, now=NOW)  # and works once there is room
    assert [line["record"] for line in log_lines(data_dir)] == ["cajanke"]


def test_a_change_log_that_cannot_be_written_stops_the_save(data_dir, monkeypatch):
    upkeep.mark_verified(["cajanke"], data_dir=data_dir, actor=ANA, now=NOW)
    before = files_under(data_dir)
    real_write = os.write

    def short_write(fd, data):
        return real_write(fd, data[:10])  # the disk filled up mid-line

    monkeypatch.setattr(os, "write", short_write)
    with pytest.raises(StorageError) as caught:
        upkeep.mark_verified(["remote-alarm"], data_dir=data_dir, actor=ANA, now=LATER)
    assert caught.value.reason == "full"
    monkeypatch.setattr(os, "write", real_write)
    assert files_under(data_dir) == before  # the partial line is gone, the data and backups untouched


def test_a_read_only_data_folder_when_not_root(data_dir):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the errno tests above cover it")
    table = _changed(data_dir)
    (data_dir / settings.CHANGE_LOG_FILE).touch()
    (data_dir / settings.CHANGE_LOG_FILE).chmod(0o444)
    data_dir.chmod(0o555)
    try:
        before = files_under(data_dir)
        with pytest.raises(StorageError) as caught:
            upkeep.save_directory(table, data_dir, actor=ANA, now=NOW)
        assert caught.value.reason == "read_only"
        assert files_under(data_dir) == before
    finally:
        data_dir.chmod(0o755)
