"""``python -m geo.geocode``: see geo.geocode.command."""
import sys

from geo.geocode.command import main

sys.exit(main())
