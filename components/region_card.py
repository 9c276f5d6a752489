"""The parts of a region's profile: headline numbers, peers, priorities, actors, projects and flows.

Every number comes with its source caption; names from the data are shown as text (tables) or escaped
(`layout.plain`) where they go into Markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import data as app_data
from components import layout, state
from valuechain import brief, choropleth, matching
from valuechain.query import Data, Selection, split_list, whole_economy_figures
from valuechain.schema import ACTOR_TYPES, FLAGS

FORMULAS_HINT = "formulas: About & method"
FUNDING = "eu_funding"  # the indicator of EU funding received (demo and Kohesio/CORDIS-style uploads)
_FLAG_HELP = "A flag of the source follows its number: " + ", ".join(f"{k} {v}" for k, v in FLAGS.items()) + "."


def source(bench: matching.Benchmark, extra: str) -> None:
    """Caption under benchmark numbers: the sources of the indicator they are computed from."""
    st.caption(f"Source: {layout.plain(bench.source)} · {extra}")


def since_picker(bench: matching.Benchmark, where: DeltaGenerator) -> int | None:
    """The first year of the growth period (bound to the URL); None when there is no earlier year."""
    years = sorted({int(y) for y in bench.panel.columns.get_level_values(0) if int(y) < bench.year})
    if not years:
        return None
    return int(
        where.selectbox(
            "Growth since",
            years,
            index=0,
            key=state.Profile.SINCE,
            bind=state.URL,
            help=f"Growth is the compound annual rate from this year to {bench.year}.",
        )
    )


def headline(
    bench: matching.Benchmark, region: str, sizes: pd.DataFrame, since: int | None, stages: pd.DataFrame
) -> None:
    """Size, growth, ranks and specialised stages of the region for the sectors in view."""
    row = sizes.loc[region]
    n = int(row["ranked"])
    cols = st.columns(4)
    cols[0].metric("Size (share of BSR)", _pct(row["share"]), help="The region's part of the BSR total")
    cols[0].caption(f"{_num(row['value'])} {layout.plain(bench.unit)} in {bench.year}")
    growth = f"{row['growth']:+.1%}" if since is not None and pd.notna(row["growth"]) else "–"
    cols[1].metric("Growth a year", growth, help="Compound annual growth rate")
    cols[1].caption(f"since {since}" if since is not None else "no earlier year in the data")
    rank = f"{int(row['rank_size'])}" if pd.notna(row["rank_size"]) else "–"
    cols[2].metric("Rank by size", rank, help="Among the BSR regions at this NUTS level (1 = largest)")
    lq_rank = f"rank {int(row['rank_lq'])} by specialisation" if pd.notna(row["rank_lq"]) else "no quotient"
    cols[2].caption(
        f"of {n} BSR regions · LQ {row['lq']:.2f}, {lq_rank}"
        if pd.notna(row["lq"])
        else f"of {n} BSR regions · {lq_rank}"
    )
    strong = int(stages["specialised"].sum())
    cols[3].metric(
        "Specialised stages",
        f"{strong}/{len(stages)}",
        help=f"Stages with a location quotient of at least {bench.threshold:g}",
    )
    cols[3].caption(layout.plain(bench.stage_list(stages.loc[stages["specialised"], "stage_id"].tolist())) or "none")
    source(bench, f"reference: all {n} BSR regions at NUTS {bench.level} · {FORMULAS_HINT}")


def stage_table(stages: pd.DataFrame) -> None:
    """The numbers behind the stage chart, with rank among BSR regions and relatedness density."""
    layout.table(
        stages[["stage", "lq", "specialised", "share", "growth", "rank", "of", "density"]],
        hide_index=True,
        column_config={
            "stage": "Stage",
            "lq": st.column_config.NumberColumn("LQ", format="%.2f"),
            "specialised": "Specialised",
            "share": st.column_config.NumberColumn("Share of BSR", format="percent"),
            "growth": st.column_config.NumberColumn("Growth a year", format="percent"),
            "rank": st.column_config.NumberColumn("Rank by LQ", format="%d"),
            "of": st.column_config.NumberColumn("of", format="%d"),
            "density": st.column_config.NumberColumn(
                "Relatedness density",
                format="%.2f",
                help="How much of what is related to this stage the region already has (0–1)",
            ),
        },
    )


def peer_picker(bench: matching.Benchmark, region: str, candidates: list[str], suggested: pd.DataFrame) -> list[str]:
    """Up to MAX_PEERS regions chosen by the user (bound to the URL); empty means the most similar ones."""
    names = bench.names
    options = [c for c in candidates if c != region]
    chosen = st.multiselect(
        "Compare with",
        options,
        key=state.Profile.PEERS,
        bind=state.URL,
        max_selections=matching.MAX_PEERS,
        format_func=lambda c: matching.label(c, names),
        placeholder=f"The {len(suggested)} most similar regions",
        help="Up to 10 regions; leave empty for the "
        "regions most like this one (similarity of location-quotient profiles).",
    )
    return list(chosen) or suggested["region_id"].tolist()


def peer_table(peers: pd.DataFrame) -> None:
    layout.table(
        peers,
        hide_index=True,
        column_order=["region_id", "name", "similarity", "share", "growth", "lq", "rank_size", "specialised_in"],
        column_config={
            "region_id": "Code",
            "name": "Region",
            "similarity": st.column_config.ProgressColumn("Similarity", min_value=-1.0, max_value=1.0, format="%.2f"),
            "share": st.column_config.NumberColumn("Share of BSR", format="percent"),
            "growth": st.column_config.NumberColumn("Growth a year", format="percent"),
            "lq": st.column_config.NumberColumn("LQ", format="%.2f"),
            "rank_size": st.column_config.NumberColumn("Rank by size", format="%d"),
            "specialised_in": "Specialised in",
        },
    )


def priorities(data: Data, region: str) -> None:
    p = matching.priorities_of(data, region)
    if p.empty:
        st.caption("No S3 priorities recorded for this region.")
        return
    layout.table(
        p[["code", "dimension", "label", "description", "region_id"]],
        hide_index=True,
        column_config={
            "code": "Code",
            "dimension": "Dimension",
            "label": "Priority",
            "description": "In the region's words",
            "region_id": "Strategy of",
        },
    )
    st.caption(f"Source: {dataset_names(data, 'priorities')} · Eye@RIS3-style codes")


def actors(data: Data, region: str, chain_id: str) -> None:
    """Key actors by quadruple-helix type: counts, then the list."""
    a = matching.actors_of(data, region, chain_id)
    cols = st.columns(len(ACTOR_TYPES))
    for col, kind in zip(cols, ACTOR_TYPES, strict=True):
        col.metric(matching.HELIX_LABELS[kind], int((a["type"] == kind).sum()))
    if a.empty:
        st.caption("No actors recorded for this region and value chain.")
        return
    stage_names = dict(zip(data["stages"]["stage_id"], data["stages"]["name"], strict=True))
    shown = a.assign(stage_names=a["stages"].map(lambda c: ", ".join(stage_names.get(s, s) for s in split_list(c))))
    layout.table(
        shown[["name", "helix", "stage_names", "competences", "website"]],
        hide_index=True,
        column_config={
            "name": "Actor",
            "helix": "Helix",
            "stage_names": "Stages",
            "competences": "Competences",
            "website": st.column_config.LinkColumn("Website"),
        },
    )
    st.caption(f"Source: {dataset_names(data, 'actors')}")


def projects(data: Data, sel: Selection, region: str, sectors: list[str]) -> None:
    """Projects with the region as partner and the EU funding its sectors in view received (BSR step 2)."""
    p = matching.projects_of(data, region, sel.chain_id)
    cols = st.columns(3)
    cols[0].metric("Projects", len(p), help="With a partner in this region, of this value chain or of none")
    public = p["public_funding_eur"].fillna(p["budget_eur"]).sum()
    cols[1].metric(
        "Public funding",  # a longer label is cut short in large type at 1280 px
        f"€{public / 1e6:,.1f} M",
        help="Of these projects: whole projects, all partners; public (incl. EU) share where known, else the budget",
    )
    received, funding_sources = None, pd.Series(dtype=object)
    if data.is_additive(FUNDING):
        received = matching.indicator_over(data, sel, FUNDING, sectors).get(region)
        obs = data["observations"]
        funding_sources = obs.loc[(obs["indicator"] == FUNDING) & (obs["year"] == sel.year), "source"]
    cols[2].metric(
        f"EU funding received in {sel.year}",
        f"€{received / 1e6:,.1f} M" if received is not None and pd.notna(received) else "–",
        help=f"Indicator {FUNDING} summed over the sectors in view",
    )
    if not p.empty:
        layout.table(
            p[["title", "programme", "start_year", "end_year", "budget_eur", "public_funding_eur", "partner_regions"]],
            hide_index=True,
            column_config={
                "title": "Project",
                "programme": "Programme",
                "start_year": st.column_config.NumberColumn("From", format="%d"),
                "end_year": st.column_config.NumberColumn("To", format="%d"),
                "budget_eur": st.column_config.NumberColumn("Budget", format="€%,.0f"),
                "public_funding_eur": st.column_config.NumberColumn("Public funding", format="€%,.0f"),
                "partner_regions": "Partner regions",
            },
        )
    # the projects' sources and the funding indicator's, not every indicator's (each source once)
    st.caption(f"Source: {_sources(p['source'], funding_sources)} · public funding: whole projects, all partners")


def flows(data: Data, sel: Selection, region: str, names: dict[str, str]) -> None:
    """The region's flows in the year: totals by kind and direction, then the biggest links."""
    f = matching.flows_of(data, sel, region)
    if f.empty:
        st.caption(f"No flows of this value chain recorded for the region in {sel.year}.")
        return
    stage_names = dict(zip(data["stages"]["stage_id"], data["stages"]["name"], strict=True))
    layout.table(
        matching.flow_summary(f),
        hide_index=True,
        column_config={
            "kind": "Kind",
            "direction": "Direction",
            "unit": "Unit",
            "value": st.column_config.NumberColumn("Total", format="%,.1f"),
            "partners": "Partner regions",
            "links": "Links",
        },
    )
    top = f[f["direction"] != "within"].sort_values("value", ascending=False).head(12)
    top = top.assign(
        partner_name=top["partner"].map(lambda c: matching.label(c, names)),
        stages=top["from_stage"].map(stage_names) + " → " + top["to_stage"].map(stage_names),
    )
    layout.table(
        top[["direction", "kind", "partner_name", "stages", "value", "unit"]],
        hide_index=True,
        column_config={
            "direction": "Direction",
            "kind": "Kind",
            "partner_name": "Partner region",
            "stages": "Stages",
            "value": st.column_config.NumberColumn("Value", format="%,.2f"),
            "unit": "Unit",
        },
    )
    st.caption(f"Source: {_sources(f['source'])}")


