"""The global filters: sidebar widgets bound to the URL, so a copied link reopens the same view."""

from __future__ import annotations

import streamlit as st

from components import state
from valuechain.query import DEFAULT_LEVEL, Data, Selection, regions_in_view

URL = state.URL


def sidebar(data: Data) -> Selection:
    """Draw the filters and return what they select (also kept for pages in session state)."""
    side = st.sidebar
    chains = data.chains()
    chain_names = dict(zip(chains["chain_id"], chains["name"], strict=True))
    chain = side.selectbox("Value chain", list(chain_names), format_func=chain_names.get, key=state.CHAIN, bind=URL)
    stages = data.stages(chain)
    stage_names = dict(zip(stages["stage_id"], stages["name"], strict=True))
    chosen_stages = side.multiselect(
        "Stages", list(stage_names), format_func=stage_names.get, key=state.STAGE, bind=URL, placeholder="All stages"
    )
    mapping = data.stage_sectors(chain)
    if chosen_stages:
        mapping = mapping[mapping["stage_id"].isin(chosen_stages)]
    sector_names = data["sectors"].set_index("nace")["name"].to_dict()
    sectors = sorted(mapping["nace"])
    chosen_sectors = side.multiselect(
        "Sectors (NACE Rev. 2)",
        sectors,
        key=state.SECTOR,
        bind=URL,
        format_func=lambda c: f"{c} {_short(sector_names.get(c, ''))}",
        placeholder="All sectors of these stages",
    )
    countries = data.countries()
    chosen_countries = side.multiselect(
        "Countries",
        countries,
        key=state.COUNTRY,
        bind=URL,
        placeholder="All BSR countries",
        help=", ".join(f"{c} {data.region_names.get(c, '')}" for c in countries),
    )
    years = sorted(data.years(), reverse=True) or [0]
    year = side.selectbox("Year", years, key=state.YEAR, bind=URL)
    levels = data.levels_with_data() or [DEFAULT_LEVEL]
    level = side.radio(
        "NUTS level",
        levels,
        index=levels.index(DEFAULT_LEVEL) if DEFAULT_LEVEL in levels else 0,
        horizontal=True,
        key=state.LEVEL,
        bind=URL,
        help="0 = countries, 1 = major regions (e.g. German Länder), 2 = regions, 3 = small regions",
    )
    base = Selection(
        chain_id=chain,
        year=int(year),
        level=int(level),
        countries=tuple(chosen_countries),
        stages=tuple(chosen_stages),
        sectors=tuple(chosen_sectors),
    )
    in_view = regions_in_view(data, base)
    region_names = dict(zip(in_view["nuts_id"], in_view["name"], strict=True))
    region = side.selectbox(
        "Focus region",
        list(region_names),
        index=None,
        key=state.REGION,
        bind=URL,
        format_func=lambda c: f"{c} {region_names.get(c, '')}",
        placeholder="None",
    )
    selection = Selection(**{**base.__dict__, "region": region})
    st.session_state[state.SELECTION] = selection
    return selection


def current() -> Selection:
    """The selection app.py drew for this run."""
    return st.session_state[state.SELECTION]


def _short(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
