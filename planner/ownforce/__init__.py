"""A force's own workspace: build it, import every other table, report what it holds.

A force's own workspace: build it from its boundaries and crimes (:mod:`.init`), import
every other table into it (:mod:`.tables`, :mod:`.importer`) and report what it holds and
what each page and command can do with it (:mod:`.status`). See ``docs/own-force.md``.
"""

from __future__ import annotations
