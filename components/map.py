"""The map page's pieces: its controls, the pydeck Deck, the legend, the side panel and the value table.

Numbers come from valuechain.choropleth; this module caches them by small keys (a key per data bundle,
i.e. store and revision, the Selection without countries, the indicator) and draws them. Every text from
the data reaches the browser as text: the deck tooltip is deck.gl's text tooltip, Markdown goes through
layout.plain and the legend's HTML is escaped.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st

from components import layout, nav, state, workshop
from components.deck import CompactDeck, Spliced, dumps
from valuechain import choropleth, colors, derived, export, geo, render
from valuechain.choropleth import Classification
from valuechain.query import Data, Selection

PICKABLE_LAYERS = ("regions", "bubbles")  # a click on these selects a region; a click on an arc does not
MAP_WIDTH, MAP_HEIGHT = 760, 660  # px the initial view is fitted to (the column is about this wide)
OUTLINE = "#222222"
SELECTED = [0, 0, 0, 255]
BORDERS = [255, 255, 255, 210]
BUBBLE_REGION_FILL = "#F2F2F2"  # regions under bubbles: neutral, so only the circles carry the value
SEA = [207, 224, 236, 110]  # pale sea tint: plain, deliberate background without (or over) a basemap
TOOLTIP_STYLE = {
    "backgroundColor": "#1F2430",
    "color": "#FFFFFF",
    "fontSize": "0.85rem",
    "lineHeight": "1.35",
    "padding": "8px 10px",
    "maxWidth": "20rem",
    "overflowWrap": "anywhere",
}
PROFILE_PAGE = "pages/profile.py"
TOP_FLOWS = (10, 25, 50, 100, 250)
NAMED_GAPS = 12  # regions without data named under the legend; the table lists them all


@dataclass(frozen=True)
class MapOptions:
    """The page's own widgets (all in the URL)."""

    indicator: str
    scheme: str
    bubbles: bool
    flow_kind: str | None
    top_n: int


# --- cached data ------------------------------------------------------------------------------------


@st.cache_resource(max_entries=4, show_spinner=False)
def _geometries(level: int) -> dict[str, dict[str, Any]]:
    """GeoJSON geometry per NUTS code of one level (read and simplified once per process)."""
    return {f["id"]: f["geometry"] for f in geo.geojson(level)["features"]}


@st.cache_resource(max_entries=4, show_spinner=False)
def _geometry_json(level: int) -> dict[str, str]:
    """Each region's geometry as the deck's JSON (serialised once per level; the map sends it on every view)."""
    return {code: dumps(geometry) for code, geometry in _geometries(level).items()}


@st.cache_resource(max_entries=4, show_spinner=False)
def _initial_view(level: int) -> dict[str, float]:
    """The view fitting the programme area without Svalbard (computed from the boundaries, so once per level)."""
    return geo.initial_view(level, width=MAP_WIDTH, height=MAP_HEIGHT)


@st.cache_resource(max_entries=1, show_spinner=False)
def _outline() -> str:
    """The programme area's outline as the deck's JSON (serialised once per process)."""
    return dumps(
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(geo.programme_area_outline())), "properties": {}}
    )


# Shared tables (cache_resource), not unpickled copies (cache_data) on each of the several calls of a rerun; every
# caller derives new frames from them (in_view, region_figures, flow_arcs, region_partners), none changes them.
@st.cache_resource(max_entries=64, show_spinner=False)
def _bsr_values(_data: Data, data_key: str, reference: Selection, indicator: str) -> pd.DataFrame:
    spec = derived.REGISTRY.get(indicator)
    base = _bsr_values(_data, data_key, reference, spec.base) if spec else None
    return choropleth.bsr_values(_data, reference, indicator, base)


@st.cache_resource(max_entries=32, show_spinner=False)
def _bsr_flows(_data: Data, data_key: str, reference: Selection, kind: str) -> pd.DataFrame:
    return choropleth.region_flows(_data, reference, kind)


