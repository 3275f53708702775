"""Page states: ``param.Parameterized`` classes with no Panel import (testable without a browser).

One module per page, beside :mod:`planner.app.pages` (``state/hotspots.py`` for
``pages/hotspots.py`` and so on). The views build widgets from a state's parameters and redraw
when they change. States read the shared :class:`~planner.app.data.AppData` and call library
functions; they hold no analysis logic of their own.
"""
