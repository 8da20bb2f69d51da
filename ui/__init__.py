"""Streamlit-side helpers shared by the pages (the only package that imports Streamlit)."""