def _reference(sel: Selection) -> Selection:
    """The cache key of country-independent tables: a country or region change reuses them."""
    return replace(sel, countries=(), region=None)


def values(data: Data, sel: Selection, indicator: str) -> pd.DataFrame:
    """choropleth.region_values, cached per data bundle."""
    return choropleth.in_view(_bsr_values(data, state.data_key(data), _reference(sel), indicator), sel)


def flows(data: Data, sel: Selection, kind: str) -> pd.DataFrame:
    """choropleth.region_flows over the whole programme area, cached per data bundle."""
    return _bsr_flows(data, state.data_key(data), _reference(sel), kind)


@dataclass(frozen=True)
class MapView:
    """Everything the map, its legend and its table show for one selection and set of options."""

    indicator: str
    label: str
    size_label: str  # what bubbles are sized by: the indicator, or a derived indicator's base
    unit: str
    table: pd.DataFrame
    number: pd.Series
    classes: Classification
    arcs: pd.DataFrame

    @property
    def is_derived(self) -> bool:
        return self.indicator in derived.REGISTRY

    @property
    def sources(self) -> str:
        """The sources of what the map shows: the mapped values and, if drawn, the flows."""
        found = set(self.table["source"].dropna()) | (set(self.arcs["source"].dropna()) if len(self.arcs) else set())
        return "; ".join(sorted(found)) or "no data"


def compute(data: Data, sel: Selection, options: MapOptions) -> MapView:
    """The map's numbers for the selection: values, classes and arcs (the page's server work, bar drawing)."""
    spec = derived.REGISTRY.get(options.indicator)
    label = choropleth.indicator_label(data, options.indicator)
    table = values(data, sel, options.indicator)
    number, classes = choropleth.classify(table["value"], options.scheme, diverging=spec is not None and spec.diverging)
    arcs = pd.DataFrame(columns=choropleth.ARC_COLUMNS)
    if options.flow_kind:
        arcs = choropleth.flow_arcs(
            data, flows(data, sel, options.flow_kind), sel, options.flow_kind, top_n=options.top_n
        )
    size_label = choropleth.indicator_label(data, spec.base) if spec else label
    return MapView(
        options.indicator,
        label,
        size_label,
        choropleth.indicator_unit(data, options.indicator),
        table,
        number,
        classes,
        arcs,
    )


@dataclass(frozen=True)
class Panel:
    """The selected region's side panel: its figures for the mapped indicator and the derived ones, and
    its largest flow partners."""

    region: str
    name: str
    country: str
    figures: pd.DataFrame
    kind: str | None
    outgoing: pd.DataFrame
    incoming: pd.DataFrame


def panel(data: Data, sel: Selection, options: MapOptions) -> Panel | None:
    """The side panel's numbers (None without a selected region). Only the mapped indicator and the derived
    ones, whose tables the map has or shares, so a filter change stays fast; every indicator is one click
    away (side_panel). Partners are of the overlay's flow kind, or the chain's first kind without an overlay."""
    if sel.region is None:
        return None
    shown = [i for i in dict.fromkeys([options.indicator, *derived.REGISTRY]) if i in choropleth.map_indicators(data)]
    figures = choropleth.region_figures(data, {i: values(data, sel, i) for i in shown}, sel.region)
    kinds = choropleth.flow_kinds(data, sel.chain_id)
    kind = options.flow_kind or (kinds[0] if kinds else None)
    empty = pd.DataFrame(columns=["partner", "name", "value", "unit", "source"])
    outgoing, incoming = (
        choropleth.region_partners(data, flows(data, sel, kind), sel.region) if kind else (empty, empty)
    )
    return Panel(
        sel.region,
        data.region_names.get(sel.region, sel.region),
        data.region_names.get(sel.region[:2], sel.region[:2]),
        figures,
        kind,
        outgoing,
        incoming,
    )


# --- controls ---------------------------------------------------------------------------------------


def large_type() -> bool:
    """Whether the screen-sharing mode is on."""
    return layout.large_type()


