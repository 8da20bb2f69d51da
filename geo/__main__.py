"""``python -m geo <command>``: see geo.cli."""
import sys

from geo.cli import main

sys.exit(main())
