"""ui.cards: a table as cards a 390 px phone can read (the HTML itself; pages: test_coverage_pages.py)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd

from ui import cards

HEADERS = {"rank": "Rank", "area": "Area", "value": "Mean distance (km)", "reach": "Comes to the residents",
           "population": "Population", "gap_text": "Why a gap"}
FRAME = pd.DataFrame({
    "rank": ["1.", "2."], "area": ["Rakitovec", "<img src=x onerror=alert(1)>"], "value": ["20,4 km", "–"],
    "reach": ["", "help by phone only"], "population": ["104", "1.262"], "gap_text": ["far: 20,4 km > 10 km", ""],
})


class _Parsed(HTMLParser):
    """Tags, attributes and text of the cards, to check their structure and escaping."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _cards(**options) -> str:
    defaults = dict(title=("rank", "area"), aside=("value",), lead=("reach", "gap_text"), plain=("reach",))
    return cards.cards_html(FRAME, HEADERS, **{**defaults, **options})


def test_every_column_is_on_the_card_once_and_the_summary_holds_what_matters():
    body = _cards(label="Ranking")
    items = re.findall(r"<li>.*?</li>", body)
    assert len(items) == 2
    first = items[0]
    summary = re.search(r"<summary>(.*)</summary>", first).group(1)
    assert '<span class="koper-card-title">1. Rakitovec</span> · 20,4 km' in summary
    assert "Why a gap: far: 20,4 km &gt; 10 km" in summary
    assert "Comes to the residents" not in summary  # an empty cell is left out of the summary
    folded = first.split("</summary>")[1]
    assert "<dt>Population</dt><dd>104</dd>" in folded and "<dt>Comes to the residents</dt>" not in folded
    for header in ("Rank", "Area", "Mean distance (km)", "Why a gap"):  # in the summary, not repeated
        assert f"<dt>{header}</dt>" not in folded
    second = re.search(r"<summary>(.*)</summary>", items[1]).group(1)
    assert "·" not in second and '<span class="koper-card-lead">help by phone only</span>' in second  # '–' left out; plain
    assert body.startswith('<ul class="koper-cards" aria-label="Ranking">')


def test_data_is_escaped_and_links_are_attributes_not_markup():
    body = _cards(links=['area?lang=sl&area=ks-1"><script>x</script>', None], link_text="Open <profile>")
    parsed = _Parsed(body)
    assert [t for t, _ in parsed.tags].count("img") == 0 and "script" not in [t for t, _ in parsed.tags]
    assert "<img src=x onerror=alert(1)>" in "".join(parsed.text)  # shown as text
    links = [a for t, a in parsed.tags if t == "a"]
    assert links == [{"class": "koper-card-link", "href": 'area?lang=sl&area=ks-1"><script>x</script>'}]
    assert "Open <profile>" in parsed.text


def test_only_the_wanted_view_shows_at_each_width():
    style = cards.css("coverage_ranking")
    narrow, wide = cards.NARROW_MAX_PX, cards.NARROW_MAX_PX + 1
    assert f"@media (max-width: {narrow}px) {{ .st-key-coverage_ranking-wide {{ display: none !important; }} }}" in style
    assert f"@media (min-width: {wide}px) {{ .st-key-coverage_ranking-cards {{ display: none !important; }} }}" in style
    assert 390 <= narrow < 1366
