"""Matchmaking: complementary partner regions with reasons, a synergy matrix, matched actors and idea cards."""

import streamlit as st

from components import benchmark, filters, idea_cards, layout, partner_view, region_card, state, workshop
from components import data as app_data
from valuechain import matching
from valuechain.query import regions_in_view

data = app_data.data()
sel = filters.current()
st.title("Matchmaking")
indicator, threshold, spare = benchmark.controls(data, state.Matchmaking.BENCHMARK)
pairs = benchmark.pair_scores(data, sel, indicator, threshold)
names = pairs.bench.names
region = benchmark.focus_region(data, sel, pairs.bench, "find partners for")
st.header(f"Partners for {layout.plain(matching.label(region, names))}")
if sel.stages:
    st.caption(f"Looking for partners next to: {layout.plain(pairs.bench.stage_list(sel.stages))} (sidebar stages)")
weights = partner_view.weights()
candidates = [c for c in regions_in_view(data, sel)["nuts_id"] if c in names]
top = spare.slider("Suggestions shown", 5, 50, 10, key=state.Matchmaking.TOP, bind=state.URL)
ranked = matching.rank_partners(pairs, region, candidates, weights, top=top) if any(weights.values()) else None
chain_name = data.chains().set_index("chain_id").at[sel.chain_id, "name"]
# No st.stop() on this page: the sidebar's filters are drawn after it (app.py), and a stopped run draws nothing more.
if ranked is None:
    st.warning("Give at least one component a weight above zero to rank partners.")
elif ranked.empty:
    st.info("No other region is in view: add countries in the sidebar to find partners.", icon="🔎")
    idea_cards.listing(data, sel.chain_id, chain_name)
else:
    partner_view.score_bars(ranked, weights)
    workshop.offer_partners(region, ranked)
    # The rest, one tab at a time: only the open tab runs, so the first view sends the score bars and little else.
    reasons_tab, matrix_tab, pair_tab = st.tabs(list(state.Matchmaking.TABS), key=state.Matchmaking.TAB, bind=state.URL)
    if reasons_tab.open:
        with reasons_tab:
            partner_view.ranked_list(ranked)
            partner_view.ranked_table(ranked, region)
            layout.source_caption(data, "flows, projects and priorities from their tables · formulas: About & method")
    if matrix_tab.open:
        with matrix_tab:
            limit = st.slider(
                "Regions in the matrix", 10, 100, 60, step=5, key=state.Matchmaking.MATRIX, bind=state.URL
            )
            matrix = matching.synergy_matrix(pairs, weights, candidates, region, limit)
            partner_view.synergy_heatmap(matrix, names, region)
            shown = f"{len(matrix)} of {len(candidates)} regions in view" + (
                f": {names[region]} and its best-scoring partners" if len(matrix) < len(candidates) else ""
            )
            where = f"rows look for partners in columns · {layout.plain(shown)} · grouped by country"
            layout.source_caption(data, where)
    if pair_tab.open:
        with pair_tab:
            partner = partner_view.partner_picker(ranked)
            partner_view.pair_detail(ranked, partner)
            layout.source_caption(data, "score and components of this pair · formulas: About & method")
            region_card.whole_economy(data, sel, [region, partner], names, "pair")
            actors = matching.matched_actors(data, pairs.bench, region, partner)
            partner_view.matched_actors(actors, names[region], names[partner])
            actor_sources = region_card.dataset_names(data, "actors")
            st.caption(f"Source: {actor_sources} · actors whose stages meet along the chain")
            st.subheader("Joint investment ideas")
            lead = [*actors["actor_a_id"][:1], *actors["actor_b_id"][:1]]
            idea_cards.editor(data, matching.suggested_idea(pairs, region, partner, lead), names)
            idea_cards.listing(data, sel.chain_id, chain_name)
