"""planner.app.bokeh_sync: after a browser's change, only the models it names count as sent.

The scenario of the browser defect (issue 18: ``reference pNNNN isn't known`` on every
Commitments drill while pages were built in the background), in one Bokeh document: a model
made while events are held, a change from the browser, then the held events serialized.
"""

from __future__ import annotations

import json

import pytest
from bokeh.document import Document
from bokeh.models import Column, Div
from bokeh.protocol import Protocol

from planner.app.bokeh_sync import keep_unsent_models_new, model_ids


@pytest.fixture(autouse=True)
def _fixed():
    keep_unsent_models_new()
    keep_unsent_models_new()  # twice: a no-op


def _synced_doc():
    doc = Document()
    col = Column(children=[Div(text="first")])
    doc.add_root(col)
    doc.to_json()  # the browser's first pull: everything sent
    return doc, col


def _browser_sets_width(doc, model_id: str) -> None:
    doc.apply_json_patch(
        {
            "events": [
                {"kind": "ModelChanged", "model": {"id": model_id}, "attr": "width", "new": 90}
            ]
        }
    )


def _held_patch_json(doc) -> str:
    events = list(doc.callbacks._held_events)
    return Protocol().create("PATCH-DOC", events).content_json


def test_a_held_model_is_still_sent_in_full_after_a_browser_change():
    doc, col = _synced_doc()
    doc.hold("combine")
    made = Div(text="made while held")
    col.children = [made]
    assert made in doc.models._new_models
    _browser_sets_width(doc, col.id)  # names the column only
    assert made in doc.models._new_models
    content = _held_patch_json(doc)
    assert f'"name":"Div","id":"{made.id}"' in content
    assert made.id in model_ids(json.loads(content))


def test_a_model_the_browser_names_counts_as_sent():
    doc, col = _synced_doc()
    doc.hold("combine")
    made = Div(text="made while held")
    col.children = [made]
    _browser_sets_width(doc, made.id)  # the browser can only name what it has
    assert made not in doc.models._new_models


def test_a_message_sent_while_the_change_is_handled_keeps_its_own_test():
    """A model made by a Python callback of the browser's change and sent at once (no hold)
    is marked sent by that message's serializer, as in Bokeh."""
    doc, col = _synced_doc()
    sent: list[str] = []
    made: list[Div] = []

    def on_width(_attr, _old, _new):
        div = Div(text="made by the callback")
        made.append(div)
        col.children = [*col.children, div]

    def dispatch(event):
        if hasattr(event, "to_serializable"):
            sent.append(Protocol().create("PATCH-DOC", [event]).content_json)

    col.on_change("width", on_width)
    doc.callbacks.on_change(dispatch)
    _browser_sets_width(doc, col.id)
    assert len(made) == 1 and any(f'"id":"{made[0].id}"' in s for s in sent)
    # sent in full by the callback's message: not new any more
    assert made[0] not in doc.models._new_models


def test_model_ids_reads_every_depth():
    payload = {
        "events": [
            {"model": {"id": "p1"}, "new": [{"type": "object", "id": "p2", "attributes": {}}]},
            {"data": {"nested": [[{"id": "p3"}], {"id": 4}]}},
        ]
    }
    assert model_ids(payload) == {"p1", "p2", "p3"}
    assert model_ids([]) == set() and model_ids("p1") == set()
