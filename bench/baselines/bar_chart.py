"""The floor of the profile and matchmaking pages on this stack: one plotly bar chart (the kind of chart both
lead with: location quotients by stage, partner scores) and nothing else."""

import streamlit as st

STAGES = ["Biomass supply", "Processing", "Bio-based products", "Use", "End-of-life"]

st.plotly_chart(
    {
        "data": [{"type": "bar", "orientation": "h", "x": [1.8, 1.2, 0.9, 0.7, 1.1], "y": STAGES}],
        "layout": {"height": 405, "yaxis": {"autorange": "reversed"}},
    }
)
