"""The floor of a Sankey page on this stack: one five-node plotly Sankey and nothing else."""

import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(
    go.Figure(
        go.Sankey(
            node={"label": ["Biomass supply", "Processing", "Bio-based products", "Use", "End-of-life"]},
            link={"source": [0, 1, 2, 3], "target": [1, 2, 3, 4], "value": [5, 4, 3, 2]},
        )
    )
)
