"""The referral sheet: the services a user filtered, as a printable A4 PDF to take away.

A social worker prints it for a client, a relative for an older person: names, addresses,
phones, hours and prices in the chosen language, in sections (delivered at home, at an address,
at changing places or as accommodation, phone only). Confidential services keep only their
name, phones and hours (never a place, even if a wrong row carried one). Information records
(a funding call) are not services and are left out. Drawn with matplotlib's PdfPages (already
used for the council report): no network, DejaVu Sans has č, š, ž, à.
"""
from __future__ import annotations

import datetime as dt
import io
import textwrap

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo import hours as timetable
from geo import i18n, model, present
from geo.report import maps

#: A4 portrait in inches, margins in inches, type sizes in points.
PAGE = (8.27, 11.69)
MARGIN = 0.6
BODY_PT, NAME_PT, HEADING_PT, TITLE_PT = 10.5, 12, 14, 17
#: Characters per wrapped line of body text at BODY_PT on the A4 width (DejaVu Sans).
WRAP = 86
#: Characters per line of the title at TITLE_PT.
TITLE_WRAP = 52
#: Sections in print order: (text key, rule on a record).
SECTIONS = (
    ("referral.section.home", lambda r: r.get("location_type") == model.AREA and r.get("delivery") == model.HOME),
    ("referral.section.address", lambda r: r.get("location_type") in model.PLACED_TYPES),
    ("referral.section.community", lambda r: r.get("location_type") == model.AREA and r.get("delivery") != model.HOME),
    ("referral.section.phone", lambda r: r.get("location_type") == model.CONFIDENTIAL),
)


def selection_text(chosen, lang: str, when: dt.datetime) -> str:
    """The user's filters (a ``geo.filters.Filters``) as one plain sentence for the sheet's head.

    "All services." when nothing is filtered; otherwise needs, groups, words searched and the time
    for which opening states were asked, each in ``lang``.
    """
    parts = []
    if chosen.categories:
        names = ", ".join(i18n.t(f"category.{c}", lang) for c in chosen.categories)
        parts.append(i18n.t("referral.selection.categories", lang, names=names))
    if chosen.target_groups:
        names = ", ".join(i18n.t(f"group.{g}", lang) for g in chosen.target_groups)
        parts.append(i18n.t("referral.selection.groups", lang, names=names))
    if chosen.text.strip():
        parts.append(i18n.t("referral.selection.text", lang, text=chosen.text.strip()))
    if chosen.hours != "any":
        moment = f"{i18n.format_weekday_date(when.date(), lang)} {when:%H:%M}"
        parts.append(i18n.t("referral.selection.open_at", lang, when=moment))
    return "; ".join(parts) + "." if parts else i18n.t("referral.selection.all", lang)


def sections(services: pd.DataFrame, lang: str) -> list[tuple[str, list[dict]]]:
    """[(section title, records)] in print order, empty sections left out, names sorted in ``lang``.

    ``services`` is the (filtered) directory table; information records are dropped.
    """
    records = [r for r in services.to_dict("records") if r.get("record_kind") != model.INFORMATION]
    found = []
    for key, belongs in SECTIONS:
        part = sorted((r for r in records if belongs(r)), key=lambda r: i18n.field(r, "name", lang).casefold())
        if part:
            found.append((i18n.t(key, lang), part))
    return found


def entry_lines(record: dict, lang: str) -> list[tuple[str, str]]:
    """One service as (label, plain text) lines: provider, where, phones, e-mail, hours, price, how to apply.

    Plain text (the PDF is not HTML): nothing is interpreted. Confidential records give no place.
    """
    lines = [(i18n.t("field.provider", lang), str(record.get("provider") or ""))]
    kind = record.get("location_type")
    if kind in model.PLACED_TYPES:
        lines.append((i18n.t("field.address", lang), present.address_text(record, lang)))
    elif kind == model.AREA:
        lines.append((i18n.t("directory.location", lang), present.delivery_text(record, lang)))
    phones = ", ".join(present.display_phone(p) for p in record.get("phones") or [])
    lines.append((i18n.t("field.phones", lang), phones or i18n.t("referral.no_phone", lang)))
    emails = ", ".join(record.get("emails") or [])
    if emails and kind != model.CONFIDENTIAL:
        lines.append((i18n.t("field.emails", lang), emails))
    hours = present.hours_text(record, lang)
    if not timetable.weekly_spans(str(record.get("opening_hours") or "")):  # no published times
        hours = f"{hours} — {i18n.t('referral.call_first', lang)}"
    lines.append((i18n.t("field.hours", lang), hours))
    lines.append((i18n.t("field.price", lang), present.price_text(record, lang)))
    lines.append((i18n.t("field.how_to_apply", lang), i18n.field(record, "how_to_apply", lang)))
    return [(label, value) for label, value in lines if value]


