"""geo.report and geo.choropleth: translated figures, downloads, static maps and the council PDF."""
from __future__ import annotations

import datetime as dt
import io
import re
import sys

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


# --- issue 11: numbers per language, a machine-readable CSV, dates, unknowns, the map in words -------

@pytest.mark.parametrize("lang, km, people, separator", [("sl", "20,4 km", "1.262", ";"), ("it", "20,4 km", "1.262", ";"),
                                                          ("en", "20.4 km", "1,262", ",")])
def test_figures_and_their_csv_write_numbers_as_the_language_does(inputs, lang, km, people, separator):
    _s, _l, table, _b = inputs
    frame = report.figures(choropleth.ranked(table, "mean_distance_km"), lang, coverage.GapThresholds())
    by_id = frame.set_index(i18n.t("report.col.area_id", lang))
    assert by_id.loc["ks-50623", i18n.t("report.col.mean_distance_km", lang)] == km  # Rakitovec
    assert by_id.loc["ks-50606", i18n.t("report.col.population", lang)] == people  # Gračišče
    text = report.csv_bytes(frame, lang).decode("utf-8-sig")
    assert text.splitlines()[0].split(separator)[:2] == [i18n.t("report.col.area", lang), i18n.t("report.col.area_id", lang)]
    assert f"{separator}{people}{separator}" in text or f'{separator}"{people}"{separator}' in text
    for never in ("None", "nan", "NaN", "approx."):
        assert not re.search(rf"\b{re.escape(never)}\b", text), never


def test_missing_values_read_unknown_in_the_language(inputs):
    _s, _l, table, _b = inputs
    holes = table.assign(population=table["population"].astype(float).where(table["area_id"] != "ks-50623"),
                         population_date=table["population_date"].where(table["area_id"] != "ks-50623", None))
    for lang, word in (("sl", "neznano"), ("it", "non noto"), ("en", "unknown")):
        row = report.figures(holes, lang, coverage.GapThresholds()).set_index(i18n.t("report.col.area_id", lang)).loc["ks-50623"]
        assert row[i18n.t("report.col.population", lang)] == word
        assert row[i18n.t("report.col.population_date", lang)] == word
        assert "None" not in report.csv_bytes(report.figures(holes, lang, coverage.GapThresholds()), lang).decode("utf-8-sig")


def test_the_machine_readable_csv_is_plain_numbers_with_a_comma():
    import pandas as pd

    data = settings.data_dir()
    table = coverage.area_coverage(directory.directory_table(data), areas.load_areas(data), areas.load_demand_points(data),
                                   category="day_activities")
    body = report.data_csv_bytes(table)
    assert not body.startswith(b"\xef\xbb\xbf")  # no byte-order mark: data tools read it as it is
    back = pd.read_csv(io.BytesIO(body))  # every default: comma, dot decimal
    assert list(back.columns) == list(report.DATA_COLUMNS)
    rakitovec = back.set_index("area_id").loc["ks-50623"]
    assert rakitovec["population"] == 104 and rakitovec["mean_distance_km"] == pytest.approx(
        float(table.set_index("area_id").loc["ks-50623", "mean_distance_km"]))
    assert 0 <= back["share_within_5km"].max() <= 1  # shares as fractions
    assert back.set_index("area_id").loc["ob-213", "population_date"] == "2022 (approx.)"  # as the source says it
    assert pd.isna(back.set_index("area_id").loc["ob-213", "mean_distance_km"])  # empty cell = no value
    assert set(back["gap"]) <= {True, False}


def test_the_workbook_has_figures_in_the_language_notes_and_numbers(inputs):
    _s, _l, table, _b = inputs
    book = openpyxl.load_workbook(io.BytesIO(report.workbook(table, "it", coverage.GapThresholds(), "scelta", "Copertura")))
    assert book.sheetnames == ["Copertura", "Note", "Dati"]
    figures = {row[1]: row for row in book["Copertura"].iter_rows(min_row=2, values_only=True)}
    assert figures["ks-50606"][2] == "1.262"  # Gračišče, as Italian writes it
    data = {row[0]: row for row in book["Dati"].iter_rows(min_row=2, values_only=True)}
    assert data["ks-50606"][3] == 1262  # a number to compute with
    notes = [c.value for c in book["Note"]["A"]]
    assert i18n.t("report.csv_note", "it") in notes and i18n.t("coverage.gap_rule", "it", far="10,0", share="50 %", radius="5") in notes \
        or any(n and n.startswith("Un'area") for n in notes) or i18n.t("note.boundary", "it") in notes


@pytest.mark.parametrize("lang, day, approx", [
    ("sl", "1. jan. 2024", "približno leto 2022 (natančen datum ni znan)"),
    ("it", "1 gen 2024", "anno 2022 circa (data esatta non nota)"),
    ("en", "1 Jan 2024", "about 2022 (exact date not known)"),
])
def test_population_dates_in_every_language(lang, day, approx):
    assert report.population_date("2024-01-01", lang) == day
    assert report.population_date("2022 (approx.)", lang) == approx  # Ankaran: only an approximate year is known
    assert report.population_date(None, lang) == report.population_date(float("nan"), lang) == report.unknown(lang)
    assert report.population_as_of("2024-01-01", lang).endswith(day)
    assert "approx." not in report.population_as_of("2022 (approx.)", lang)