def _pct(value: float) -> str:
    return f"{value:.1%}" if pd.notna(value) else "–"


def _num(value: float) -> str:
    return f"{value:,.0f}" if pd.notna(value) else "–"


def _sources(*columns: object) -> str:
    """The distinct sources of the rows on screen, once each, escaped for the caption."""
    found = sorted({str(v) for col in columns for v in pd.Series(col).dropna()})
    return layout.plain("; ".join(found)) if found else "no data"


def dataset_names(data: Data, table: str) -> str:
    """The source caption of tables without a source column: the datasets on screen, escaped."""
    on_screen = app_data.datasets_on_screen(data)
    names = "; ".join(sorted(on_screen.loc[on_screen["table_name"] == table, "dataset"].astype(str).unique()))
    return layout.plain(names) if names else "no data"


def whole_economy(data: Data, sel: Selection, regions: list[str], names: dict[str, str], where: str) -> None:
    """Figures for the whole economy (no NACE breakdown, e.g. Eurostat GDP or R&D intensity) of these regions:
    shown as they are, said to speak for no stage."""
    figures = whole_economy_figures(data, sel, regions)
    if figures.empty:
        return
    st.subheader(f"Whole-economy figures, {sel.year}")
    table = pd.DataFrame(
        {
            "region": figures["region_id"].map(names).fillna(figures["region_id"]),
            "name": figures["name"],
            # the number with its flag, or "confidential (c)" / "no data" as on the map: never an empty cell
            "value": [choropleth.value_text(v, f) for v, f in zip(figures["value"], figures["flag"], strict=True)],
            "unit": figures["unit"],
            "source": figures["source"],
        }
    )
    layout.table(
        table,
        hide_index=True,
        key=f"whole_economy_{where}",
        column_config={
            "region": "Region",
            "name": "Indicator",
            "value": st.column_config.TextColumn("Value", alignment="right", help=_FLAG_HELP),
            "unit": "Unit",
            "source": "Source",
        },
    )
    st.caption(
        f"Source: {_sources(figures['source'])} · whole economy (sector TOTAL): these figures "
        "have no NACE breakdown and speak for no stage of the chain"
    )