class _Writer:
    """Text flowing down A4 pages; a new page when the next block would not fit."""

    def __init__(self, pdf: PdfPages, footer: str):
        self.pdf, self.footer, self.figure, self.y, self.pages = pdf, footer, None, 0.0, 0

    def _new_page(self) -> None:
        self.finish()
        self.figure = Figure(figsize=PAGE)
        self.pages += 1
        self.y = PAGE[1] - MARGIN

    def finish(self) -> None:
        if self.figure is not None:
            self.figure.text(MARGIN / PAGE[0], 0.35 / PAGE[1], self.footer.format(page=self.pages), fontsize=7.5, color="#333333")
            self.pdf.savefig(self.figure)
            self.figure = None

    def block(self, lines: list[tuple[str, float, str]]) -> None:
        """Lines of (text, size in pt, weight), kept together on one page."""
        height = sum(size * 1.45 / 72 for _text, size, _weight in lines)
        if self.figure is None or self.y - height < MARGIN:
            self._new_page()
        for text, size, weight in lines:
            self.y -= size * 1.45 / 72
            self.figure.text(MARGIN / PAGE[0], self.y / PAGE[1], text, fontsize=size, fontweight=weight, color="#000000")


def _wrapped(text: str, width: int = WRAP, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width=width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False) or [""]


def referral_pdf(services: pd.DataFrame, lang: str, when: dt.datetime, selection: str) -> bytes:
    """The referral sheet of ``services`` in ``lang`` as PDF bytes (A4, one or more pages).

    ``when`` is the local time printed as the sheet's date; ``selection`` is the plain-text
    description of the user's filters printed under the title. An empty selection gives a
    one-page sheet saying nothing matched.
    """
    lang = i18n.language(lang)
    buffer = io.BytesIO()
    footer = i18n.t("referral.footer", lang, date=i18n.format_day(when.date(), lang), page="{page}")  # page filled per page
    # One drawing at a time in the process: the council report changes matplotlib's shared settings
    # (rc_context) while it draws, and the font caches are shared (geo.report.maps.DRAWING).
    with maps.DRAWING, PdfPages(buffer, metadata={"Title": i18n.t("referral.title", lang),
                                                  "Creator": "Koper social services map"}) as pdf:
        writer = _Writer(pdf, footer)
        head = [(line, TITLE_PT, "bold") for line in _wrapped(i18n.t("referral.title", lang), TITLE_WRAP)]
        head += [(line, BODY_PT, "normal") for line in _wrapped(selection)]
        intro = i18n.t("referral.intro", lang, date=i18n.format_day(when.date(), lang))
        head += [(line, BODY_PT, "normal") for line in _wrapped(intro)] + [("", BODY_PT, "normal")]
        writer.block(head)
        found = sections(services, lang)
        if not found:
            writer.block([(i18n.t("referral.empty", lang), NAME_PT, "normal")])
        for title, records in found:
            first = True
            for record in records:
                lines = [(title, HEADING_PT, "bold")] if first else []
                lines.append((i18n.field(record, "name", lang), NAME_PT, "bold"))
                for label, value in entry_lines(record, lang):
                    lines += [(line, BODY_PT, "normal") for line in _wrapped(f"{label}: {value}", indent="    ")]
                lines.append(("", BODY_PT / 2, "normal"))
                writer.block(lines)
                first = False
        writer.finish()
    return buffer.getvalue()
