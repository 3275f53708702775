"""``python -m planner``: the ``planner`` command line (:func:`planner.cli.main`)."""

import sys

from planner.cli import main

sys.exit(main())
