"""The global filters: sidebar widgets bound to the URL, so a copied link reopens the same view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import streamlit as st

from components import layout, state
from valuechain.query import DEFAULT_LEVEL, Data, Selection, regions_in_view
from valuechain.text import without_bidi

URL: Final = state.URL
_NOTICES = "_url_notices"  # filter key → what a link asked for that is not there


def sidebar(data: Data) -> Selection:
    """Draw the filters and return what they select (also kept for pages in session state)."""
    side = st.sidebar
    chains = data.chains()
    chain_names = dict(zip(chains["chain_id"], chains["name"], strict=True))
    chain_label = _label(chain_names)
    _codes_from_url(state.CHAIN, "value chain", list(chain_names), chain_label)
    chain = side.selectbox(
        "Value chain", list(chain_names), format_func=chain_label, key=state.CHAIN, bind=URL, **_watch(state.CHAIN)
    )
    stages = data.stages(chain)
    stage_names = dict(zip(stages["stage_id"], stages["name"], strict=True))
    stage_label = _label(stage_names)
    _codes_from_url(state.STAGE, "stage", list(stage_names), stage_label, several=True)
    chosen_stages = side.multiselect(
        "Stages",
        list(stage_names),
        format_func=stage_label,
        key=state.STAGE,
        bind=URL,
        **_watch(state.STAGE),
        placeholder="All stages",
    )
    mapping = data.stage_sectors(chain)
    if chosen_stages:
        mapping = mapping[mapping["stage_id"].isin(chosen_stages)]
    sector_names = data["sectors"].set_index("nace")["name"].to_dict()
    sectors = sorted(mapping["nace"])
    sector_label = _label({c: _short(sector_names.get(c, "")) for c in sectors}, with_code=True)
    _codes_from_url(state.SECTOR, "sector", sectors, sector_label, several=True)
    chosen_sectors = side.multiselect(
        "Sectors (NACE Rev. 2)",
        sectors,
        key=state.SECTOR,
        bind=URL,
        **_watch(state.SECTOR),
        format_func=sector_label,
        placeholder="All sectors of these stages",
    )
    countries = data.countries()
    _codes_from_url(state.COUNTRY, "country", countries, str, several=True)
    chosen_countries = side.multiselect(
        "Countries",
        countries,
        key=state.COUNTRY,
        bind=URL,
        **_watch(state.COUNTRY),
        placeholder="All BSR countries",
        help=layout.plain(", ".join(f"{c} {data.region_names.get(c, '')}" for c in countries)),
    )
    years = sorted(data.years(), reverse=True) or [0]
    _codes_from_url(state.YEAR, "year", years, str)
    year = side.selectbox("Year", years, key=state.YEAR, bind=URL, **_watch(state.YEAR))
    levels = data.levels_with_data() or [DEFAULT_LEVEL]
    _codes_from_url(state.LEVEL, "NUTS level", levels, str)
    level = side.radio(
        "NUTS level",
        levels,
        index=levels.index(DEFAULT_LEVEL) if DEFAULT_LEVEL in levels else 0,
        horizontal=True,
        key=state.LEVEL,
        bind=URL,
        **_watch(state.LEVEL),
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
    region_label = _label(region_names, with_code=True)
    _codes_from_url(state.REGION, "region", list(region_names), region_label)
    region = side.selectbox(
        "Focus region",
        list(region_names),
        index=None,
        key=state.REGION,
        bind=URL,
        **_watch(state.REGION),
        format_func=region_label,
        placeholder="None",
    )
    for notice in st.session_state.get(_NOTICES, {}).values():
        side.warning(layout.plain(notice), icon=":material/link_off:")
    selection = Selection(**{**base.__dict__, "region": region})
    st.session_state[state.SELECTION] = selection
    return selection


def _codes_from_url(key: str, what: str, options: list, label: Callable[[Any], str], *, several: bool = False) -> None:
    """Let a link name options by code (?region=SE33, ?chain=offshore_wind) as well as by the label that the bound
    widget writes to the URL, and say so when a link names something that is not there (Streamlit drops such
    values silently). Runs before the widget is drawn, on the session's first run only (the link it opened): codes
    are turned into the widget's labels in the URL and the run starts again, so the widget and the address bar
    both show the choice (a bound widget is seeded from the URL the run started with)."""
    if key in st.session_state:
        return
    given = st.query_params.get_all(key)
    if not given:
        return
    labels = {label(o): o for o in options}
    codes = {str(o).strip().casefold(): label(o) for o in options}
    shown = [v if v in labels else codes.get(v.strip().casefold()) for v in given]
    unknown = [v for v, s in zip(given, shown, strict=True) if s is None]
    if unknown:
        left = "it is left out" if several and len(unknown) < len(given) else f"no {what} is chosen from the link"
        st.session_state.setdefault(_NOTICES, {})[key] = (
            f"The link asks for {what} {', '.join(repr(v) for v in unknown)}, which is not among the options: {left}."
        )
    known = [s for s in shown if s is not None]
    if known != given:
        if known:
            st.query_params[key] = known if several else known[0]
        else:
            del st.query_params[key]
        st.rerun()


def _watch(key: str) -> dict[str, Any]:
    """Widget arguments that drop the link notice about `key` once the user changes that filter."""
    return {"on_change": _forget_notice, "args": (key,)}


def _forget_notice(key: str) -> None:
    """The filter was changed: what the link asked for no longer matters."""
    st.session_state.get(_NOTICES, {}).pop(key, None)


def current() -> Selection:
    """The selection app.py drew for this run."""
    return st.session_state[state.SELECTION]


def _label(names: dict[Any, str], *, with_code: bool = False) -> Callable[[Any], str]:
    """An option's label (its name, after its code), never reversed by a direction override in the name."""

    def label(option: Any) -> str:
        name = names.get(option, "")
        return without_bidi(f"{option} {name}" if with_code else name)

    return label


def _short(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
