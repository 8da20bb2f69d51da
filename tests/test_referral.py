"""The referral sheet (geo.referral) and "report a mistake" links (geo.present.mistake_href)."""
from __future__ import annotations

import datetime as dt
import io
import urllib.parse

import pandas as pd
import pytest
from pypdf import PdfReader

from geo import directory, filters, i18n, model, present, referral, settings

SATURDAY = dt.datetime(2026, 12, 5, 10, 0)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return directory.directory_table(settings.PROJECT_DIR / "data")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """PDF text with line breaks (wrapping) read as spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["sl", "it", "en"])
def test_sheet_for_homeless_people_lists_every_such_service_with_its_phones(table, lang):
    chosen = filters.Filters(target_groups=("homeless",))
    shown = filters.apply(table, chosen, lang)
    services = shown[shown["record_kind"] != model.INFORMATION]
    assert len(services) >= 3  # the shelter, the housing support, Caritas at least
    text = flat(pdf_text(referral.referral_pdf(shown, lang, SATURDAY, referral.selection_text(chosen, lang, SATURDAY))))
    assert flat(i18n.t("referral.title", lang)) in text
    assert flat(i18n.t("referral.footer", lang, date=i18n.format_day(SATURDAY.date(), lang), page=1)) in text
    assert i18n.t("group.homeless", lang) in text
    for record in services.to_dict("records"):
        assert flat(i18n.field(record, "name", lang)) in text, record["id"]
        for phone in record["phones"]:
            assert present.display_phone(phone) in text, (record["id"], phone)


def test_the_sheet_says_how_to_apply(table):
    housing = table.set_index("id", drop=False).loc["homeless-housing-support"].to_dict()
    lines = dict(referral.entry_lines(housing, "sl"))
    assert "Gramšijev trg 1" in lines[i18n.t("field.how_to_apply", "sl")]


def test_sections_put_home_delivery_first_and_keep_information_out(table):
    found = referral.sections(table, "en")
    titles = [title for title, _ in found]
    assert titles == [i18n.t(key, "en") for key, _ in referral.SECTIONS]
    home = {r["id"] for r in found[0][1]}
    assert {"home-help", "meals-on-wheels"} <= home
    assert all(r["delivery"] == model.HOME for r in found[0][1])
    every = {r["id"] for _, records in found for r in records}
    assert "co-financed-social-programmes" not in every
    assert every == set(table.loc[table["record_kind"] != model.INFORMATION, "id"])


def test_confidential_entries_never_carry_a_place_even_from_a_wrong_row(table):
    bad = table.copy()
    secret = bad["location_type"] == model.CONFIDENTIAL
    bad.loc[secret, "address"] = "Tajna ulica 7, 6000 Koper"
    bad.loc[secret, "address_it"] = "Via Segreta 7"
    text = pdf_text(referral.referral_pdf(bad, "it", SATURDAY, ""))
    assert "Tajna" not in text and "Segreta" not in text
    for record in bad[secret].to_dict("records"):
        labels = [label for label, _ in referral.entry_lines(record, "sl")]
        assert i18n.t("field.address", "sl") not in labels


def test_unknown_hours_say_call_first_and_known_hours_do_not(table):
    records = table.set_index("id", drop=False)
    unknown = dict(referral.entry_lines(records.loc["home-help"].to_dict(), "en"))
    assert i18n.t("referral.call_first", "en") in unknown[i18n.t("field.hours", "en")]
    known = dict(referral.entry_lines(records.loc["day-care-oljka"].to_dict(), "en"))
    assert i18n.t("referral.call_first", "en") not in known[i18n.t("field.hours", "en")]


def test_selection_text_in_each_language():
    chosen = filters.Filters(categories=("home_care",), target_groups=("older",), text="kosilo", hours="open_at", at=SATURDAY)
    assert referral.selection_text(filters.Filters(), "sl", SATURDAY) == "Vse storitve."
    text = referral.selection_text(chosen, "it", SATURDAY)
    assert i18n.t("category.home_care", "it") in text and i18n.t("group.older", "it") in text
    assert "«kosilo»" in text and "10:00" in text and "sab" in text


def test_an_empty_selection_gives_one_page_saying_so(table):
    data = referral.referral_pdf(table.iloc[0:0], "sl", SATURDAY, "")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert i18n.t("referral.empty", "sl") in pdf_text(data)


# --- report a mistake -------------------------------------------------------------------------------


def test_mistake_link_fills_in_the_service_id_and_name_in_the_language(table):
    record = table.set_index("id", drop=False).loc["day-care-oljka"].to_dict()
    href = present.mistake_href(record, "it", "imenik@koper.si")
    assert href.startswith("mailto:imenik@koper.si?subject=")
    query = urllib.parse.parse_qs(href.split("?", 1)[1])
    assert query["subject"] == [i18n.t("mistake.subject", "it", name=record["name_it"], id="day-care-oljka")]
    assert "day-care-oljka" in query["body"][0]
    assert " " not in href and "(" not in href and ")" not in href  # a Markdown link cannot be broken out of
    markdown = present.mistake_markdown(record, "it", "imenik@koper.si")
    assert markdown.startswith(f"[{i18n.t('mistake.link', 'it')}](mailto:")


def test_no_mistake_link_without_a_keepers_address(table):
    record = table.iloc[0].to_dict()
    assert present.mistake_href(record, "sl", None) is None
    assert present.mistake_markdown(record, "sl", None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("imenik@koper.si", "imenik@koper.si"),
        ("  imenik@koper.si ", "imenik@koper.si"),
        ("", None),
        ("not-an-address", None),
        ("a@b.si?bcc=everyone@x.si", None),
        ("javascript:alert(1)@x.si", None),
    ],
)
def test_feedback_email_setting(monkeypatch, value, expected):
    monkeypatch.setenv(settings.FEEDBACK_EMAIL_ENV, value)
    assert settings.feedback_email() == expected


# --- on the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sl", "it"])
def test_the_map_page_makes_the_sheet_on_request_and_offers_it_for_download(lang, data_dir, monkeypatch):
    from apptest_support import run_page

    made = []
    real = referral.referral_pdf
    monkeypatch.setattr(referral, "referral_pdf", lambda *args, **kwargs: made.append(args[1]) or real(*args, **kwargs))
    app = run_page(lang=lang)
    assert not app.exception, app.exception
    assert made == []  # a visit that does not print costs nothing
    button = app.button(key="map_referral_make")
    assert button.label == i18n.t("referral.make", lang)  # says what the first click does
    button.click().run()
    assert not app.exception, app.exception
    assert made == [lang]
    [download] = [e for e in app.get("download_button") if e.proto.label == i18n.t("referral.download", lang)]
    assert not download.proto.deferred_file_id  # the bytes themselves
