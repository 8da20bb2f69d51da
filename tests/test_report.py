"""geo.report and geo.choropleth: translated figures, downloads, static maps and the council PDF."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from geo import areas, assets, choropleth, coverage, directory, i18n, nearest, report, settings

WHEN = dt.datetime(2026, 11, 23, 10, 0)


@pytest.fixture(scope="module")
def inputs():
    data = settings.data_dir()
    services = directory.directory_table(data)
    long = coverage.coverage_by_category(services, areas.load_areas(data), areas.load_demand_points(data))
    table = long[long["category"] == "day_activities"].drop(columns="category").reset_index(drop=True)
    return services, long, table, areas.load_boundaries(data)


def test_ranked_puts_the_least_served_first_and_unknown_before_all(inputs):
    _s, _l, table, _b = inputs
    # Ankaran first: none of the day centres is one its residents may use (service_area koper), so no distance.
    assert list(choropleth.ranked(table, "mean_distance_km")["area_id"][:3]) == ["ob-213", "ks-50623", "ks-50622"]
    shares = choropleth.ranked(table, "share_within_5km")
    assert shares["share_within_5km"].iloc[0] == 0 and shares["share_within_5km"].iloc[-1] == 1
    unknown = table.assign(mean_distance_km=table["mean_distance_km"].where(table["area_id"] != "ks-50619"))
    assert set(choropleth.ranked(unknown, "mean_distance_km")["area_id"].iloc[:2]) == {"ks-50619", "ob-213"}


def test_scale_colours_run_dark_for_worse_and_legend_has_units(inputs):
    _s, _l, table, _b = inputs
    km = choropleth.scale(table, "mean_distance_km")
    assert km.colour(19.3) == choropleth.PALETTE[-1] and km.colour(0.3) == choropleth.PALETTE[0]
    share = choropleth.scale(table, "share_within_5km")
    assert share.colour(0.0) == choropleth.PALETTE[-1] and share.colour(1.0) == choropleth.PALETTE[0]
    assert km.colour(float("nan")) == choropleth.NO_VALUE
    legend = share.legend("sl")
    assert legend[0][1] == "80 % – 100 %" and legend[-1][0] == choropleth.NO_VALUE
    assert choropleth.MEASURES["services_per_1000"].format(0.4583, "it") == "0,46 ogni 1.000"


def test_choropleth_html_is_offline_and_escapes_names(inputs):
    _s, _l, table, boundaries = inputs
    hostile = table.assign(name_sl=table["name_sl"].where(table["area_id"] != "ks-50605", "<img src=x onerror=alert(1)>"))
    m = choropleth.build_choropleth(hostile, boundaries, "mean_distance_km", "en", title="Mean distance")
    html = assets.standalone_html(m)
    assert assets.external_links(html) == []
    assert "<img src=x" not in html
    assert "\\u0026lt;img src=x" in html  # escaped, then JSON-encoded into the script
    assert html.count('"area_id"') >= 23


def test_figures_and_csv_name_columns_in_the_language(inputs):
    _s, _l, table, _b = inputs
    frame = report.figures(choropleth.ranked(table, "mean_distance_km"), "it", coverage.GapThresholds())
    assert list(frame.columns[:3]) == ["Area", "Codice dell'area", "Popolazione"]
    assert frame.iloc[0]["Residenti entro 5 km (%)"] == "0 %"
    body = report.csv_bytes(frame)
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents
    assert "Crevatini" in body.decode("utf-8-sig")  # Hrvatini in Italian


def test_excel_has_the_figures_and_the_notes(inputs):
    _s, _l, table, _b = inputs
    data = report.excel_bytes({"Pokritost": report.figures(table, "sl", coverage.GapThresholds()),
                               "Opombe": report.notes_table("sl", "izbira")})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Pokritost", "Opombe"]
    assert book["Pokritost"]["A1"].value == "Območje" and book["Pokritost"].max_row == 24
    notes = [c.value for c in book["Opombe"]["A"]]
    assert i18n.t("note.boundary", "sl") in notes


def test_gap_text_names_numbers_and_thresholds(inputs):
    _s, _l, table, _b = inputs
    row = table[table["area_id"] == "ks-50623"].iloc[0]
    text = report.gap_text(row, coverage.GapThresholds(), "sl")
    km = i18n.format_number(row["mean_distance_km"], "sl", 1)
    assert row["mean_distance_km"] > 15 and text.startswith(f"daleč: povprečna razdalja {km} km > 10,0 km")


@pytest.mark.parametrize("lang", ["sl", "it"])
def test_pdf_has_cover_summary_map_and_a_page_per_area(lang, inputs):
    services, long, table, boundaries = inputs
    chosen = ["ks-50604", "ks-50623", "ob-213"]
    rows = report.nearest_for_areas(nearest.build_index(services), areas.load_areas(settings.data_dir()), lang)
    pdf = report.build_pdf(table, boundaries, lang, WHEN, selection=report.selection_text(lang, "day_activities", None, None),
                           area_ids=chosen, by_category=long, nearest_rows=rows)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == report.page_count(len(chosen)) == 6
    cover = reader.pages[0].extract_text()
    assert i18n.t("report.title", lang).split(":")[0] in cover.replace("\n", " ")
    assert i18n.format_day(WHEN.date(), lang) in cover
    summary = reader.pages[1].extract_text()
    assert "Črni Kal" in summary and "Šmarje" in summary and "Žusterna" in summary
    assert ("Ancarano" if lang == "it" else "Ankaran") in summary
    # area pages worst first: Ankaran (no day centre its residents may use), Rakitovec, Črni Kal
    expected = ["Ancarano" if lang == "it" else "Ankaran", "Rakitovec", "Črni Kal"]
    for page, name in zip(reader.pages[3:], expected):
        text = page.extract_text()
        assert name in text and not any(other in text for other in expected if other != name)


def test_map_png_is_an_image(inputs):
    _s, _l, table, boundaries = inputs
    assert report.map_png(table, boundaries, "share_within_5km", "it", highlight="ks-50605").startswith(b"\x89PNG")
