"""The sectioned list (ui.listing): the same entries whether their texts come shared or are made here."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


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
    return ([s.value for s in app.subheader], [e.label for e in app.expander],
            [m.value for m in app.markdown])


def test_entries_without_shared_texts_are_made_from_their_rows_in_the_same_order():
    complete = _shown("all")
    assert len(complete[1]) == 36 and len(complete[0]) == 4
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
    texts = cache._ListingTexts(records, "sl", dt.datetime(2026, 11, 23, 10, 0), None)
    assert len(texts) == 36 and "day-care-oljka" in texts and "no-such-id" not in texts
    assert made == []
    first = texts["day-care-oljka"]
    assert texts["day-care-oljka"] is first and made == ["day-care-oljka"]
    assert first == original(records["day-care-oljka"], "sl", dt.datetime(2026, 11, 23, 10, 0), None)
