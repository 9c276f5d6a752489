"""Value-chain flows: goods, knowledge and investment from stage to stage and region to region."""

import streamlit as st

from components import data as app_data
from components import filters, layout, state
from components import sankey as ui
from valuechain import flows

KINDS = {"goods": "Goods", "knowledge": "Knowledge", "investment": "Investment", "all": "All kinds"}

data = app_data.data()
sel = filters.current()
st.title("Value-chain flows")
st.caption(
    "A flow is shown when it **starts or ends** in a selected country and **leaves or enters** a selected "
    f"stage; regions are rolled up to NUTS {sel.level}. Flows have no sector, so the sector filter does not "
    "apply here. One kind at a time by default: kinds have different units (goods and investment in EUR "
    "million, knowledge in joint projects). *All kinds* draws one link per kind in its colour, with its "
    "unit in the hover; node heights then mix units, so compare links of one kind only."
)

c1, c2, c3, c4 = st.columns([2, 3, 2, 3])
view_name = c1.radio(
    "View", list(flows.VIEWS), format_func=flows.VIEWS.__getitem__, key=state.Flows.VIEW, bind=state.URL
)
picked = c2.radio(
    "Flow kind", list(KINDS), format_func=KINDS.__getitem__, horizontal=True, key=state.Flows.KIND, bind=state.URL
)
kind = None if picked == "all" else picked
top_n = flows.DEFAULT_TOP_N
if view_name == flows.REGION_VIEW:
    top_n = c3.slider(
        "Regions per side",
        3,
        40,
        flows.DEFAULT_TOP_N,
        key=state.Flows.TOP,
        bind=state.URL,
        help="The largest regions on each side; the others are merged into “Other regions”.",
    )
options = flows.drill_options(data, sel, kind)
focus = options.get(f"region:{sel.region}") if sel.region else None
node = c4.selectbox(
    "Drill down to a stage or region",
    list(options),
    index=None,
    format_func=options.__getitem__,
    key=state.Flows.NODE,
    bind=state.URL,
    placeholder=f"Focus region: {focus}" if focus else "Whole selection",
    help="The chart, the partner table and map, and the flows table follow the node; "
    "empty = the focus region of the sidebar.",
)

view = ui.view(data, sel, flows.FlowOptions(view=view_name, kind=kind, top_n=top_n, node=node))
ui.downloads(view, view_name, f"flows_{sel.chain_id}_{sel.year}")
chart_tab, summary_tab, table_tab = st.tabs(
    ["Sankey", "Direction-wise summary", "Largest flows"], key=state.Flows.TAB, bind=state.URL
)  # only the open tab runs
if chart_tab.open:
    with chart_tab:
        if view.message:
            st.info(layout.plain(view.message), icon=":material/info:")
        else:
            ui.chart(ui.figure(view.sankey, view_name, ui.font_size()))
            ui.source_caption(view, with_totals=True)
        for note in view.notes:
            st.caption(layout.plain(note))
        ui.drill_down(view)
if summary_tab.open:
    with summary_tab:
        ui.summary(view, flows.direction_summary(view.flows, view.chain, sel.countries))
if table_tab.open:
    with table_tab:
        ui.flows_table(view, view.flows, "Flows of the selection")
