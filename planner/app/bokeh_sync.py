"""Keep Bokeh's record of what the browser knows honest when a browser's change arrives.

Bokeh's server sends a model to the browser in full the first time a change refers to it, and
by id from then on: a document keeps the models it has not sent yet in a "new" set
(``doc.models._new_models``), and each message it serializes takes the models it wrote out of
that set. After applying a change from the browser, ``Document.apply_json_patch`` (Bokeh 3.9)
also takes out every model the change "referenced", but the deserializer it asks was built
with every model of the document as a known reference, so *all* new models leave the set,
whether the browser has them or not. A model made while the browser's change was being
handled (a drill chart's next level) or waiting in a held batch of events (a page built in the
background) is then sent by id only, and BokehJS fails with ``reference pNNNN isn't known``:
the page stops updating. Seen in the app on every Commitments drill while the other pages were
being built (the browser tests' open defect of issue 18).

:func:`keep_unsent_models_new` narrows that step to the models the browser's message names:
the browser can name only models it has.
"""

from __future__ import annotations

import contextvars
from typing import Any

#: the model ids named by the browser message being applied (None outside one)
_NAMED: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "planner_browser_named_ids", default=None
)


def model_ids(payload: Any) -> set[str]:
    """Every model id a Bokeh JSON payload names (``{"id": ...}`` at any depth).

    Parameters
    ----------
    payload : Any
        Decoded JSON (dicts, lists, scalars), e.g. a PATCH-DOC message's content.

    Returns
    -------
    set of str
        The ids (a model reference or a model defined in full both carry one).

    Examples
    --------
    >>> sorted(model_ids({"events": [{"model": {"id": "p1"}, "new": [{"id": "p2"}, 3]}]}))
    ['p1', 'p2']
    """
    found: set[str] = set()
    stack = [payload]
    while stack:
        obj = stack.pop()
        if isinstance(obj, dict):
            ident = obj.get("id")
            if isinstance(ident, str):
                found.add(ident)
            stack.extend(obj.values())
        elif isinstance(obj, list):
            stack.extend(obj)
    return found


def keep_unsent_models_new() -> None:
    """Mark as sent, after a browser's change, only the models that change names.

    Applies to every Bokeh document of this process; calling it again does nothing.
    """
    from bokeh.document.document import Document
    from bokeh.document.models import DocumentModelManager

    if getattr(Document.apply_json_patch, "_planner_named_only", False):
        return
    apply = Document.apply_json_patch
    flush = DocumentModelManager.flush_synced

    def apply_json_patch(self: Any, patch_json: Any, setter: Any = None) -> None:
        content = getattr(patch_json, "content", patch_json)  # a Serialized or plain JSON
        token = _NAMED.set(frozenset(model_ids(content)))
        try:
            apply(self, patch_json, setter=setter)
        finally:
            _NAMED.reset(token)

    def flush_synced(self: Any, is_still_new: Any = None) -> None:
        named = _NAMED.get()
        # only the step that ends apply_json_patch; messages serialized meanwhile (a change
        # the handler made, sent at once) pass their own serializer's test unchanged
        if (
            named is not None
            and is_still_new is not None
            and getattr(is_still_new, "__qualname__", "").startswith("Document.apply_json_patch")
        ):
            flush(self, lambda model: model.id not in named)
            return
        flush(self, is_still_new)

    apply_json_patch._planner_named_only = True  # type: ignore[attr-defined]
    Document.apply_json_patch = apply_json_patch  # type: ignore[method-assign]
    DocumentModelManager.flush_synced = flush_synced  # type: ignore[method-assign]