def controls(data: Data, sel: Selection) -> MapOptions:
    """Colour-by, classes, the flow overlay and bubbles in one row, each bound to the URL."""
    options = choropleth.map_indicators(data)
    kinds = choropleth.flow_kinds(data, sel.chain_id)
    if large_type():  # two rows, or the labels of five controls get cut at the large font size
        top, bottom = (st.columns([3, 2, 2], vertical_alignment="bottom") for _ in range(2))
        cols = [top[0], top[1], bottom[0], bottom[1], top[2]]
    else:
        cols = st.columns([2.6, 2, 1.8, 1.4, 1.4], vertical_alignment="bottom")
    indicator = cols[0].selectbox(
        "Colour regions by",
        options,
        key=state.Map.INDICATOR,
        bind=state.URL,
        format_func=lambda i: choropleth.indicator_label(data, i),
        help="Indicators of the loaded data, summed over the selected stages or sectors; "
        "the location quotient compares the region with the whole BSR.",
    )
    scheme = cols[1].selectbox(
        "Classes",
        list(choropleth.SCHEMES),
        key=state.Map.CLASSES,
        bind=state.URL,
        format_func=choropleth.SCHEMES.__getitem__,
        help="Quantiles: equal numbers of regions per class. Natural breaks: classes "
        "around gaps in the values. Equal interval: classes of equal width.",
    )
    kind = cols[2].selectbox(
        "Flow overlay",
        kinds,
        index=None,
        key=state.Map.FLOWS,
        bind=state.URL,
        placeholder="No flows",
        format_func=lambda k: f"{k.capitalize()} flows",
        help="Arcs between regions for the value-chain flows in the current filter.",
    )
    top_n = cols[3].selectbox(
        "Flows shown",
        TOP_FLOWS,
        index=TOP_FLOWS.index(25),
        key=state.Map.TOP,
        bind=state.URL,
        format_func=lambda n: f"Largest {n}",
        disabled=kind is None,
        help="Only the largest flows are drawn, so the map stays readable; the selected "
        "region's own largest flows are always added.",
    )
    bubbles = cols[4].toggle(
        "Bubbles",
        key=state.Map.BUBBLES,
        bind=state.URL,
        help="Circles at the regions' label points, area proportional to the value, so small regions stay visible.",
    )
    return MapOptions(indicator, scheme, bool(bubbles), kind, int(top_n))


# --- the deck ---------------------------------------------------------------------------------------


def clicked_region(state: Any, current: str | None) -> str | None:
    """The region a map click selects: the clicked one, or none when the selected region is clicked again.

    `state` is the chart's selection state (st.session_state[chart key]); without a clicked region
    (an arc, empty sea) the selection stays as it was.
    """
    objects = ((state or {}).get("selection") or {}).get("objects") or {}
    for layer_id, picked in objects.items():
        if str(layer_id).split("-")[0] not in PICKABLE_LAYERS:
            continue
        for obj in picked or []:
            code = (obj.get("properties") or obj).get("nuts_id")
            if code:
                return None if code == current else str(code)
    return current


def _select_from_map() -> None:
    """on_select callback: runs before the script, so it may still set the sidebar's region widget."""
    current = st.session_state.get(state.REGION)
    region = clicked_region(st.session_state.get(state.Map.CHART), current)
    if region != current:
        st.session_state[state.REGION] = region


def layer_id(name: str, sel: Selection) -> str:
    """Pickable layers are named after the selected region too. A click selects a region, which renames them,
    and Streamlit then drops the click's now stale deck.gl selection (and its dimming of everything else)
    instead of keeping it on the wrong region; the chart itself stays, with the user's zoom."""
    return f"{name}-{sel.region or 'none'}"


def _json_number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]


