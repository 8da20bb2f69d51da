"""The staff upkeep page through AppTest: status, import with diff and save, verify, switch-off."""
from __future__ import annotations

import datetime as dt

import pytest

from apptest_support import run_page, texts
from geo import hours, i18n, settings

PAGE = "pages/upkeep.py"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_status_shows_counts_and_approximate_locations(lang, data_dir):
    app = run_page(PAGE, lang)
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics[i18n.t("upkeep.records", lang)] == "36"
    assert metrics[i18n.t("upkeep.problems", lang)] == "0"
    # the 14 hand-placed addresses (±250–700 m) and the register-placed Gažon are approximate
    assert int(metrics[i18n.t("upkeep.approximate", lang)]) >= 14


def test_verify_marks_records_today_and_keeps_a_backup(data_dir):
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
    assert metrics[i18n.t("upkeep.stale", "en", days=365)] == "1"


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


def test_import_shows_the_field_by_field_diff_and_saves_only_on_request(data_dir):
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
    assert i18n.t("upkeep.diff", "en", added=0, changed=1, removed=1, unchanged=34) in said
    diff_table = app.dataframe[-1].value
    assert {"cajanke", "birth-grant"} <= set(diff_table["ID"])
    assert path.read_bytes() == before  # nothing written yet
    app.button(key="upkeep_save").click().run()
    assert app.success[0].value.startswith("Saved to services.csv")
    assert b"+38656634599" in path.read_bytes() and b"birth-grant" not in path.read_bytes()
