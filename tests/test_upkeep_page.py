"""The staff upkeep page through AppTest: status, import with diff and save, verify, switch-off."""
from __future__ import annotations

import datetime as dt

import pytest

from apptest_support import run_page, texts
from geo import hours, i18n, settings

PAGE = "pages/upkeep.py"


@pytest.fixture
def clicks_reach_the_page(monkeypatch):
    """Let a button click reach the page under AppTest.

    AppTest starts a page chosen with ``switch_page`` in Streamlit's older multipage mode on every
    run, so ``ui.routing.require_entrypoint`` reruns it through app.py, and that rerun drops the
    click (a button is True for one run only). On a server the older mode is off after the first
    request. Here the page runs as it is, still behind ``auth.require_staff``.
    """
    from ui import routing

    monkeypatch.setattr(routing, "require_entrypoint", lambda: None)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_status_shows_counts_and_approximate_locations(lang, data_dir):
    app = run_page(PAGE, lang)
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics[i18n.t("upkeep.records", lang)] == "36"
    assert metrics[i18n.t("upkeep.problems", lang)] == "0"
    # the 14 hand-placed addresses (±250–700 m) and the register-placed Gažon are approximate
    assert int(metrics[i18n.t("upkeep.approximate", lang)]) >= 14


def test_verify_marks_records_today_and_keeps_a_backup(data_dir, clicks_reach_the_page):
    path = data_dir / "services.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(l.replace("2026-11-23\n", "2025-01-10\n") if l.startswith("cajanke,") else l for l in lines),
                    encoding="utf-8")
    app = run_page(PAGE, "en")
    app.multiselect(key="upkeep_verify").set_value(["cajanke"]).run()
    app.button(key="upkeep_verify_button").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Saved to services.csv; the previous version is in backups/")
    text = (data_dir / "services.csv").read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("cajanke,"))
    assert line.endswith(hours.local_now().date().isoformat())
    assert list((data_dir / settings.BACKUP_DIR_NAME).iterdir())


def test_stale_records_are_listed(data_dir):
    path = data_dir / "services.csv"
    text = path.read_text(encoding="utf-8")
    old = (hours.local_now().date() - dt.timedelta(days=400)).isoformat()
    path.write_text(text.replace("2026-11-23\n", old + "\n", 1), encoding="utf-8")
    app = run_page(PAGE, "en")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics[i18n.t("upkeep.stale", "en", n=365)] == "1"


def test_switched_off_the_page_is_not_offered(data_dir, monkeypatch):
    monkeypatch.setenv(settings.UPKEEP_ENV, "0")
    with pytest.raises(ValueError, match="Known pages"):
        run_page(PAGE, "en")  # app.py does not register it, so no URL reaches it
    monkeypatch.setenv(settings.UPKEEP_ENV, "1")
    assert not run_page(PAGE, "en").exception


def test_a_rejected_import_explains_every_problem_by_row_and_field(data_dir):
    from geo import upkeep

    content = (data_dir / "services.csv").read_bytes().replace(b",home_care,", b",homecare,", 1)
    preview = upkeep.preview_import("services.csv", content, data_dir)
    assert [(p.row, p.field) for p in preview.problems] == [(6, "category")]  # home-help: spreadsheet row 6


def test_import_shows_the_field_by_field_diff_and_saves_only_on_request(data_dir, clicks_reach_the_page):
    path = data_dir / "services.csv"
    before = path.read_bytes()
    # next year's list, saved by Excel as "CSV UTF-8" with a Slovene locale: BOM, semicolons
    # (Windows-1250 cannot hold the Italian à/è/ù; such a file is rejected with advice, see test_upkeep)
    import csv
    import io

    rows = list(csv.reader(io.StringIO(before.decode("utf-8"))))
    header = rows[0]
    cajanke = next(r for r in rows if r[0] == "cajanke")
    cajanke[header.index("phones")] = "+38656634599"
    rows = [r for r in rows if r[0] != "birth-grant"]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    content = out.getvalue().encode("utf-8-sig")

    app = run_page(PAGE, "en")
    app.get("file_uploader")[0].set_value(("imenik-2027.csv", content, "text/csv")).run()
    assert not app.exception, app.exception
    said = texts(app)
    assert "Read as UTF-8 with byte-order mark" in said
    assert "Changes: 0 added, 1 changed, 1 removed, 34 unchanged" in said
    diff_table = app.dataframe[-1].value
    assert {"cajanke", "birth-grant"} <= set(diff_table["ID"])
    assert path.read_bytes() == before  # nothing written yet
    app.button(key="upkeep_save").click().run()
    assert app.success[0].value.startswith("Saved to services.csv")
    assert b"+38656634599" in path.read_bytes() and b"birth-grant" not in path.read_bytes()


# ------------------------------------------------------------------------------------------------
# Two staff sessions, the change log, restore, and what goes wrong said in the staff's language

ANA, BOJAN = "ana.novak@koper.si", "bojan.kos@koper.si"


def staff_session(email: str, lang: str = "en"):
    """One browser session of a signed-in member of staff on the upkeep page."""
    from streamlit.testing.v1 import AppTest

    from apptest_support import sign_in

    app = AppTest.from_file(str(settings.PROJECT_DIR / "app.py"), default_timeout=60)
    sign_in(app, email, staff_emails=(ANA, BOJAN))
    app.query_params["lang"] = lang
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def edited(data_dir, record_id: str, field: str, value: str) -> bytes:
    import io

    import pandas as pd

    table = pd.read_csv(data_dir / "services.csv", dtype=str, keep_default_na=False)
    table.loc[table["id"] == record_id, field] = value
    out = io.StringIO()
    table.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode("utf-8")


