"""The Data page's Eurostat parts: the starter set in one step, one dataset from the catalogue (or any code)
with dimension choices → check → preview → commit, and the update check on the Versions tab.

Fetching, checking and storing live in valuechain.eurostat; this module only draws them.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from components import layout, upload
from valuechain import ingest
from valuechain.eurostat import catalogue, client
from valuechain.eurostat import load as eload
from valuechain.store import Identity, Store, StoreError

_PREPARED = "_eurostat_prepared"  # (signature, Prepared) of the fetch on screen
_SUMMARY = "_eurostat_summary"  # the last starter-set (or refresh) outcome, shown after the rerun
_OTHER = "Another dataset code…"
_UPDATES = "_eurostat_updates"  # the last update check, kept across reruns


def _fail(exc: Exception) -> None:
    icon = "📡" if isinstance(exc, client.EurostatOffline) else "🛑"
    st.error(layout.plain(exc), icon=icon)


# --- the starter set -------------------------------------------------------------------------------------------


def starter_section(store: Store, who: Identity) -> None:
    """Real data for the BSR in one step: every starter entry of the catalogue, one version each."""
    st.subheader("Real data for the BSR in one step")
    entries = [e for e in catalogue.load() if e.starter]
    st.caption(
        f"Loads {len(entries)} Eurostat datasets for the programme area's regions, one dataset version each: "
        + ", ".join(f"{e.code} ({layout.plain(e.indicator_name)})" for e in entries)
        + ". Datasets already loaded are skipped, so after a failure the same button loads the rest."
    )
    if st.button(f"Load real data for the BSR ({len(entries)} datasets)", type="primary", key="eurostat_starter"):
        _run_set(store, who, entries, refresh=False, where="starter")
    _show_summary("starter")
    _demo_switch(store, who)


def _run_set(store: Store, who: Identity, entries: list[catalogue.Entry], *, refresh: bool, where: str) -> None:
    bar = st.progress(0.0, text="Starting…")

    def progress(done: int, total: int, what: str) -> None:
        text = "Done" if done == total else f"Dataset {done + 1} of {total}: {what}"
        bar.progress(done / max(total, 1), text=layout.plain(text))

    outcomes = eload.load_set(store, entries, who, refresh=refresh, progress=progress)
    st.session_state[_SUMMARY] = (where, eload.summary(outcomes))
    st.rerun()


def _show_summary(where: str) -> None:
    held = st.session_state.get(_SUMMARY)
    if held is None or held[0] != where:
        return
    table = held[1]
    loaded = int((table["status"] == "loaded").sum())
    failed = table[table["status"] == "failed"]
    text = f"{loaded} dataset(s) loaded, {int((table['status'] == 'already loaded').sum())} already there."
    if failed.empty:
        st.success(text + " Every page shows them now.")
    else:
        st.warning(
            text + f" {len(failed)} failed: the others are stored; press the button again to load the rest.",
            icon="⚠️",
        )
    st.dataframe(table, hide_index=True, width="stretch", key=f"eurostat_summary_{where}")


def _demo_switch(store: Store, who: Identity) -> None:
    if not eload.demo_shown(store):
        st.caption(
            "The demo data (synthetic) is switched off. The Versions tab can make its earlier versions current again."
        )
        return
    st.caption(
        f"The {layout.SYNTHETIC} is still shown next to real data; every page says so. Switch it off to see "
        "only real figures (reversible on the Versions tab)."
    )
    if st.button("Switch off the demo data", key="eurostat_demo_off"):
        try:
            eload.switch_off_demo(store, who)
        except StoreError as exc:
            _fail(exc)
            return
        st.rerun()


# --- one dataset ---------------------------------------------------------------------------------------------


def dataset_section(store: Store, who: Identity) -> None:
    """Search the catalogue (or give any code), choose levels, years and dimensions; check; preview; commit."""
    st.subheader("One dataset")
    upload.flash("eurostat")
    entries = catalogue.load()
    text = st.text_input("Search the catalogue", key="eurostat_search", placeholder="e.g. employment, GERD, sbs")
    found = catalogue.find(entries, text)
    st.dataframe(catalogue.table(found), hide_index=True, width="stretch", key="eurostat_catalogue")
    options = [e.entry_id for e in found] + [_OTHER]
    labels = {e.entry_id: f"{e.code} · {e.indicator_name}" for e in entries}
    chosen = st.selectbox("Dataset", options, key="eurostat_entry", format_func=lambda x: labels.get(x, x))
    entry = _entry(entries, chosen)
    if entry is None:
        return
    if entry.stages_can or entry.stages_cannot:
        st.info(
            f"**Stages it can speak for:** {layout.plain(entry.stages_can)}\n\n"
            f"**Stages it cannot speak for:** {layout.plain(entry.stages_cannot)}"
            + (f"\n\n**Caveats:** {layout.plain(entry.caveats)}" if entry.caveats else ""),
            icon="🧭",
        )
    cols = st.columns([2, 1, 3])
    levels = cols[0].multiselect(
        "NUTS levels", [0, 1, 2, 3], default=list(entry.levels), key=f"eurostat_levels_{chosen}"
    )
    since = cols[1].number_input("From year", 1990, 2100, value=entry.since or 2014, key=f"eurostat_since_{chosen}")
    extra = cols[2].text_input(
        "More filters (DIM=CODE,CODE;…)", key="eurostat_filters", help=f"The entry's own: {_filters(entry)}"
    )
    left, right = st.columns(2)
    leave_out = left.multiselect(
        "Leave out rows of these kinds",
        ingest.LEAVE_OUT_KINDS,
        default=list(entry.leave_out),
        key=f"eurostat_leave_out_{chosen}",
        help="Extra-regio codes (e.g. SEZZ), aggregates (EU27_2020), older NUTS codes … are reported as left out.",
    )
    recode = right.multiselect(
        "Recode",
        ingest.RECODE_KINDS,
        default=list(entry.recode),
        key=f"eurostat_recode_{chosen}",
        help="old-nuts: a NUTS code that only changed its code gets its NUTS 2021 code.",
    )
    entry = entry.with_choices(
        filters=catalogue.parse_filters(extra),
        levels=tuple(levels),
        since=int(since),
        leave_out=tuple(leave_out),
        recode=tuple(recode),
    )
    signature = (entry, client.base_url())
    if st.button("Fetch from Eurostat", key="eurostat_fetch", disabled=not levels):
        _fetch(store, entry, signature, keep={})
    held = st.session_state.get(_PREPARED)
    if held is None or held[0] != signature:
        return
    prepared: eload.Prepared = held[1]
    keep = _dimension_choices(prepared)
    if keep != dict(prepared.checked.mapping.filters):  # checked again with the codes kept (the answer is cached)
        _fetch(store, entry, signature, keep=keep, quiet=True)
        prepared = st.session_state[_PREPARED][1]
    _show_prepared(store, who, prepared)


def _entry(entries: list[catalogue.Entry], chosen: str) -> catalogue.Entry | None:
    if chosen != _OTHER:
        return next(e for e in entries if e.entry_id == chosen)
    cols = st.columns(4)
    code = cols[0].text_input("Eurostat dataset code", key="eurostat_code", placeholder="e.g. nama_10r_3gdp")
    indicator = cols[1].text_input("Indicator id", key="eurostat_indicator", placeholder="e.g. gdp_per_inhabitant")
    name = cols[2].text_input("Indicator name", key="eurostat_indicator_name")
    unit = cols[3].text_input("Unit", key="eurostat_unit", placeholder="e.g. EUR per inhabitant")
    left, right = st.columns([3, 1])
    sector_dim = left.text_input("NACE dimension (empty: whole economy, sector TOTAL)", key="eurostat_sector_dim")
    additive = right.checkbox("Can be summed", value=True, key="eurostat_additive")
    if not code.strip() or not indicator.strip():
        st.caption("Give the dataset code and an indicator id (lower case, e.g. gdp_per_inhabitant).")
        return None
    row = {"code": code, "indicator_id": indicator, "indicator_name": name, "unit": unit}
    return catalogue.entry_from({**row, "sector_dim": sector_dim, "additive": str(additive), "levels": "2"})


def _filters(entry: catalogue.Entry) -> str:
    return "; ".join(f"{k}={','.join(v)}" for k, v in entry.filters.items()) or "none"


def _fetch(store: Store, entry: catalogue.Entry, signature: object, keep: dict[str, str], quiet: bool = False) -> None:
    """Fetch and check, with a status box for the fetch the editor asked for (none for a re-check)."""
    try:
        if quiet:
            prepared = eload.prepare(store, entry, keep=keep)
        else:
            with st.status(f"Fetching {entry.code} from Eurostat…", expanded=False) as status:
                prepared = eload.prepare(
                    store,
                    entry,
                    keep=keep,
                    progress=lambda done, total, what: status.update(label=layout.plain(f"{what} ({done}/{total})")),
                )
                status.update(label=f"Fetched {entry.code}", state="complete")
    except client.EurostatError as exc:
        _fail(exc)
        return
    st.session_state[_PREPARED] = (signature, prepared)


def _dimension_choices(prepared: eload.Prepared) -> dict[str, str]:
    """A dimension with several codes in the answer (other than the regions and the sector): keep one."""
    keep: dict[str, str] = {}
    split = {d: v for d, v in prepared.dimensions.items() if len(v) > 1 and d not in ("geo", prepared.entry.sector_dim)}
    if not split:
        return keep
    st.caption("The answer holds several codes of these dimensions: keep one of each.")
    cols = st.columns(min(len(split), 3))
    for i, (dim, pairs) in enumerate(split.items()):
        options = [code if label == code else f"{code} — {label}" for code, label in pairs]  # 1.0 has no labels
        chosen = cols[i % len(cols)].selectbox(dim, options, key=f"eurostat_keep_{dim}")
        keep[dim] = str(chosen).split(" — ", 1)[0]
    return keep


def _show_prepared(store: Store, who: Identity, prepared: eload.Prepared) -> None:
    fetched = prepared.fetched
    st.caption(
        f"Source: Eurostat {layout.plain(prepared.entry.code)} · last update {layout.plain(prepared.updated or '?')}"
        f" · fetched {fetched.fetched_at:%Y-%m-%d %H:%M} UTC" + (" (from the cache)" if fetched.from_cache else "")
    )
    for note in prepared.left_out:
        st.caption(f"Left out: {layout.plain(note)}")
    upload.report(prepared.checked.report.failures, prepared.checked.parsed.file)
    if prepared.checked.preview is not None:
        upload.preview(prepared.checked)
    left, right = st.columns([3, 1])
    right.download_button(
        "Download recipe",
        catalogue.to_recipe(replace(prepared.entry, keep=dict(prepared.checked.mapping.filters))).to_json(),
        file_name=f"estat_{prepared.entry.code}.recipe.json",
        mime="application/json",
        key="eurostat_recipe_download",
        icon=":material/receipt_long:",
        help="Every choice made here (dataset, filters, levels, years, the codes kept) as an upload recipe: "
        "python -m valuechain eurostat CODE --recipe RECIPE fetches the same again, and the Upload tab (or "
        "python -m valuechain import FILE --recipe RECIPE) loads the same dataset downloaded by hand.",
    )
    if left.button(
        f"Commit as a new version of '{prepared.entry.dataset}'",
        type="primary",
        key="eurostat_commit",
        disabled=not prepared.checked.ok,
    ):
        try:
            version = eload.commit(store, prepared, who)
        except (StoreError, ValueError) as exc:
            _fail(exc)
            return
        st.session_state.pop(_PREPARED, None)
        st.session_state["_upload_flash"] = (
            "eurostat",
            "success",
            f"Stored version {version.version_id} of '{prepared.entry.dataset}' ({version.rows:,} rows). "
            "Every page shows it now.",
        )
        st.rerun()


# --- updates (Versions tab) ----------------------------------------------------------------------------------


def updates_section(store: Store, who: Identity) -> None:
    """Per loaded Eurostat dataset: is there a newer release (Eurostat's dataflow metadata)? Refresh in one action."""
    if eload.loaded(store).empty:
        return
    st.subheader("Eurostat datasets: newer releases")
    _show_summary("versions")
    if st.button("Check Eurostat for newer releases", key="eurostat_check"):
        with st.spinner("Asking Eurostat for each dataset's last update…"):
            st.session_state[_UPDATES] = eload.updates(store)
    table: pd.DataFrame | None = st.session_state.get(_UPDATES)
    if table is None:
        return
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="eurostat_updates",
        column_config={
            "loaded_update": "last update loaded",
            "eurostat_updated": "last update at Eurostat",
            "newer": "newer release",
            "fetched_at": "fetched (UTC)",
        },
    )
    newer = table[table["newer"]]
    if newer.empty:
        st.success("Every loaded Eurostat dataset is up to date.")
        return
    refresh = eload.entries_for(list(newer["dataset"]), catalogue.load())
    if st.button(f"Refresh {len(refresh)} dataset(s) as new versions", type="primary", key="eurostat_refresh"):
        st.session_state.pop(_UPDATES, None)
        _run_set(store, who, refresh, refresh=True, where="versions")