def _region_layer(
    table: pd.DataFrame, fills: pd.Series, tips: pd.Series, sel: Selection
) -> tuple[pdk.Layer, dict[str, dict[str, Any]]]:
    """The regions as GeoJSON features (keys in sorted order, as dumps writes them), each geometry taken
    ready-serialised from _geometry_json; also each drawn region's properties."""
    geometries = _geometry_json(sel.level)
    properties = {
        code: {"nuts_id": code, "value": _json_number(value), "fill": fill, "tooltip": tip}
        for code, value, fill, tip in zip(table["region_id"], table["value"], fills, tips, strict=True)
        if code in geometries
    }
    features = ",".join(
        f'{{"geometry":{geometries[code]},"id":{dumps(code)},"properties":{dumps(props)},"type":"Feature"}}'
        for code, props in properties.items()
    )
    layer = pdk.Layer(
        "GeoJsonLayer",
        id=layer_id("regions", sel),
        data=Spliced("regions", f'{{"features":[{features}],"type":"FeatureCollection"}}'),
        filled=True,
        stroked=True,
        get_fill_color="properties.fill",
        get_line_color=BORDERS,
        line_width_min_pixels=0.8,
        pickable=True,
        auto_highlight=True,
        highlight_color=[0, 0, 0, 50],
    )
    return layer, properties


def _bubble_layer(
    table: pd.DataFrame, points: dict[str, tuple[float, float]], fills: pd.Series, tips: pd.Series, sel: Selection
) -> pdk.Layer:
    radius = choropleth.bubble_radius(table["size"])
    rows = [
        {
            "nuts_id": code,
            "position": list(points[code]),
            "radius": round(float(r), 2),
            "fill": colors.hex_to_rgb(fill, 235),
            "tooltip": tip,
        }
        for code, r, fill, tip in zip(table["region_id"], radius, fills, tips, strict=True)
        if not pd.isna(r) and code in points
    ]
    rows.sort(key=lambda b: -b["radius"])  # small circles on top of large ones
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id("bubbles", sel),
        data=rows,
        get_position="position",
        get_radius="radius",
        radius_units=pdk.types.String("pixels"),
        get_fill_color="fill",
        stroked=True,
        get_line_color=[60, 60, 60, 220],
        line_width_min_pixels=1,
        pickable=True,
        auto_highlight=True,
    )


def _arc_layer(arcs: pd.DataFrame, sel: Selection) -> pdk.Layer:
    rows = [
        {
            "from": [fx, fy],
            "to": [tx, ty],
            "from_color": fc,
            "to_color": tc,
            "width": round(float(w), 2),
            "tooltip": tip,
            "from_region": fr,
            "to_region": to,
        }
        for fx, fy, tx, ty, fc, tc, w, tip, fr, to in zip(
            arcs["from_lon"],
            arcs["from_lat"],
            arcs["to_lon"],
            arcs["to_lat"],
            arcs["from_color"],
            arcs["to_color"],
            arcs["width"],
            arcs["tooltip"],
            arcs["from_region"],
            arcs["to_region"],
            strict=True,
        )
    ]
    rows.sort(key=lambda a: a["width"])  # the largest on top
    return pdk.Layer(
        "ArcLayer",
        id=layer_id("flows", sel),
        data=rows,
        get_source_position="from",
        get_target_position="to",
        get_source_color="from_color",
        get_target_color="to_color",
        get_width="width",
        width_units=pdk.types.String("pixels"),
        get_height=0.35,
        get_tilt=90,
        great_circle=False,
        pickable=True,
        auto_highlight=True,
    )


