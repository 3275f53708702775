"""Hypothesis profiles for the robustness suite.

``--hypothesis-profile=noshrink`` reports the first failing example without shrinking it
(shrinking a file-writing example can take minutes on a busy machine).
"""

from __future__ import annotations

from hypothesis import Phase, settings

settings.register_profile("noshrink", phases=[Phase.explicit, Phase.reuse, Phase.generate])
