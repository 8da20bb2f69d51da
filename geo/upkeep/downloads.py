"""Files staff download: the current directory and the change log, as CSV a Slovene Excel opens right.

UTF-8 with a byte-order mark (so Excel does not read it as Windows-1250), ``;`` as the separator
(the list separator of a Slovene Windows, where ``,`` is the decimal comma), CRLF line ends, and
every cell that a spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, tab, CR first) guarded
by ``geo.safe.spreadsheet_frame``. An upload of the same file reads back exactly
(``reading.read_upload`` removes the guard).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import load, safe
from geo.upkeep import changelog

#: The separator of the downloads (Slovene Excel's list separator).
DELIMITER = ";"


def excel_csv(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8-with-BOM, ``;``-separated CSV with formulas neutralised."""
    guarded = safe.spreadsheet_frame(frame.fillna(""))
    return guarded.to_csv(index=False, sep=DELIMITER, lineterminator="\r\n").encode("utf-8-sig")


def directory_csv(data_dir: Path | str) -> bytes:
    """The current ``services.csv`` of ``data_dir`` for Excel (raw text, as stored); raises what ``load.read_csv_text`` raises."""
    return excel_csv(load.read_csv_text(load.services_path(data_dir)))


def change_log_csv(data_dir: Path | str) -> bytes:
    """The change log of ``data_dir``, most recent first, for Excel (columns ``changelog.COLUMNS``)."""
    return excel_csv(changelog.read_log(data_dir))
