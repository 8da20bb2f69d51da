"""The staff page's history: the change log (recent first, downloadable) and the dated backups, one restorable."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geo import i18n, safe, upkeep
from geo.errors import KoperMapError
from ui import upkeep_panel

#: Lines of the change log shown on the page (the download has them all).
SHOWN_LINES = 500


def log_section(data_dir: Path, lang: str) -> None:
    """Who changed what and when, most recent first, with a download for Excel."""
    st.subheader(i18n.t("upkeep.log", lang))
    log = upkeep.read_log(data_dir)
    if log.empty:
        st.caption(i18n.t("upkeep.log_empty", lang))
        return
    shown = log.head(SHOWN_LINES).copy()
    shown["action"] = [i18n.t(f"upkeep.action.{a}", lang) if a in upkeep.ACTIONS else a for a in shown["action"]]
    shown["change"] = [i18n.t(f"upkeep.{c}", lang) if c in ("added", "removed", "changed", "replaced") else c
                       for c in shown["change"]]
    upkeep_panel.show_table(shown.rename(columns={"record": "id"}), lang)
    st.caption(i18n.t("upkeep.log_count", lang, shown=len(shown), n=len(log)))
    st.download_button(i18n.t("upkeep.log_download", lang), upkeep.change_log_csv(data_dir),
                       file_name="changes.csv", mime="text/csv", key="upkeep_log_download")


def restore_section(data_dir: Path, actor: str, lang: str) -> None:
    """The dated backups, newest first; restoring one is itself logged and backed up."""
    st.subheader(i18n.t("upkeep.backups", lang))
    found = upkeep.list_backups(data_dir)
    if not found:
        st.caption(i18n.t("upkeep.no_backups", lang))
        return
    upkeep_panel.show_table(pd.DataFrame(
        [{"backup": b.name, "file": b.file, "taken": f"{i18n.format_day(b.taken_at.date(), lang)} {b.taken_at:%H:%M:%S}",
          "size": i18n.format_number(b.size, lang)} for b in found],
        columns=["backup", "file", "taken", "size"]), lang)
    name = st.selectbox(i18n.t("upkeep.restore_which", lang), [b.name for b in found], key="upkeep_restore_name")
    # A restore replaces the live file: it must be confirmed for the backup chosen (a new choice asks again).
    confirmed = st.checkbox(i18n.t("upkeep.restore_confirm", lang, backup=name), key=f"upkeep_restore_confirm_{name}")
    if st.button(i18n.t("upkeep.restore", lang), key="upkeep_restore_button", disabled=not confirmed):
        try:
            result = upkeep.restore_backup(name, data_dir=data_dir, actor=actor)
        except KoperMapError as error:
            upkeep_panel.show_error(error, lang)
            return
        if result.changed:
            st.success(i18n.t("upkeep.restored", lang, backup=safe.md_text(name),
                              previous=safe.md_text(result.backup.name if result.backup else "—")))
        else:
            st.info(i18n.t("upkeep.nothing_changed", lang))