def deck(data: Data, sel: Selection, view: MapView, options: MapOptions) -> pdk.Deck:
    """The pydeck Deck: sea tint, regions (or neutral regions and bubbles), programme-area outline, the
    selected region's border, and flow arcs. Every pickable object carries a plain-text `tooltip`."""
    table = view.table
    fills = choropleth.class_colors(view.number, view.classes)
    fills = fills.mask(choropleth.confidential(table["value"], table["flag"]).to_numpy(), colors.CONFIDENTIAL)
    tips = choropleth.region_tooltips(table, data, view.label, view.size_label if view.is_derived else None)
    gaps = (colors.NO_DATA, colors.CONFIDENTIAL)
    region_fill = fills.map(lambda c: c if c in gaps or not options.bubbles else BUBBLE_REGION_FILL)
    regions, properties = _region_layer(table, region_fill.map(lambda c: colors.hex_to_rgb(c, 235)), tips, sel)
    layers = [
        pdk.Layer(
            "PolygonLayer",
            id="sea",
            data=[{"polygon": [[-40, 35], [60, 35], [60, 85], [-40, 85]]}],
            get_polygon="polygon",
            get_fill_color=SEA,
            stroked=False,
            pickable=False,
        ),
        regions,
        pdk.Layer(
            "GeoJsonLayer",
            id="outline",
            data=Spliced("outline", _outline()),
            filled=False,
            stroked=True,
            get_line_color=colors.hex_to_rgb(OUTLINE),
            line_width_min_pixels=2.2,
            pickable=False,
        ),
    ]
    if sel.region in properties:
        geometry = _geometries(sel.level)[sel.region]
        chosen = [{"type": "Feature", "id": sel.region, "geometry": geometry, "properties": properties[sel.region]}]
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="selected",
                data={"type": "FeatureCollection", "features": chosen},
                filled=False,
                stroked=True,
                get_line_color=SELECTED,
                line_width_min_pixels=4,
                pickable=False,
            )
        )
    if options.bubbles:
        layers.append(_bubble_layer(table, choropleth.region_points(data), fills, tips, sel))
    if len(view.arcs):
        layers.append(_arc_layer(view.arcs, sel))
    start = pdk.ViewState(**_initial_view(sel.level), pitch=0, bearing=0)
    return CompactDeck(
        layers=layers, initial_view_state=start, map_style=None, tooltip={"text": "{tooltip}", "style": TOOLTIP_STYLE}
    )


def draw(the_deck: pdk.Deck, sel: Selection, view: MapView) -> None:
    """The map, clickable, with the boundary attribution and the data source on it."""
    with st.container(border=True):
        st.pydeck_chart(
            the_deck,
            height=MAP_HEIGHT,
            key=state.Map.CHART,
            on_select=_select_from_map,
            selection_mode="single-object",
            alt=f"Map of {view.label} by NUTS {sel.level} region in the Baltic Sea Region",
        )
        st.caption(f"{geo.ATTRIBUTION} (Eurostat GISCO, NUTS 2021) · Data: {layout.plain(view.sources)}")


def offer_picture(sel: Selection, view: MapView) -> None:
    """A static picture of the map for the workshop report (deck.gl maps cannot be exported)."""
    title = f"{view.label}, NUTS {sel.level}, {sel.year}"
    values = view.table.set_index("region_id")["value"]
    workshop.offer_chart(lambda: render.region_map(_geometries(sel.level), values, title, sel.region))


# --- legend and side panel --------------------------------------------------------------------------


def _swatch(color: str, border: str = "#888888") -> str:
    return (
        f'<span style="display:inline-block;width:1.6em;height:1em;background:{color};'
        f'border:1px solid {border};vertical-align:middle;margin-right:0.5em"></span>'
    )


