"""The floor of a filter change on this stack: one sidebar widget (a year) and one chart that is drawn again
when it changes, nothing else. `?chart=deck` draws the map floor's GeoJsonLayer (its colour follows the year),
otherwise the five-node Sankey (its values follow the year)."""

import pydeck as pdk
import streamlit as st

from valuechain import geo

year = st.sidebar.selectbox("Year", list(range(2023, 2014, -1)))
step = 2023 - year
if st.query_params.get("chart") == "deck":

    @st.cache_resource(max_entries=1)
    def boundaries() -> dict:
        return geo.geojson(2)

    layer = pdk.Layer(
        "GeoJsonLayer",
        id=f"regions-{year}",
        data=boundaries(),
        get_fill_color=[29, 145 - 10 * step, 192, 200],
        get_line_color=[255, 255, 255],
        line_width_min_pixels=1,
    )
    st.pydeck_chart(
        pdk.Deck(layers=[layer], initial_view_state=pdk.ViewState(**geo.initial_view(2)), map_style=None), height=660
    )
else:
    st.plotly_chart(
        {
            "data": [
                {
                    "type": "sankey",
                    "node": {"label": ["Biomass supply", "Processing", "Bio-based products", "Use", "End-of-life"]},
                    "link": {"source": [0, 1, 2, 3], "target": [1, 2, 3, 4], "value": [5 + step, 4, 3 + step, 2]},
                }
            ]
        }
    )
