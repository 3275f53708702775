"""Shared Panel components of the app's pages.

Shared Panel components of the app's pages: tables, forms, notices, the drill-down bars,
the hotspot map and the background-work helper.
"""
