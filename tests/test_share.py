"""The share link: its target never escapes the Markdown link, and the map page shows it."""
from __future__ import annotations

from apptest_support import run_page
from ui import share


def test_markdown_href_encodes_what_could_end_the_link_target():
    hostile = 'https://example.org/a b)(x"<y>\'`\\z?lang=sl'
    href = share.markdown_href(hostile)
    assert not any(char in href for char in ' ()<>"\'`\\')
    assert href == "https://example.org/a%20b%29%28x%22%3Cy%3E%27%60%5Cz?lang=sl"


def test_markdown_href_keeps_an_ordinary_link():
    link = "http://localhost:8501/nearest?lang=it&cat=home_care"
    assert share.markdown_href(link) == link


def test_the_map_page_links_to_its_view_in_the_page_language(data_dir):
    at = run_page(lang="it")
    bodies = [m.value for m in at.markdown]
    link = next(body for body in bodies if body.startswith("**[Link a questa vista]("))
    assert "lang=it" in link
    captions = " ".join(c.value for c in at.caption)
    assert "Copia indirizzo link" in captions
