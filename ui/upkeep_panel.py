"""The staff page's sections: status, import (preview → save, no lost update), verify; messages in the staff's language.

Every write passes the signed-in staff identity (``actor``) to ``geo.upkeep``, which logs it.
Text from files and data reaches Markdown only escaped (``geo.safe.md_text``).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geo import hours, i18n, load, present, safe, settings, upkeep
from geo.errors import (DataValidationError, KoperMapError, StaleDirectoryError, StorageError, UpkeepDisabled,
                        UploadRefused)
from ui import cache

#: session_state key: the upload and the directory stamp of the preview the staff member last saw.
SEEN_KEY = "upkeep_seen"


def show_table(frame: pd.DataFrame, lang: str) -> None:
    """A read-only table with its column names translated (``upkeep.col.<name>``)."""
    st.dataframe(frame.rename(columns={c: i18n.t(f"upkeep.col.{c}", lang) for c in frame.columns}),
                 hide_index=True, width="stretch")


def problems_frame(problems, lang: str = "en") -> pd.DataFrame:
    """Problems (``geo.errors.Problem``) as rows: row, field, value, message (in ``lang``)."""
    return pd.DataFrame(
        [{"row": p.row, "field": p.field or "", "value": "" if p.value is None else str(p.value),
          "message": i18n.problem_text(p, lang)}
         for p in problems],
        columns=["row", "field", "value", "message"],
    )


def error_text(error: KoperMapError, lang: str) -> str:
    """What went wrong, in ``lang``, with any text from files or data escaped for Markdown."""
    if isinstance(error, UploadRefused):
        params = {k: safe.md_text(v) for k, v in error.params.items()}
        return i18n.t(error.key, lang, **params)
    if isinstance(error, StaleDirectoryError):
        who = safe.md_text(error.changed_by) if error.changed_by else i18n.t("upkeep.someone", lang)
        when = _when(error.changed_at, lang) if error.changed_at else i18n.t("upkeep.unknown_time", lang)
        return i18n.t("upkeep.stale_save", lang, who=who, when=when)
    if isinstance(error, StorageError):
        return i18n.t(f"upkeep.storage.{error.reason}", lang, file=safe.md_text(error.file),
                      detail=safe.md_text(error.detail))
    if isinstance(error, UpkeepDisabled):
        return i18n.t("upkeep.disabled", lang)
    if isinstance(error, DataValidationError):
        return i18n.t("upkeep.not_saved_problems", lang, n=len(error.problems))
    return i18n.t("upkeep.failed", lang, error=safe.md_text(error))


def show_error(error: KoperMapError, lang: str) -> None:
    """The error in ``lang``; the problems of a refused table underneath, by row and field."""
    st.error(error_text(error, lang))
    if isinstance(error, DataValidationError):
        show_table(problems_frame(error.problems, lang), lang)


def _when(iso: str, lang: str) -> str:
    """An ISO time from the change log as the staff member reads it: day and HH:MM, Koper time."""
    try:
        moment = hours.to_local(pd.Timestamp(iso).to_pydatetime())
    except (ValueError, TypeError):
        return safe.md_text(iso)
    return f"{i18n.format_day(moment.date(), lang)} {moment:%H:%M}"


def say_saved(result: upkeep.SaveResult, lang: str) -> None:
    """Success (and where the previous version went), or "nothing changed"."""
    if not result.changed:
        st.info(i18n.t("upkeep.nothing_changed", lang))
        return
    # Both names are the app's own (settings, backups.keep_backup's date pattern), never from data.
    backup = result.backup.name if result.backup else "—"
    st.success(i18n.t("upkeep.saved", lang, file=result.path.name, backup=backup))


def status_section(services: pd.DataFrame, data_dir: Path, lang: str) -> None:
    """Counts, records with problems, approximate locations, stale records, and the download for Excel."""
    today = hours.local_now().date()
    try:
        problems = upkeep.records_with_problems(load.read_csv_text(load.services_path(data_dir)), lang=lang)
    except KoperMapError as error:
        problems = None
        show_error(error, lang)
    approximate = upkeep.approximate_locations(services)
    stale = upkeep.stale_records(services, today)
    first, second, third, fourth = st.columns(4)
    first.metric(i18n.t("upkeep.records", lang), len(services))
    second.metric(i18n.t("upkeep.problems", lang), "?" if problems is None else len(problems))
    third.metric(i18n.t("upkeep.approximate", lang), len(approximate))
    fourth.metric(i18n.t("upkeep.stale", lang, n=settings.VERIFY_MAX_AGE_DAYS), len(stale))
    if problems is not None and not problems.empty:
        st.subheader(i18n.t("upkeep.problems", lang))
        show_table(problems, lang)
    st.subheader(i18n.t("upkeep.approximate", lang))
    by_id = services.set_index("id")
    shown = approximate.assign(
        where=[present.location_text(by_id.loc[i].to_dict() | {"location_type": "site"}, lang) for i in approximate["id"]]
    )[["id", "name_sl", "address", "where"]]
    show_table(shown, lang)
    st.subheader(i18n.t("upkeep.verify_first", lang))  # issue 13: e.g. Dolinska cesta 58 A, placed from the register
    first_points = upkeep.verify_online_first(services)
    st.caption(i18n.t("upkeep.verify_first_note", lang, m=i18n.format_number(upkeep.VERIFY_FIRST_RADIUS_M, lang)))
    if first_points.empty:
        st.caption(i18n.t("upkeep.none_verify_first", lang))
    else:
        show_table(first_points, lang)
    st.subheader(i18n.t("upkeep.stale", lang, n=settings.VERIFY_MAX_AGE_DAYS))
    if stale.empty:
        st.caption(i18n.t("upkeep.none_stale", lang))
    else:
        show_table(stale.assign(last_verified=[i18n.format_iso_day(d, lang) for d in stale["last_verified"]]), lang)
    try:
        st.download_button(i18n.t("upkeep.download_current", lang), upkeep.directory_csv(data_dir),
                           file_name=settings.SERVICES_FILE, mime="text/csv", key="upkeep_download")
        st.caption(i18n.t("upkeep.download_help", lang))
    except KoperMapError as error:
        show_error(error, lang)


def import_section(data_dir: Path, actor: str, lang: str) -> None:
    """Upload → preview (problems or the field-by-field diff, addresses to place) → save.

    The save is refused when the directory changed after the preview the staff member saw (the
    stamp kept under ``SEEN_KEY``); the preview shown is then already the one on the new data.
    """
    st.caption(i18n.t("upkeep.import_help", lang, mb=settings.UPKEEP_MAX_UPLOAD_BYTES // 1_000_000,
                      n=settings.UPKEEP_MAX_ROWS))
    uploaded = st.file_uploader(i18n.t("upkeep.upload", lang), type=["csv", "xlsx"], key="upkeep_upload")
    if uploaded is None:
        st.session_state.pop(SEEN_KEY, None)
        return
    try:
        preview = upkeep.preview_import(uploaded.name, uploaded.getvalue(), data_dir)
    except KoperMapError as error:
        st.error(i18n.t("upkeep.unreadable", lang, error=error_text(error, lang)))
        if isinstance(error, DataValidationError):
            show_table(problems_frame(error.problems, lang), lang)
        return
    seen = st.session_state.get(SEEN_KEY)
    seen_stamp = seen[1] if seen and seen[0] == uploaded.file_id else preview.stamp
    st.session_state[SEEN_KEY] = (uploaded.file_id, preview.stamp)
    st.caption(i18n.t("upkeep.read_as", lang, encoding=preview.upload.encoding_label, n=len(preview.upload.frame)))
    if preview.problems:
        st.error(i18n.t("upkeep.rejected", lang, n=len(preview.problems)))
        for key in preview.advice:
            st.warning(i18n.t(f"upkeep.advice.{key}", lang))
        show_table(problems_frame(preview.problems, lang), lang)
        return
    if preview.diff is None:
        return
    changes = preview.diff
    counts = {"added": len(changes.added), "changed": len(changes.changed), "removed": len(changes.removed),
              "unchanged": changes.unchanged}
    st.subheader(i18n.t("upkeep.diff", lang, **{kind: i18n.plural(f"upkeep.diff.{kind}", lang, count)
                                                 for kind, count in counts.items()}))
    lines = upkeep.change_lines(changes)
    if lines:
        rows = pd.DataFrame(lines, columns=["id", "change", "field", "old", "new"])
        rows["change"] = [i18n.t(f"upkeep.{c}", lang) for c in rows["change"]]
        show_table(rows, lang)
    if preview.addresses:
        _placing(preview.addresses, data_dir, lang)
    if changes.is_empty:
        st.info(i18n.t("upkeep.nothing_changed", lang))
    elif st.button(i18n.t("upkeep.save", lang), type="primary", key="upkeep_save"):
        try:
            result = upkeep.save_directory(preview.upload.frame, data_dir, actor=actor, expected_stamp=seen_stamp)
        except StaleDirectoryError as error:
            show_error(error, lang)
            st.info(i18n.t("upkeep.preview_again", lang))
            return
        except KoperMapError as error:
            show_error(error, lang)
            return
        st.session_state[SEEN_KEY] = (uploaded.file_id, upkeep.directory_stamp(data_dir))
        say_saved(result, lang)


def _placing(addresses: tuple[str, ...], data_dir: Path, lang: str) -> None:
    """The new or changed addresses, and where they would be placed (on request: it may go online)."""
    st.markdown(i18n.t("upkeep.new_addresses", lang, n=len(addresses)))
    if st.button(i18n.t("upkeep.locate", lang), key="upkeep_locate"):
        online = settings.online_geocoding()
        found = upkeep.geocode_addresses(addresses, online=online, geocoder=cache.online_geocoder() if online else None,
                                         store=True,
                                         data_dir=data_dir, area_index=cache.area_index())
        st.session_state.upkeep_located = [
            {"address": f.address, "where": present.location_text(
                {"location_type": "site", "location_precision": f.precision if f.found else "",
                 "location_accuracy_m": f.accuracy_m}, lang), "note": f.note}
            for f in found]
    if st.session_state.get("upkeep_located"):
        show_table(pd.DataFrame(st.session_state.upkeep_located), lang)


def verify_section(services: pd.DataFrame, data_dir: Path, actor: str, lang: str) -> None:
    """Mark the chosen records as verified today (Koper's date)."""
    today = hours.local_now().date()
    names = dict(zip(services["id"], services["name_sl"]))
    chosen = st.multiselect(i18n.t("upkeep.verify_which", lang), list(names), format_func=names.get, key="upkeep_verify")
    if st.button(i18n.t("upkeep.verify", lang, date=i18n.format_day(today, lang)), disabled=not chosen,
                 key="upkeep_verify_button"):
        try:
            say_saved(upkeep.mark_verified(chosen, data_dir=data_dir, actor=actor, today=today), lang)
        except KoperMapError as error:
            show_error(error, lang)
