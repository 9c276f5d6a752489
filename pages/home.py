"""Home: what the loaded data covers, in numbers, and what each page is for."""

import streamlit as st

from components import auth, filters, layout, nav
from components import data as app_data
from valuechain import geo
from valuechain.query import headline

data = app_data.data()
sel = filters.current()
chain = data.chains().set_index("chain_id").at[sel.chain_id, "name"]

st.title("BSR S3 Value Chain Explorer")
st.markdown(
    "Benchmark, map and match regions of the Baltic Sea Region along a value chain, following the four steps "
    "of the Interreg *BSR S3 Ecosystem* method: map assets, map support, find partners, design joint projects."
)
st.subheader(f"{layout.plain(chain)} in numbers, {sel.year}")
h = headline(data, sel)
cols = st.columns(4)
cols[0].metric("Regions", f"{h.regions}", help=f"NUTS {sel.level} regions of the programme area in view")
cols[0].caption(f"in {h.countries} countries · NUTS {sel.level}")
cols[1].metric("Actors", f"{h.actors:,}", help="Key actors of the quadruple helix in these countries")
cols[1].caption("business, research, public, civil society")
cols[2].metric("Flows", f"{h.flows:,}", help="Inter-regional links of this value chain in the year")
cols[2].caption(f"goods worth {h.flow_value:,.0f} {layout.plain(h.flow_unit)}")
cols[3].metric("Funding", f"€{h.funding_eur / 1e6:,.1f} M", help="Public funding of projects with partners here")
cols[3].caption(f"{h.projects} projects")
layout.source_caption(data, "regions: Eurostat NUTS 2021")

ok, message = geo.available()
if not ok:
    st.warning(f"**Maps need region boundaries.** {auth.error_message(message)}", icon="🗺️")

st.subheader("What each page is for")
nav.page_directory()
