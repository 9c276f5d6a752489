"""Page furniture shared by every page: presentation mode, the dataset badge, source captions."""

from __future__ import annotations

import re

import streamlit as st

from components import state
from valuechain.query import Data
from valuechain.schema import DATA_TABLES

SYNTHETIC = "demo data (synthetic)"

_LARGE_TYPE = """
<style>
html { font-size: 21px; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none; }
.block-container { padding-top: 1.5rem; }
</style>
"""


def presentation_mode() -> None:
    """Large type and fewer controls for screen-sharing in workshops, kept in the URL."""
    if st.sidebar.toggle("Large type for screen-sharing", key=state.PRESENT, bind=state.URL):
        st.html(_LARGE_TYPE)


def dataset_badge(data: Data, versions: object) -> None:
    """Say which data is on screen: demo, Eurostat, uploaded, and whether synthetic and real are mixed."""
    import pandas as pd

    current: pd.DataFrame = versions  # type: ignore[assignment]
    filled = current[(current["rows"] > 0) & current["table_name"].isin(DATA_TABLES)]
    from_eurostat = filled["source_code"].fillna("").ne("")
    demo = (filled["origin"] == "demo").any()
    eurostat = from_eurostat.any()
    uploads = ((filled["origin"] == "upload") & ~from_eurostat).any()
    shown = (("Demo data (synthetic)", demo), ("Eurostat", eurostat), ("uploaded data", uploads))
    parts = [name for name, on in shown if on]
    label = " + ".join(parts) or "no data"
    if demo and (eurostat or uploads):
        label += " — synthetic and real figures are mixed: each chart's source says which is which"
    latest = int(current["version_id"].max()) if not current.empty else 0
    st.sidebar.caption(
        f"**Data on screen:** {label} · revision {data.revision} · newest version {latest}",
        help="Every table shows the current version of each dataset. See About & method for the list.",
    )


def plain(text: object) -> str:
    """Escape Markdown so user text (names, sources) shows as typed, never as markup or links."""
    return re.sub(r"([\\`*_\[\]<>#|~$:])", r"\\\1", str(text))


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
