"""``python tests/launch_with_fake_nominatim.py run app.py ...``: streamlit with Nominatim replaced by a fake.

The app's one online client (``ui.cache.online_geocoder`` → ``geo.geocode.make_online_geocoder``)
is built against ``http://$FAKE_NOMINATIM`` (a ``host:port`` on 127.0.0.1), so a browser test can
watch a citizen's lookup against a slow or refusing service without the server reaching the internet.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, for `geo`

from geo import _nominatim, geocode  # noqa: E402 - after the path is set
from geo.geocode import online  # noqa: E402


def _fake_client(*, interactive: bool = True) -> _nominatim.RateLimitedGeocoder:
    return _nominatim.make_geocoder(interactive=interactive, domain=os.environ["FAKE_NOMINATIM"], scheme="http")


geocode.make_online_geocoder = _fake_client
online.make_online_geocoder = _fake_client

if __name__ == "__main__":
    from streamlit.web import cli

    sys.exit(cli.main())