def brief_downloads(data: Data, sel: Selection, store_datasets: pd.DataFrame) -> None:
    """The region brief for meetings: two A4 pages (PDF) and the same as one HTML file."""
    key = f"_brief_{sel.region}_{sel.chain_id}_{sel.year}_{sel.level}_{state.data_key(data)}"
    # One row, each button as wide as its label (narrow columns cut "Make the region brief" short at 1280 px),
    # wrapping in large type.
    row = st.container(horizontal=True, vertical_alignment="center", key="brief_row")
    if row.button("Make the region brief", key="brief_make", icon=":material/description:"):
        with st.spinner("Drawing the charts and laying out two pages…"):
            made = brief.make(data, sel, store_datasets)
            pictures = brief.pictures(made)
            st.session_state[key] = (brief.pdf(made, *pictures), brief.html_page(made, *pictures))
    if key in st.session_state:
        pdf, page = st.session_state[key]
        name = f"region-brief-{sel.region}-{sel.year}"
        row.download_button(
            "Brief (PDF)", pdf, f"{name}.pdf", "application/pdf", on_click="ignore", icon=":material/download:"
        )
        row.download_button(
            "Brief (HTML)", page, f"{name}.html", "text/html", on_click="ignore", icon=":material/download:"
        )
    row.caption("Key figures, stages, map, partners, actors, projects, sources: for a meeting.", width="stretch")
