"""Koper social-services map: data model, geography and measures (no Streamlit here)."""
