"""The global filters: sidebar widgets bound to the URL, so a copied link reopens the same view.

A bound widget writes the label it shows to the URL. Country, year and NUTS level show their codes. Value chain,
stages, sectors and focus region show names, so each is two widgets: the one shown (names, key `shown(key)`) and
a bound twin out of sight whose labels are the codes (key `key`): it holds the value, so the address bar holds
codes (?region=SE33&stage=processing), and back, forward, page changes and scenes work as for any bound widget.
Links naming options by label (the names links held before) or by code in any case still work.

The values are read before any widget is drawn (`read`), so the page's main chart is sent first; the widgets are
drawn after the page (`sidebar`), into a sidebar container made before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import layout, state
from valuechain.query import DEFAULT_LEVEL, Data, Selection, regions_in_view
from valuechain.text import without_bidi

URL: Final = state.URL
_NOTICES = "_url_notices"  # filter key → what a link asked for that is not there
_OPTIONS = "_filter_options"  # this run's _Options, from read() to sidebar()
_CORRECTED = "_filters_corrected"  # this run was started again because a drawn filter disagreed with read()
_IN_URL = "filters_in_url"  # the container of the bound twins, out of sight
_HIDDEN = f"<style>.st-key-{_IN_URL} {{ display: none; }}</style>"


@dataclass(frozen=True)
class _Options:
    """Every filter's options and labels for one state of the filters above it (chain → stages → sectors, the
    base selection → the regions in view): computed once per run, shared by reading and drawing."""

    chains: list[str]
    chain_label: Callable[[Any], str]
    stages: list[str]
    stage_label: Callable[[Any], str]
    sectors: list[str]
    sector_label: Callable[[Any], str]
    countries: list[str]
    years: list[int]
    levels: list[int]
    regions: list[str]
    region_label: Callable[[Any], str]


def shown(key: str) -> str:
    """The session key of the widget that shows a coded filter by name (its bound twin has `key`)."""
    return f"_{key}_shown"


def read(data: Data) -> Selection:
    """What the filters select in this run, read from the session and the URL before any widget is drawn, so the
    page's main chart is sent first and the widgets follow (`sidebar`). Also kept for pages in session state."""
    chains = data.chains()
    chain_names = dict(zip(chains["chain_id"], chains["name"], strict=True))
    chain = _pick(state.CHAIN, "value chain", list(chain_names), _label(chain_names), next(iter(chain_names)))
    stages = data.stages(chain)
    stage_names = dict(zip(stages["stage_id"], stages["name"], strict=True))
    chosen_stages = _pick_several(state.STAGE, "stage", list(stage_names), _label(stage_names))
    mapping = data.stage_sectors(chain)
    if chosen_stages:
        mapping = mapping[mapping["stage_id"].isin(chosen_stages)]
    sector_names = data.sector_names
    sectors = sorted(mapping["nace"])
    sector_label = _label({c: _short(sector_names.get(c, "")) for c in sectors}, with_code=True)
    countries = data.countries()
    years = sorted(data.years(), reverse=True) or [0]
    levels = data.levels_with_data() or [DEFAULT_LEVEL]
    base = Selection(
        chain_id=chain,
        year=int(_pick(state.YEAR, "year", years, str, years[0])),
        level=int(
            _pick(state.LEVEL, "NUTS level", levels, str, DEFAULT_LEVEL if DEFAULT_LEVEL in levels else levels[0])
        ),
        countries=tuple(_pick_several(state.COUNTRY, "country", countries, str)),
        stages=tuple(chosen_stages),
        sectors=tuple(_pick_several(state.SECTOR, "sector", sectors, sector_label)),
    )
    in_view = regions_in_view(data, base)
    region_names = dict(zip(in_view["nuts_id"], in_view["name"], strict=True))
    region_label = _label(region_names, with_code=True)
    region = _pick(state.REGION, "region", list(region_names), region_label, None)
    options = _Options(
        list(chain_names),
        _label(chain_names),
        list(stage_names),
        _label(stage_names),
        sectors,
        sector_label,
        countries,
        years,
        levels,
        list(region_names),
        region_label,
    )
    selection = Selection(**{**base.__dict__, "region": region})
    st.session_state[state.SELECTION] = selection
    st.session_state[_OPTIONS] = options
    return selection


