"""Map: who in the BSR is strong in which stage of the chain, how strong, and who is linked to whom."""

import streamlit as st

from components import auth, filters, layout
from components import data as app_data
from components import map as map_ui
from valuechain import geo

data = app_data.data()
sel = filters.current()
chain = data.chains().set_index("chain_id").at[sel.chain_id, "name"]

st.title("Map")
st.caption(
    f"{layout.plain(chain)} · NUTS {sel.level} regions · {sel.year}. Colours: how strong; bubbles: how big; "
    "arcs: who supplies whom. Click a region to select it."
)
options = map_ui.controls(data, sel)
view = map_ui.compute(data, sel, options)

left, right = st.columns([2, 1] if map_ui.large_type() else [3, 1])
with left:
    try:
        map_ui.draw(map_ui.deck(data, sel, view, options), sel, view)
        map_ui.offer_picture(sel, view)
    except geo.BoundariesUnavailable as exc:
        st.warning(f"**The map needs region boundaries.** {auth.error_message(exc)}", icon="🗺️")
    map_ui.method_caption(data, sel, options.indicator)
with right:
    map_ui.legend(view, options, sel.year)
    map_ui.side_panel(data, sel, map_ui.panel(data, sel, options))

map_ui.value_table(view, sel)
layout.source_caption(data, f"boundaries: {geo.ATTRIBUTION}")
