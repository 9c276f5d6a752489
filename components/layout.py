"""Page furniture shared by every page: presentation mode, the dataset badge, source captions."""

from __future__ import annotations

import re

import streamlit as st

from components import state
from valuechain.query import Data

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
    """Say which data is on screen: demo or uploaded, and which versions."""
    import pandas as pd

    current: pd.DataFrame = versions  # type: ignore[assignment]
    uploads = current[current["origin"] == "upload"]
    label = "Demo data (synthetic)" if uploads.empty else "Demo data (synthetic) + uploaded data"
    if not current.empty and (current["origin"] == "demo").sum() == 0:
        label = "Uploaded data"
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
    st.caption(text + (f" · {extra}" if extra else ""))
