"""Start ``streamlit`` with the synthetic directory's loading sped up (synthetic.speed_up_synthetic_loading).

Usage: ``python bench/serve.py run app.py [streamlit options]`` — the same arguments as
``python -m streamlit``. Only for serving the 10,000-address synthetic directory in benchmarks.
"""
from __future__ import annotations

import sys

import synthetic

if __name__ == "__main__":
    synthetic.speed_up_synthetic_loading()
    from streamlit.web import cli

    sys.exit(cli.main())
