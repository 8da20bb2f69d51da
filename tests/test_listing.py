"""The sectioned list (ui.listing): the same entries whether their texts come shared or are made here."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from apptest_support import list_entries


def _list_page(share: str) -> None:
    """A page that lists the shipped directory; ``share``: which entries' texts are given ("all", "half", "none")."""
    import datetime as dt

    from geo import directory, settings
    from ui import listing

    services = directory.build_directory(settings.data_dir()).services
    when = dt.datetime(2026, 11, 23, 10, 0)
    everything = {str(r["id"]): listing.entry_texts(r, "it", when, None) for r in services.to_dict("records")}
    given = {"all": everything, "half": dict(list(everything.items())[::2]), "none": None}[share]
    listing.sectioned_list(services, "it", when, expanded_ids={"day-care-oljka"}, texts=given)


def _shown(share: str) -> tuple[list, list, list]:
    app = AppTest.from_function(_list_page, args=(share,), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return [s.value for s in app.subheader], list_entries(app), [m.value for m in app.markdown]


def test_entries_without_shared_texts_are_made_from_their_rows_in_the_same_order():
    complete = _shown("all")
    assert len(complete[1]) == 36 and len(complete[0]) == 4
    assert [e.service_id for e in complete[1] if e.is_open] == ["day-care-oljka"]
    assert _shown("half") == complete
    assert _shown("none") == complete


def test_shared_list_texts_are_made_only_for_the_entries_a_page_asks_for(monkeypatch):
    """A 10,000-service directory shows 100 entries per section: texts are made when asked for (issue 14)."""
    import datetime as dt

    from geo import directory, settings
    from ui import cache, listing

    services = directory.build_directory(settings.data_dir()).services
    records = {str(r["id"]): r for r in services.to_dict("records")}
    made = []
    original = listing.entry_texts
    monkeypatch.setattr(listing, "entry_texts", lambda record, *a, **k: made.append(record["id"]) or original(record, *a, **k))
    texts = cache._MadeOnFirstUse(records, lambda i: listing.entry_texts(records[i], "sl", dt.datetime(2026, 11, 23, 10, 0), None))
    assert len(texts) == 36 and "day-care-oljka" in texts and "no-such-id" not in texts
    assert made == []
    first = texts["day-care-oljka"]
    assert texts["day-care-oljka"] is first and made == ["day-care-oljka"]
    assert first == original(records["day-care-oljka"], "sl", dt.datetime(2026, 11, 23, 10, 0), None)


def test_a_list_entry_shows_markup_in_the_data_as_text_and_links_only_safe_schemes():
    from ui import listing

    label = "Dom <b>x</b> · Care at home"
    details = ("<img src=x onerror=alert(1)> **Phone:** [05 123 45 67](tel:+38651234567)  \n"
               "[site](https://example.org/a) [bad](javascript:alert(1)) [file](file:///etc/passwd)")
    html = listing.entry_html((label, details, "[Report a mistake](mailto:keepers@koper.si)"), 'id"><x')
    assert html.startswith('<details data-service-id="id&quot;&gt;&lt;x"><summary>Dom &lt;b&gt;x&lt;/b&gt;')
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<a href="tel:+38651234567">05 123 45 67</a>' in html
    assert '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">site</a>' in html
    assert '<a href="mailto:keepers@koper.si">Report a mistake</a>' in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "") and 'href="file:' not in html
    assert listing.open_entry(html).startswith("<details open data-service-id=")
    assert listing.open_entry(listing.open_entry(html)) == listing.open_entry(html)
    assert listing.entry_html((label, details, ""), "a", open_=True) == listing.open_entry(listing.entry_html(
        (label, details, ""), "a"))


def test_shared_list_html_is_made_from_the_shared_texts_when_first_asked_for(monkeypatch):
    from ui import cache, listing

    texts = {"a": ("A · x", "**Phone:** 1", ""), "b": ("B · y", "two", "")}
    made = []
    original = listing.entry_html
    monkeypatch.setattr(listing, "entry_html", lambda t, i, **k: made.append(i) or original(t, i, **k))
    html = cache._MadeOnFirstUse(texts, lambda i: listing.entry_html(texts[i], i))
    assert made == [] and len(html) == 2 and "c" not in html
    assert html["b"] == original(texts["b"], "b") and html["b"] is html["b"] and made == ["b"]


def test_unknown_hours_are_said_once_after_their_label_in_every_language():
    """"Opening hours: unknown", not "Opening hours: Opening hours unknown" (a fresh-eyes check)."""
    import datetime as dt

    from geo import directory, i18n, present, settings

    services = directory.build_directory(settings.data_dir()).services
    unknown = [r for r in services.to_dict("records") if not r.get("opening_hours") and not r.get("hours_note")]
    assert unknown
    for lang in i18n.LANGUAGES:
        details = present.details_markdown(unknown[0], lang, dt.datetime(2026, 11, 23, 10, 0))
        line = next(x for x in details.split("  \n") if x.startswith(f"**{i18n.t('field.hours', lang)}:**"))
        assert line == f"**{i18n.t('field.hours', lang)}:** {i18n.t('hours.unknown', lang)}"
        assert i18n.t("field.hours", lang).casefold() not in i18n.t("hours.unknown", lang).casefold()
