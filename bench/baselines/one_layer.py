"""The floor of the map: a Streamlit page that draws one pydeck GeoJsonLayer of the NUTS-2 boundaries, nothing else."""

import pydeck as pdk
import streamlit as st

from valuechain import geo


@st.cache_resource(max_entries=1)
def boundaries() -> dict:
    return geo.geojson(2)


layer = pdk.Layer(
    "GeoJsonLayer",
    id="regions",
    data=boundaries(),
    get_fill_color=[29, 145, 192, 200],
    get_line_color=[255, 255, 255],
    line_width_min_pixels=1,
)
st.pydeck_chart(
    pdk.Deck(layers=[layer], initial_view_state=pdk.ViewState(**geo.initial_view(2)), map_style=None), height=660
)