def sidebar(data: Data, where: DeltaGenerator) -> None:
    """Draw the filters into `where` (a sidebar container made before the page ran) for the selection `read`
    found. Should a widget still disagree (a value Streamlit drops that `read` kept), the run starts again with
    the widget's value, once."""
    sel: Selection = st.session_state[state.SELECTION]
    o: _Options = st.session_state[_OPTIONS]
    _show(where.selectbox, state.CHAIN, sel.chain_id, "Value chain", o.chains, format_func=o.chain_label)
    _show(
        where.multiselect,
        state.STAGE,
        list(sel.stages),
        "Stages",
        o.stages,
        format_func=o.stage_label,
        placeholder="All stages",
    )
    _show(
        where.multiselect,
        state.SECTOR,
        list(sel.sectors),
        "Sectors (NACE Rev. 2)",
        o.sectors,
        format_func=o.sector_label,
        placeholder="All in these stages",  # short: the sidebar cuts a longer one in large type
    )
    countries = where.multiselect(
        "Countries",
        o.countries,
        key=state.COUNTRY,
        bind=URL,
        **_watch(state.COUNTRY),
        placeholder="All BSR countries",
        help=layout.plain(", ".join(f"{c} {data.region_names.get(c, '')}" for c in o.countries)),
    )
    year = where.selectbox("Year", o.years, key=state.YEAR, bind=URL, **_watch(state.YEAR))
    level = where.radio(
        "NUTS level",
        o.levels,
        index=o.levels.index(DEFAULT_LEVEL) if DEFAULT_LEVEL in o.levels else 0,
        horizontal=True,
        key=state.LEVEL,
        bind=URL,
        **_watch(state.LEVEL),
        help="0 = countries, 1 = major regions (e.g. German Länder), 2 = regions, 3 = small regions",
    )
    _show(
        where.selectbox,
        state.REGION,
        sel.region,
        "Focus region",
        o.regions,
        index=None,
        format_func=o.region_label,
        placeholder="None",
    )
    for notice in st.session_state.get(_NOTICES, {}).values():
        where.warning(layout.plain(notice), icon=":material/link_off:")
    twins = st.sidebar.container(key=_IN_URL)  # below the filters: its gap is out of the way
    twins.html(_HIDDEN)
    chain = twins.selectbox("chain code", o.chains, key=state.CHAIN, bind=URL)
    stages = twins.multiselect("stage codes", o.stages, key=state.STAGE, bind=URL)
    sectors = twins.multiselect("sector codes", o.sectors, key=state.SECTOR, bind=URL)
    region = twins.selectbox("region code", o.regions, index=None, key=state.REGION, bind=URL)
    drawn = Selection(
        chain_id=chain,
        year=int(year),
        level=int(level),
        countries=tuple(countries),
        stages=tuple(stages),
        sectors=tuple(sectors),
        region=region,
    )
    if drawn != sel and not st.session_state.pop(_CORRECTED, False):
        st.session_state[_CORRECTED] = True
        st.rerun()
    st.session_state.pop(_CORRECTED, None)


def _show(widget: Callable[..., Any], key: str, value: Any, label: str, options: list, **kwargs: Any) -> None:
    """The widget that shows a coded filter by name: it starts from its bound twin's value, and a change is
    written to the twin (a callback, before the next run), which puts the code in the URL."""
    st.session_state[shown(key)] = value
    widget(label, options, key=shown(key), on_change=_adopt, args=(key,), **kwargs)


def _adopt(key: str) -> None:
    """The user changed a filter shown by name: its bound twin takes the value (and the URL the code)."""
    st.session_state[key] = st.session_state[shown(key)]
    _forget_notice(key)


def _pick(key: str, what: str, options: list, label: Callable[[Any], str], default: Any) -> Any:
    """The value the bound single-choice widget `key` takes in this run, before it is drawn: the session's while it
    is an option, else the link's on the session's first run, else the default, as Streamlit resolves it."""
    if key in st.session_state:
        value = st.session_state[key]
        return value if value in options else default
    found = _from_url(key, what, options, label, several=False)
    return found[0] if found else default


def _pick_several(key: str, what: str, options: list, label: Callable[[Any], str]) -> list:
    """`_pick` for a multiselect: the chosen options still offered, in the order chosen."""
    if key in st.session_state:
        return [v for v in st.session_state[key] or [] if v in options]
    return _from_url(key, what, options, label, several=True)


def _from_url(key: str, what: str, options: list, label: Callable[[Any], str], *, several: bool) -> list:
    """The options a link names for `key` on the session's first run, by code (?region=SE33, ?chain=offshore_wind,
    any case) or by the name shown (?region=SE33+Övre+Norrland, links made before codes): said in the sidebar when it
    names something that is not there (Streamlit drops such values silently). A link not holding exactly the codes
    is rewritten to them and the run starts again: a bound widget is seeded from the URL the run started with."""
    given = st.query_params.get_all(key)
    if not given:
        return []
    by_label = {label(o): o for o in options}
    by_code = {str(o).strip().casefold(): o for o in options}
    found = [by_label.get(v, by_code.get(v.strip().casefold())) for v in given]
    unknown = [v for v, f in zip(given, found, strict=True) if f is None]
    if unknown:
        left = "it is left out" if several and len(unknown) < len(given) else f"no {what} is chosen from the link"
        st.session_state.setdefault(_NOTICES, {})[key] = (
            f"The link asks for {what} {', '.join(repr(v) for v in unknown)}, which is not among the options: {left}."
        )
    known = list(dict.fromkeys(f for f in found if f is not None))
    codes = [str(o) for o in known]
    if codes != given:
        if codes:
            st.query_params[key] = codes if several else codes[0]
        else:
            del st.query_params[key]
        st.rerun()
    return known


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