def upload(app, name: str, content: bytes):
    app.get("file_uploader")[0].set_value((name, content, "text/csv")).run()
    assert not app.exception, app.exception
    return app


def test_two_sessions_the_second_save_is_refused_and_the_preview_offered_again(data_dir, clicks_reach_the_page):
    path = data_dir / "services.csv"
    ana, bojan = staff_session(ANA), staff_session(BOJAN, "sl")
    upload(ana, "ana.csv", edited(data_dir, "cajanke", "phones", "+38656634599"))
    upload(bojan, "bojan.csv", edited(data_dir, "birth-grant", "note_en", "Bojan's note."))
    ana.button(key="upkeep_save").click().run()
    assert ana.success[0].value.startswith("Saved to services.csv")
    after_ana = path.read_bytes()
    bojan.button(key="upkeep_save").click().run()
    assert not bojan.exception, bojan.exception
    refused = bojan.error[0].value.replace("\\", "").replace("\u200b", "")  # Markdown escapes of the e-mail
    assert refused.startswith("Ni shranjeno: imenik je spremenil(-a) ana.novak@koper.si (1. dec")
    assert path.read_bytes() == after_ana and b"Bojan's note." not in path.read_bytes()
    assert bojan.info[0].value == i18n.t("upkeep.preview_again", "sl")
    # The preview shown is already on the new data: saving Bojan's file would undo Ana's phone, and it says so.
    change = i18n.t("upkeep.col.change", "sl")
    diff_table = next(d.value for d in bojan.dataframe if change in d.value.columns and "Kdo" not in d.value.columns)
    assert set(diff_table[i18n.t("upkeep.col.id", "sl")]) == {"cajanke", "birth-grant"}
    bojan.button(key="upkeep_save").click().run()
    assert bojan.success[0].value.startswith("Shranjeno v services.csv")
    assert b"Bojan's note." in path.read_bytes()
    # Both saves are in the log with their identities; the history tab shows it, most recent first.
    bojan.run()
    log_table = next(d.value for d in bojan.dataframe if i18n.t("upkeep.col.actor", "sl") in d.value.columns)
    assert list(log_table[i18n.t("upkeep.col.actor", "sl")])[:2] == [BOJAN, BOJAN]
    assert ANA in set(log_table[i18n.t("upkeep.col.actor", "sl")])
    assert set(log_table[i18n.t("upkeep.col.action", "sl")]) == {i18n.t("upkeep.action.import", "sl")}


def test_the_history_tab_restores_a_backup_and_logs_it(data_dir, clicks_reach_the_page):
    path = data_dir / "services.csv"
    original = path.read_bytes()
    app = staff_session(ANA)
    app.multiselect(key="upkeep_verify").set_value(["cajanke"]).run()
    app.button(key="upkeep_verify_button").click().run()
    assert path.read_bytes() != original
    app.run()
    [backup] = app.selectbox(key="upkeep_restore_name").options
    assert app.button(key="upkeep_restore_button").disabled  # nothing is replaced before it is confirmed
    app.checkbox(key=f"upkeep_restore_confirm_{backup}").check().run()
    assert not app.button(key="upkeep_restore_button").disabled
    app.button(key="upkeep_restore_button").click().run()
    assert not app.exception, app.exception
    assert app.success[0].value.startswith(f"Restored {backup}".replace("-", "\\-").replace(".", "\\."))
    assert path.read_bytes() == original
    from geo import upkeep

    log = upkeep.read_log(data_dir)
    assert list(log["action"]) == ["restore", "verified"] and set(log["actor"]) == {ANA}
    assert len(upkeep.list_backups(data_dir)) == 2
    assert app.get("download_button")  # the directory and the change log for Excel


def test_a_full_disk_is_said_in_the_staff_language_and_nothing_is_left(data_dir, clicks_reach_the_page, monkeypatch):
    import errno

    from geo import atomic

    def full(handle, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = sorted(p.name for p in data_dir.rglob("*"))
    app = staff_session(ANA, "sl")
    app.multiselect(key="upkeep_verify").set_value(["cajanke"]).run()
    monkeypatch.setattr(atomic, "_write_payload", full)
    app.button(key="upkeep_verify_button").click().run()
    assert not app.exception, app.exception
    assert app.error[0].value.startswith("Ni shranjeno: disk je poln")
    assert sorted(p.name for p in data_dir.rglob("*")) == before


def test_a_wide_or_round_tripped_upload_is_refused_in_the_staff_language(data_dir):
    app = staff_session(ANA, "it")
    wide = (",".join(f"c{i}" for i in range(1500)) + "\n").encode()
    upload(app, "largo.csv", wide)
    assert "la riga 1 ha troppe colonne (1500; limite 100)" in app.error[0].value
    garbled = edited(data_dir, "cajanke", "name_sl", "Pomoč".encode("utf-8").decode("cp1250"))
    upload(app, "imenik.csv", garbled)
    assert app.error[0].value == i18n.t("upkeep.rejected", "it", n=1)
    assert app.warning[0].value == i18n.t("upkeep.advice.round_trip", "it")