def legend(view: MapView, options: MapOptions, year: int) -> None:
    """Class bounds with units and counts, the no-data class by name, bubble and arc keys."""
    esc = html.escape
    classes, table, arcs = view.classes, view.table, view.arcs
    rows = [
        f"<div style='font-weight:600'>{esc(view.label)}, {year}</div>",
        f"<div style='opacity:0.8;margin-bottom:0.3em'>{esc(view.unit)} · "
        f"{esc(choropleth.SCHEMES[options.scheme])}</div>",
    ]
    for i, c in enumerate(classes.classes):
        if classes.diverging and (i == 0 or c.lower >= 1 > classes.classes[i - 1].upper):
            side = "Below 1: less specialised than the BSR" if c.upper < 1 else "1 and above: more specialised"
            rows.append(f"<div style='margin-top:0.2em;font-style:italic'>{side}</div>")
        rows.append(f"<div>{_swatch(c.color)}{esc(c.label)} <span style='opacity:0.7'>({c.count})</span></div>")
    secret = int(choropleth.confidential(table["value"], table["flag"]).sum())
    if classes.no_data - secret or not classes.classes:
        rows.append(
            f"<div>{_swatch(colors.NO_DATA)}{choropleth.NO_DATA} "
            f"<span style='opacity:0.7'>({classes.no_data - secret})</span></div>"
        )
    if secret:
        rows.append(
            f"<div>{_swatch(colors.CONFIDENTIAL)}{choropleth.CONFIDENTIAL} "
            f"<span style='opacity:0.7'>({secret})</span></div>"
        )
    if options.bubbles and table["size"].notna().any():
        size_unit = table["size_unit"].dropna().iloc[0] if table["size_unit"].notna().any() else ""
        rows.append(
            f"<div style='margin-top:0.4em'>◯ Circle area ∝ {esc(view.size_label)}; largest "
            f"{esc(choropleth.format_number(table['size'].max()))} {esc(str(size_unit))}</div>"
        )
    if len(arcs):
        rows.append(
            f"<div style='margin-top:0.4em'>{esc(str(options.flow_kind).capitalize())} flows from "
            f"{_swatch(choropleth.FLOW_FROM, choropleth.FLOW_FROM)}origin to "
            f"{_swatch(choropleth.FLOW_TO, choropleth.FLOW_TO)}destination; width ∝ value, largest "
            f"{esc(choropleth.format_number(arcs['value'].max()))} {esc(str(arcs['unit'].iloc[0]))}</div>"
        )
    st.html("<div style='line-height:1.65'>" + "".join(rows) + "</div>")
    secret = choropleth.confidential(table["value"], table["flag"])
    if secret.any():
        names = layout.plain(", ".join(table.loc[secret, "name"].tolist()[:NAMED_GAPS]))
        st.caption(f"{choropleth.CONFIDENTIAL} ({int(secret.sum())}), no number published: {names}")
    missing = table.loc[table["value"].isna() & ~secret, "name"].tolist()
    if missing:
        more = len(missing) - NAMED_GAPS
        named = ", ".join(missing[:NAMED_GAPS])
        named += f" and {more} more (class “No data” in the table)" if more > 0 else ""
        st.caption(f"{choropleth.NO_DATA} ({len(missing)}): " + layout.plain(named))


def method_caption(data: Data, sel: Selection, indicator: str) -> None:
    """How the mapped number is made: the sum over the selection, or a derived indicator's formula."""
    scope = "the selected stages and sectors" if sel.stages or sel.sectors else "all stages of the chain"
    spec = derived.REGISTRY.get(indicator)
    if spec is not None:
        st.latex(spec.formula)
        base = layout.plain(choropleth.indicator_label(data, spec.base).lower())
        st.caption(spec.method.format(base=base, scope=scope, year=sel.year, level=sel.level))
    elif data.whole_economy_only(indicator):
        st.caption(
            f"Value: {layout.plain(choropleth.indicator_label(data, indicator).lower())} for the whole economy "
            f"(sector TOTAL), {sel.year}. It has no NACE breakdown, so it cannot speak for any stage of the chain."
        )
    else:
        st.caption(
            f"Value: {layout.plain(choropleth.indicator_label(data, indicator).lower())} summed over the NACE "
            f"divisions of {scope}, {sel.year}."
        )


def _figure_lines(figures: pd.DataFrame) -> str:
    lines = [
        f"**{layout.plain(label)}:** {choropleth.format_number(v)} {layout.plain(u)}"
        + ("" if pd.isna(r) else f" · rank {r} of {n}")
        for label, v, u, r, n in zip(
            figures["name"], figures["value"], figures["unit"], figures["rank"], figures["of"], strict=True
        )
    ]
    return "  \n".join(lines) or "No data for this region in the selection."


