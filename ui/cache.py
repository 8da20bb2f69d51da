"""Cached loaders: the one place where the geo package is wrapped in st.cache_data.

Cache keys include the data files' modification times, so an edited file is read again
on the next rerun and a broken edit is reported while the last good data stays on screen.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geo import areas, directory, settings


def _stamp(folder: Path) -> tuple:
    """Names, sizes and modification times of the data files: changes when any file does."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


@st.cache_data(show_spinner=False, max_entries=8)
def _directory(folder: str, _stamp_value: tuple) -> tuple[pd.DataFrame | None, str | None]:
    # Errors are cached as their message: exception objects do not survive pickling intact.
    built = directory.build_directory(Path(folder))
    return built.services, (str(built.error) if built.error else None)


def load_directory() -> tuple[pd.DataFrame | None, str | None]:
    """The located services and the load error message, if any (cached until a file changes).

    Services may be present together with an error: then they are the last good data.
    """
    folder = settings.data_dir()
    return _directory(str(folder), _stamp(folder))


@st.cache_data(show_spinner=False, max_entries=8)
def _areas(folder: str, _stamp_value: tuple) -> pd.DataFrame:
    return areas.load_areas(Path(folder))


def load_areas() -> pd.DataFrame:
    """The 23 local areas with population and boundary error (cached until a file changes)."""
    folder = settings.data_dir()
    return _areas(str(folder), _stamp(folder))


@st.cache_data(show_spinner=False, max_entries=8)
def _boundaries(folder: str, _stamp_value: tuple) -> dict:
    return areas.load_boundaries(Path(folder))


def load_boundaries() -> dict:
    """Area boundaries as GeoJSON (official file if supplied, else the approximation)."""
    folder = settings.data_dir()
    return _boundaries(str(folder), _stamp(folder))
