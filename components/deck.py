"""pydeck decks sent compactly, with the parts that never change (boundaries) serialised once.

pydeck's own Deck.to_json indents and re-serialises every coordinate on every rerun. A `CompactDeck` writes
no indentation, and a layer whose data is a `Spliced` placeholder gets that data's ready-made JSON put in its
place, so the map and the flows page's partner map do not serialise the same boundaries again on each view.
"""

from __future__ import annotations

import json

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize


def dumps(value: object) -> str:
    """The deck's JSON form: sorted keys, no indentation (the NUTS-2 map is ~5× smaller than pydeck's own)."""
    return json.dumps(value, sort_keys=True, default=default_serialize, separators=(",", ":"), allow_nan=False)


class Spliced(str):
    """A layer's data already serialised: the layer holds this placeholder and CompactDeck.to_json puts `json`
    in its place."""

    json: str

    def __new__(cls, name: str, serialised: str) -> Spliced:
        token = super().__new__(cls, f"@@spliced:{name}@@")
        token.json = serialised
        return token


class CompactDeck(pdk.Deck):
    """A Deck serialised compactly, with its layers' pre-serialised data (Spliced) put in place."""

    def to_json(self) -> str:
        text = dumps(self)
        for layer in self.layers:
            if isinstance(layer.data, Spliced):
                text = text.replace(dumps(str(layer.data)), layer.data.json, 1)
        return text
