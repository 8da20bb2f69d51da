"""Escaping and link schemes: hostile strings never become markup or script."""
from __future__ import annotations

import pytest

from geo import safe

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "\" onmouseover='alert(1)'",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_html_text_leaves_no_tag_or_quote(text):
    escaped = safe.html_text(text)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped and "'" not in escaped


@pytest.mark.parametrize("text", HOSTILE + ["[click](javascript:alert(1))"])
def test_md_text_leaves_no_markdown_link_or_tag(text):
    escaped = safe.md_text(text)
    assert "](" not in escaped and "<" not in escaped.replace("\\<", "")


@pytest.mark.parametrize(
    "url, href",
    [
        ("www.odu-koper.si", "https://www.odu-koper.si"),
        ("sites.google.com/site/cdakoper", "https://sites.google.com/site/cdakoper"),
        ("http://example.si/a?b=1", "http://example.si/a?b=1"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>", None),
        ("https://x.si/\"><script>", None),
        ("", None),
    ],
)
def test_only_http_links(url, href):
    assert safe.web_href(url) == href


def test_mailto_and_tel():
    assert safe.mailto_href("info@odu.si") == "mailto:info@odu.si"
    assert safe.mailto_href("x@y.si?subject=<b>") is None
    assert safe.tel_href("+38656634550") == "tel:+38656634550"
    assert safe.tel_href("javascript:alert(1)") is None


def test_directions_links_are_encoded():
    assert safe.osm_directions_href(45.5, 13.7).startswith("https://www.openstreetmap.org/directions?to=45.500000%2C13.700000")
    assert "%3Cscript%3E" in safe.google_directions_href("<script>")
