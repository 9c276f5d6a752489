"""Region profile: where a region is strong, how big and growing, who is like it, what it has (BSR steps 1–2)."""

import streamlit as st

from components import benchmark, filters, layout, region_card, specialisation_charts, state
from components import data as app_data
from valuechain import matching
from valuechain.query import regions_in_view, sectors_in_selection

data = app_data.data()
sel = filters.current()
st.title("Region profile")
region = benchmark.require_region(data, sel, "see its profile")
indicator, threshold, spare = benchmark.controls(data, state.Profile.BENCHMARK)
bench = benchmark.benchmark(data, sel, indicator, threshold)
names = bench.names
st.header(layout.plain(matching.label(region, names)))
region_card.brief_downloads(data, sel, app_data.datasets_on_screen(data))
since = region_card.since_picker(bench, spare)
sectors = sectors_in_selection(data, sel)
stages = matching.stage_profile(bench, region, since or sel.year, sel.stages)
sizes = matching.size_and_growth(bench, sectors, since or sel.year)
region_card.headline(bench, region, sizes, since, stages)

st.subheader("Specialisation by stage")
candidates = [c for c in regions_in_view(data, sel)["nuts_id"] if c in names]
suggested = matching.similar_regions(bench, region, sectors, candidates)
peers = region_card.peer_picker(bench, region, candidates, suggested)
specialisation_charts.stage_chart(matching.stage_lq_long(bench, [region, *peers], sel.stages), region, names, threshold)
region_card.stage_table(stages)
region_card.source(bench, f"bars: {layout.plain(names[region])}, markers: peer regions · formulas: About & method")

st.subheader("Specialisation by sector")
specialisation_charts.sector_chart(
    matching.sector_profile(bench, region, sectors),
    dict(zip(bench.stages["stage_id"], bench.stages["position"], strict=True)),
    threshold,
)
region_card.source(bench, "NACE Rev. 2 divisions of the stages in view")

st.subheader("Benchmark: regions like this one")
region_card.peer_table(matching.peer_comparison(bench, region, peers, sectors, sizes))
region_card.source(bench, "similarity: cosine of location-quotient profiles over the sectors in view")
region_card.whole_economy(data, sel, [region, *peers], names, "profile")

st.subheader("S3 priorities")
region_card.priorities(data, region)
st.subheader("Key actors by quadruple-helix type")
region_card.actors(data, region, sel.chain_id)
st.subheader("Projects and funding")
region_card.projects(data, sel, region, sectors)
st.subheader(f"Flows in and out, {sel.year}")
region_card.flows(data, sel, region, names)
st.page_link("pages/matchmaking.py", label="Find partners for this region →", icon=":material/handshake:")