def test_the_map_in_words(inputs):
    _s, _l, table, _b = inputs
    text = report.map_alt_text(table, "mean_distance_km", "en", ["ks-50605"])
    assert text.startswith("Map of the 23 areas coloured by “Mean distance to the nearest service”")
    assert "Least served: Ankaran (" in text and "Rakitovec (20.4 km)" in text
    assert "Best served: Koper - Center (" in text and "Outlined in bold: Dekani." in text
    one = report.map_alt_text(table.head(1), "mean_distance_km", "sl")
    assert one.startswith("Zemljevid 1 območja, obarvanega")


@pytest.mark.parametrize("lang", ["sl", "it"])  # Italian: a taller legend ("nessuna sede corrispondente …")
def test_map_names_are_drawn_at_the_size_asked_for(inputs, lang):
    from geo.report import maps

    _s, _l, table, boundaries = inputs
    fig = maps.new_figure((1020 / 96, 620 / 96), dpi=96)
    ax = fig.add_axes([0, 0, 1, 1])
    report.draw_map(ax, table, boundaries, "mean_distance_km", lang, label_size=20 * 72 / 96, legend_size=20 * 72 / 96)
    names = [t for t in ax.texts if t.get_text()]
    assert len(names) == 23  # every area named, on the map or beside it
    renderer = fig.canvas.get_renderer()
    boxes = [maps.text_box(t, renderer) for t in names]  # the words only, not a name's line to its area
    assert min(b.height for b in boxes) >= 18  # pixels at 96 dpi: readable from the back of a room
    overlapping = [(a.get_text(), b.get_text()) for i, (a, ba) in enumerate(zip(names, boxes))
                   for b, bb in zip(names[i + 1:], boxes[i + 1:]) if ba.overlaps(bb)]
    assert overlapping == []
    legend = ax.get_legend().get_window_extent(renderer)
    assert [t.get_text() for t, box in zip(names, boxes) if box.overlaps(legend)] == []
    assert all(0 <= box.x0 and box.x1 <= fig.bbox.width and 0 <= box.y0 and box.y1 <= fig.bbox.height for box in boxes)


def test_category_figures_are_text_in_the_language(inputs):
    services, long, _t, _b = inputs
    index = nearest.build_index(services)
    info = areas.load_areas(settings.data_dir()).set_index("area_id").loc["ks-50623"]
    rows = report.nearest_by_category(index, float(info["centroid_lat"]), float(info["centroid_lon"]), "en")
    frame = report.area_by_category(long, "ks-50623", "en", coverage.GapThresholds(), rows)
    shown = report.category_figures(frame, "en").set_index("category")
    raw = frame.set_index("category")
    day = i18n.t("category.day_activities", "en")
    assert shown.loc[day, "mean_distance_km"] == f"{raw.loc[day, 'mean_distance_km']:.1f} km"
    assert shown.loc[day, "share_within_5km"] == "0 %"
    home = i18n.t("category.home_care", "en")
    if raw.loc[home, "basis"] == coverage.DELIVERED:  # comes to the residents: served or not, never a distance
        assert "km" not in shown.loc[home, "mean_distance_km"] and "%" not in shown.loc[home, "share_within_5km"]
    assert not shown.isna().any().any()


def test_maps_and_pdfs_drawn_by_several_sessions_at_once_are_all_whole(inputs, monkeypatch):
    """Streamlit runs every session's script in its own thread: six sessions drawing at the same time
    (council map PNGs and PDFs, different languages and outlines) must each get a whole file, no error.
    With pyplot this failed as on the server: two threads took the same figure number, so one drew on
    the figure the other was saving as PDF (AttributeError: 'FigureCanvasPdf' has no get_renderer)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import matplotlib.pyplot as plt

    _s, _l, table, boundaries = inputs
    # A busy server may pause a thread between any two steps: here between pyplot's reading of the
    # figure numbers in use and its taking the next one (no effect on drawing that never uses pyplot).
    numbers = plt.get_fignums
    monkeypatch.setattr(plt, "get_fignums", lambda: (numbers(), time.sleep(0.005))[0])
    start = threading.Barrier(6)
    jobs = [("sl", "ks-50605"), ("it", ("ks-50623", "ob-213")), ("en", None), ("sl", ("ks-50604",)),
            ("it", None), ("en", "ks-50617")]

    def session(lang, highlight):
        start.wait(timeout=60)  # all six begin together
        out = []
        for i in range(2):
            if i == 0 or lang != "en":
                out.append(("png", report.map_png(table, boundaries, "mean_distance_km", lang, highlight=highlight,
                                                  width_px=1020, height_px=620, scale=1)))
            else:
                out.append(("pdf", report.build_pdf(table, boundaries, lang, WHEN, selection="x", area_ids=["ob-213"])))
        return out

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often, as under a busy server's load
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = [f.result(timeout=600) for f in [pool.submit(session, *job) for job in jobs]]
    finally:
        sys.setswitchinterval(interval)
    for kind, data in (r for session_results in results for r in session_results):
        if kind == "png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.rstrip().endswith(b"IEND\xaeB`\x82")
        else:
            assert data.startswith(b"%PDF") and len(PdfReader(io.BytesIO(data)).pages) == report.page_count(1)
    # nothing of one session's drawing reached another's: the same as drawn alone, byte for byte
    pdfs = [data for kind, data in results[2] + results[5] if kind == "pdf"]
    assert len(pdfs) == 2 and pdfs[0] == pdfs[1]
    for (lang, highlight), session_results in list(zip(jobs, results))[:2]:
        alone = report.map_png(table, boundaries, "mean_distance_km", lang, highlight=highlight, width_px=1020,
                               height_px=620, scale=1)
        assert session_results[0][1] == alone
