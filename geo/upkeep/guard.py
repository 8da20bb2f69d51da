"""The switch every writing function of the upkeep package checks first."""
from __future__ import annotations

import os

from geo import settings
from geo.errors import UpkeepDisabled


def require_enabled() -> None:
    """Raise UpkeepDisabled unless upkeep is switched on (``KOPER_MAP_UPKEEP``); every writer calls it."""
    if not settings.upkeep_enabled():
        raise UpkeepDisabled(
            f"Editing the directory is switched off on this server ({settings.UPKEEP_ENV}="
            f"{os.environ.get(settings.UPKEEP_ENV, '')!r}); unset it or set it to 1 to switch it on."
        )
