"""Page furniture shared by every page: presentation mode, the dataset badge, source captions."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import state
from valuechain import export
from valuechain.query import Data
from valuechain.schema import DATA_TABLES
from valuechain.text import without_bidi

SYNTHETIC = "demo data (synthetic)"

_LARGE_TYPE = """
<style>
html { font-size: 21px; }
/* A link's words wrap instead of being cut (the home page's list of pages, the map's link to a profile). */
[data-testid="stPageLink-NavLink"] * { white-space: normal; }
[data-testid="stMainMenu"], [data-testid="stToolbarActions"], [data-testid="stAppDeployButton"] { display: none; }
/* The pages' menu, in large words, fits at 1280 px: the toolbar it shares the header with is hidden above, so its
   reserved width goes to the menu, and the menu's links show their words without icons. */
[data-testid="stToolbar"] div:has(> [data-testid="stToolbarActions"]) { min-width: 0; }
[data-testid="stTopNavLink"] > span:has([data-testid="stIconMaterial"]) { display: none; }
</style>
"""


def large_type() -> bool:
    """Whether the screen-sharing mode is on, known before its toggle is drawn (after the page's chart): the
    session's value, or on a link's first run the URL's."""
    if state.PRESENT in st.session_state:
        return bool(st.session_state[state.PRESENT])
    return st.query_params.get(state.PRESENT) == "true"


def large_type_style() -> None:
    """Large type and fewer controls for screen-sharing in workshops (the pages' menu at the top stays): the
    style, sent before the page."""
    if large_type():
        st.html(_LARGE_TYPE)


def presentation_toggle(where: DeltaGenerator) -> None:
    """The screen-sharing mode's switch, kept in the URL (its style follows on the rerun it starts)."""
    where.toggle("Large type for screen-sharing", key=state.PRESENT, bind=state.URL)


def dataset_badge(data: Data, current: pd.DataFrame, where: DeltaGenerator) -> None:
    """Say which data is on screen (the store's datasets_on_screen): demo, Eurostat, uploaded, and whether
    synthetic and real figures are mixed."""
    label, latest = _badge(state.data_key(data), current)
    where.caption(
        f"**Data on screen:** {label} · revision {data.revision} · newest version {latest}",
        help="Every table shows the current version of each dataset. See About & method for the list.",
    )


@st.cache_resource(max_entries=4, show_spinner=False)
def _badge(data_key: str, _current: pd.DataFrame) -> tuple[str, int]:
    """The badge's label and newest version, once per data bundle (`_current` is that bundle's, not hashed)."""
    filled = _current[(_current["rows"] > 0) & _current["table_name"].isin(DATA_TABLES)]
    from_eurostat = filled["source_code"].fillna("").ne("")
    demo = (filled["origin"] == "demo").any()
    eurostat = from_eurostat.any()
    uploads = ((filled["origin"] == "upload") & ~from_eurostat).any()
    shown = (("Demo data (synthetic)", demo), ("Eurostat", eurostat), ("uploaded data", uploads))
    parts = [name for name, on in shown if on]
    label = " + ".join(parts) or "no data"
    if demo and (eurostat or uploads):
        label += " — synthetic and real figures are mixed: each chart's source says which is which"
    return label, int(_current["version_id"].max()) if not _current.empty else 0


_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$:@&])")  # emphasis, links, HTML, entities, maths
_LINE_START = re.compile(r"(?m)^([ \t]*(?:\d+)?)([-+=.)])")  # list items (- + 1. 1)), setext headings
# Streamlit's Markdown turns web and e-mail addresses in text into links after escapes are resolved, so
# escaping cannot stop it: an invisible word joiner (U+2060) after www, :// or @ breaks the pattern.
_AUTOLINK = re.compile(r"(?i)(\bwww(?=\.)|:(?=//)|@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """The one way data text reaches Markdown (captions, labels, help texts, tooltips): shown as typed, never
    as markup, link or web address link, and never reversed by a direction override."""
    out = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, without_bidi(text))
    out = _MARKUP.sub(r"\\\1", out)
    return _LINE_START.sub(r"\1\\\2", out)


def table(frame: pd.DataFrame, where: Any = st, **kwargs: Any) -> Any:
    """st.dataframe (in `where`, a column or container) of `frame` with text that a spreadsheet would run as a
    formula neutralised by a leading apostrophe, as in every CSV export: the table's own "Download as CSV"
    and copy give what is shown."""
    return where.dataframe(export.safe_frame(frame), **kwargs)


def source_caption(data: Data, extra: str = "") -> None:
    """Under every number or chart: where it comes from."""
    text = f"Source: {plain(data.data_source())}"
    if mixed(data.data_source()):
        text = f"**Mixed: {SYNTHETIC} and real data.** " + text
    st.caption(text + (f" · {extra}" if extra else ""))


def mixed(sources: str) -> bool:
    """Whether a page's sources hold both synthetic demo values and real ones (said on that page)."""
    parts = [p for p in sources.split("; ") if p and p != "no data"]
    synthetic = [SYNTHETIC in p for p in parts]
    return any(synthetic) and not all(synthetic)