def side_panel(data: Data, sel: Selection, the_panel: Panel | None) -> None:
    """The selected region's key figures, every indicator on demand, largest flow partners, profile link."""
    if the_panel is None:
        st.info(
            "Click a region on the map, or pick a focus region in the sidebar, to see its key figures here.",
            icon=":material/touch_app:",
        )
        return
    p = the_panel
    st.subheader(layout.plain(p.name), anchor=False)
    st.caption(f"{p.region} · {layout.plain(p.country)} · {sel.year}")
    st.markdown(_figure_lines(p.figures))
    every = choropleth.map_indicators(data)
    more = st.expander(f"All {len(every)} indicators", key=state.Map.PANEL_ALL, bind=state.URL, on_change="rerun")
    if more.open:  # computed only when asked for: each indicator is a table over all regions
        more.markdown(
            _figure_lines(choropleth.region_figures(data, {i: values(data, sel, i) for i in every}, p.region))
        )
    if p.kind is not None:
        for title, frame, arrow in (("Largest flows out", p.outgoing, "→"), ("Largest flows in", p.incoming, "←")):
            lines = [
                f"{arrow} {layout.plain(n)} ({code}): {choropleth.format_number(v)} {layout.plain(u)}"
                for code, n, v, u in zip(frame["partner"], frame["name"], frame["value"], frame["unit"], strict=True)
            ]
            st.markdown(f"**{title}** ({p.kind})  \n" + ("  \n".join(lines) or "none"))
    st.caption(f"Source: {layout.plain('; '.join(sorted(set(p.figures['source'].dropna()))))}")
    if any(spec.path == PROFILE_PAGE for spec in nav.PAGES):
        st.page_link(
            PROFILE_PAGE,
            label="Open its profile",  # the card's heading names the region; with the name the link was cut short
            icon=":material/location_city:",
            help=f"The region profile of {layout.plain(p.name)}: specialisation, peers, actors, funding, flows",
            query_params=_global_params(),
        )
    st.button("Clear the selection", on_click=_clear_region, icon=":material/close:")


def _clear_region() -> None:
    st.session_state[state.REGION] = None


def _global_params() -> dict[str, list[str]]:
    """The global filters in the URL, so the profile opens on the same chain, year, level and region."""
    return {k: st.query_params.get_all(k) for k in state.GLOBAL_KEYS if st.query_params.get_all(k)}


def value_table(view: MapView, sel: Selection) -> None:
    """The mapped values as a table (drawn only when opened, which keeps the map's first load light; the open
    state is in the URL) and the CSV download (export.to_csv_bytes neutralises spreadsheet formulas)."""
    table, labels = view.table, [c.label for c in view.classes.classes]
    out = pd.DataFrame(
        {
            "region": table["region_id"],
            "name": table["name"],
            "country": table["country"],
            "value": table["value"],
            "unit": table["unit"],
            "rank": table["rank"],
            "class": [
                labels[int(i)] if i is not pd.NA else choropleth.CONFIDENTIAL if secret else choropleth.NO_DATA
                for i, secret in zip(view.number, choropleth.confidential(table["value"], table["flag"]), strict=True)
            ],
            "source": table["source"],
            "flag": table["flag"],
        }
    )
    if view.is_derived:
        out.insert(5, "size", table["size"])
    out = out.sort_values(["rank", "region"], na_position="last", ignore_index=True)
    box = st.expander(
        f"Table of the mapped values ({len(out)} regions)",
        key=state.Map.TABLE,
        bind=state.URL,
        on_change="rerun",
        icon=":material/table:",
    )
    if box.open:
        layout.table(
            out,
            box,
            hide_index=True,
            width="stretch",
            column_config={
                "region": "Code",
                "name": "Region",
                "country": "Country",
                "value": st.column_config.NumberColumn(view.label, format="%.2f" if view.is_derived else "localized"),
                "unit": "Unit",
                "rank": "Rank",
                "class": "Class on the map",
                "source": "Source",
                "flag": "Flag",
                "size": st.column_config.NumberColumn(view.size_label, format="localized"),
            },
        )
    st.download_button(
        "Download the mapped values (CSV)",
        lambda: export.to_csv_bytes(out),  # made when clicked, not on every rerun
        icon=":material/download:",
        file_name=f"map_{view.indicator}_{sel.chain_id}_{sel.year}_nuts{sel.level}.csv",
        mime="text/csv",
    )
