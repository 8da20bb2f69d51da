"""Coverage figures for people: translated words and tables, CSV/Excel files, static maps and the council PDF.

Input is geo.coverage's table (one row per area, or the long area × category table); output is
plain strings, DataFrames and bytes. No Streamlit and no network. One package, four modules:
``words`` (gap reasons, notes, dates, "unknown", the map's text alternative), ``tables`` (figures in
the user's language, the machine-readable CSV, Excel), ``maps`` (static choropleths, matplotlib) and
``pdf`` (the council PDF). Everything is reachable as ``report.<name>``; the drawing modules load
matplotlib only when a drawing function is first asked for (PEP 562 ``__getattr__``), so pages that
only need words and tables stay light.
"""
from __future__ import annotations

import importlib

from geo.report.tables import (  # noqa: F401 - the package's public names
    CSV_SEPARATORS, DATA_COLUMNS, FIGURE_COLUMNS, SHARE_COLUMNS, area_by_category, category_figures, csv_bytes,
    data_csv_bytes,
    data_frame, excel_bytes, figures, nearest_by_category, nearest_for_areas, notes_table, summary_frame, workbook,
)
from geo.report.words import (  # noqa: F401
    approximation_notes, gap_text, map_alt_text, missing, number_text, population_as_of, population_date,
    selection_text, unknown,
    value_text,
)

#: Drawing names and the module that has them (imported on first use: matplotlib is heavy).
_LAZY = {"draw_map": "maps", "map_png": "maps", "style": "maps", "FONT": "maps",
         "build_pdf": "pdf", "page_count": "pdf", "A4_LANDSCAPE": "pdf"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"geo.report.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'geo.report' has no attribute {name!r}")
