"""What the profile and matchmaking pages share: the benchmark controls and the cached computations.

The benchmark (every BSR region's specialisation) and the pair scores are cached per data bundle (state.data_key) and
the few settings they depend on; the Data bundle is passed unhashed (`_data`), so no DataFrame is hashed.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import layout, state
from valuechain import matching
from valuechain.query import Data, Selection, regions_in_view


def controls(data: Data, keys: state.BenchmarkKeys) -> tuple[str, float, DeltaGenerator]:
    """Indicator and specialisation threshold, bound to the URL; returns them and a free column beside them."""
    table = data["indicators"]
    table = table[table["additive"].fillna(False).astype(bool)]
    names = dict(zip(table["indicator_id"], table["name"], strict=True))
    options = list(names)
    # Bottom-aligned: in large type the threshold's label takes two lines, and the three inputs still line up.
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    indicator = cols[0].selectbox(
        "Indicator",
        options,
        format_func=names.__getitem__,
        key=keys.indicator,
        bind=state.URL,
        index=options.index(matching.DEFAULT_INDICATOR) if matching.DEFAULT_INDICATOR in options else 0,
        help="What the location quotients are computed from (additive indicators only).",
    )
    threshold = cols[1].radio(
        "Specialised from LQ ≥",
        matching.THRESHOLDS,
        format_func=str,
        key=keys.threshold,
        bind=state.URL,
        horizontal=True,
        help="A region counts as specialised in a stage or sector when its location quotient "
        "reaches this value (1.0 = BSR average, 1.25 = clearly above).",
    )
    return str(indicator), float(threshold), cols[2]


@st.cache_resource(max_entries=16, show_spinner=False)
def _benchmark(
    _data: Data, data_key: str, chain_id: str, year: int, level: int, indicator: str, threshold: float
) -> matching.Benchmark:
    return matching.benchmark(_data, Selection(chain_id=chain_id, year=year, level=level), indicator, threshold)


@st.cache_resource(max_entries=16, show_spinner=False)
def _pairs(
    _data: Data,
    data_key: str,
    chain_id: str,
    year: int,
    level: int,
    indicator: str,
    threshold: float,
    stages: tuple[str, ...],
) -> matching.PairScores:
    bench = _benchmark(_data, data_key, chain_id, year, level, indicator, threshold)
    return matching.pair_scores(_data, bench, Selection(chain_id=chain_id, year=year, level=level, stages=stages))


def benchmark(data: Data, sel: Selection, indicator: str, threshold: float) -> matching.Benchmark:
    """Every BSR region's specialisation for the selection's chain, year and level (cached)."""
    return _benchmark(data, state.data_key(data), sel.chain_id, sel.year, sel.level, indicator, threshold)


def pair_scores(data: Data, sel: Selection, indicator: str, threshold: float) -> matching.PairScores:
    """Every score component for every pair of BSR regions (cached; the stages in view are the anchors)."""
    return _pairs(data, state.data_key(data), sel.chain_id, sel.year, sel.level, indicator, threshold, sel.stages)


def _adopt_picked() -> None:
    """Write the page picker's choice into the global focus region (sidebar and URL follow)."""
    st.session_state[state.REGION] = st.session_state[state.PICKED_REGION]


def focus_region(data: Data, sel: Selection, bench: matching.Benchmark, purpose: str) -> str:
    """The focus region; without one, the largest region in view of this chain (by the benchmark's indicator), so
    the page opens on a chart, and a picker to choose one here (or in the sidebar)."""
    if sel.region:
        return sel.region
    view = regions_in_view(data, sel)
    names = dict(zip(view["nuts_id"], view["name"], strict=True))
    pool = list(names) or list(bench.names)  # no region in view: the largest of the BSR, never a stop before the chart
    example = str(bench.stage_values.reindex(pool).sum(axis=1).idxmax())
    cols = st.columns([3, 2], vertical_alignment="bottom")
    cols[0].info(
        f"Showing **{layout.plain(matching.label(example, bench.names))}**, the largest region of this value chain in"
        f" view. Choose a region to {purpose}: pick it here or as **Focus region** in the sidebar.",
        icon=":material/lightbulb:",
    )
    cols[1].selectbox(
        "Region",
        list(names),
        index=None,
        key=state.PICKED_REGION,
        on_change=_adopt_picked,
        format_func=lambda c: matching.label(c, names),
        placeholder="Choose a region",
    )
    return example
