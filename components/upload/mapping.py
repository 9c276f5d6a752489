"""The column mapping (file column or one value per table column, keep-rows filters), the dataset and mode,
and the definitions of indicators the file brings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import layout
from components.upload import session
from valuechain import ingest
from valuechain.recipe import remembered
from valuechain.schema import TABLES
from valuechain.store import Store

MISSING = "(not in the file)"
ALL_VALUES = "(all values)"
_DATASET, _MODE = "upload_dataset", "upload_mode"
_MODES = {
    "update": "Update the dataset: add these rows, keep its other rows",
    "replace": "Replace the dataset: these rows only",
}
_VALUE_COLUMNS = "valuecols"  # a wide panel's value columns, each its own indicator
_PREFIXES = ("map_", "const_", "filter_", "newind_", _DATASET, _MODE, "rowchoice_", _VALUE_COLUMNS, "valueind_")


def reset_widgets_for(parsed: ingest.Parsed, table: str, store: Store) -> None:
    """A new file or table: the mapping widgets start from the remembered or automatic mapping."""
    signature = (st.session_state[session.PARSED][0], table)
    if st.session_state.get(session.SIGNATURE) == signature:
        return
    for key in [k for k in st.session_state if str(k).startswith(_PREFIXES)]:
        del st.session_state[key]
    loaded = st.session_state.get(session.RECIPE)
    recipe = loaded[1] if isinstance(loaded, tuple) and loaded[1].table == table else None
    recipe = recipe or remembered(store, parsed.source_key, table)
    mapping = ingest.auto_map(parsed, table, recipe.column_map())
    for col in TABLES[table].columns:
        st.session_state[f"map_{col.name}"] = mapping.columns.get(col.name, MISSING)
        st.session_state[f"const_{col.name}"] = mapping.constants.get(col.name, "")
    for name, value in mapping.filters.items():
        st.session_state[f"filter_{name}"] = value
    st.session_state[_VALUE_COLUMNS] = list(mapping.values)
    for name, indicator in mapping.values.items():
        st.session_state[f"valueind_{name}"] = indicator
    for definition in recipe.new_indicators:
        ind = definition.get("indicator_id")
        for field in ("name", "unit", "additive", "nonnegative", "description"):
            if field in definition:
                st.session_state[f"newind_{field}_{ind}"] = definition[field]
    st.session_state[_DATASET] = recipe.dataset or parsed.source_name
    st.session_state[_MODE] = recipe.mode
    st.session_state[session.LEAVE] = sorted(recipe.choices.leave_out)
    st.session_state[session.RECODE] = sorted(recipe.choices.recode)
    st.session_state[session.SIGNATURE] = signature


def mapping_editor(parsed: ingest.Parsed, table: str) -> ingest.ColumnMap:
    """One row per table column: the file column it comes from, or a value for every row. Folded away once
    every required column is filled, so the check report is the next thing the analyst sees."""
    columns = TABLES[table].columns
    open_ = [
        c.name
        for c in columns
        if c.required
        and st.session_state.get(f"map_{c.name}") == MISSING
        and not str(st.session_state.get(f"const_{c.name}", "")).strip()
    ]
    from_file = sum(st.session_state.get(f"map_{c.name}") != MISSING for c in columns)
    label = f"Columns: {from_file} of {len(columns)} from the file" + (
        f" · to fill: {', '.join(open_)}" if open_ else " · every required column filled"
    )
    mapping = ingest.ColumnMap()
    options = [MISSING, *parsed.columns]
    box = st.expander(label, expanded=bool(open_), icon=":material/table_view:")
    box.caption(
        "Matched by name where possible and remembered for the next file from this source. "
        "Required columns are marked *. A column not in the file can get one value for every row."
    )
    for col in columns:
        left, right = box.columns([2, 3])
        chosen = left.selectbox(
            f"{col.name}{' *' if col.required else ''}", options, key=f"map_{col.name}", help=col.description
        )
        if chosen != MISSING:
            mapping.columns[col.name] = chosen
            first = parsed.frame[chosen].dropna()
            example = f" · e.g. {layout.plain(first.iat[0])}" if len(first) and str(first.iat[0]).strip() else ""
            right.caption(layout.plain(col.description) + example)
        else:
            value = right.text_input(
                f"Value of {col.name} for every row",
                key=f"const_{col.name}",
                placeholder=f"e.g. {col.example}" if col.example is not None else "",
                help=col.description,
            )
            if value.strip():
                mapping.constants[col.name] = value.strip()
    if "indicator" in TABLES[table].column_names:
        value_columns(parsed, mapping)
    dimensions = ingest.unmapped_dimensions(parsed, mapping)
    if dimensions:
        st.caption(
            "Columns not used by the mapping whose values split the rows (e.g. several units): keep one value each."
        )
        cols = st.columns(min(len(dimensions), 3))
        for i, (name, values) in enumerate(dimensions.items()):
            chosen = cols[i % len(cols)].selectbox(
                f"Keep rows where {name} is", [ALL_VALUES, *values], key=f"filter_{name}"
            )
            if chosen != ALL_VALUES:
                mapping.filters[name] = chosen
    return mapping


def value_columns(parsed: ingest.Parsed, mapping: ingest.ColumnMap) -> None:
    """A wide panel (one column per indicator): the analyst picks its value columns at once; each becomes its own
    indicator, named after the column unless renamed, defined below where it is new."""
    candidates = ingest.value_column_candidates(parsed, mapping)
    kept = [c for c in st.session_state.get(_VALUE_COLUMNS, []) if c in parsed.columns]
    st.session_state[_VALUE_COLUMNS] = kept
    if not candidates and not kept:
        return
    picked = st.multiselect(
        "Value columns, one indicator each (a wide panel)",
        list(dict.fromkeys([*candidates, *kept])),
        key=_VALUE_COLUMNS,
        help="For a file with one column per indicator: every column picked here becomes its own indicator, in one "
        "version. Leave empty for a file with one value column.",
        placeholder=f"{len(candidates)} columns hold numbers: pick the indicators to load",
    )
    if not picked:
        return
    st.caption(
        f"{len(picked)} value column(s): each row of the file gives one observation per column, so the mapping's "
        "value and indicator are taken from here. Indicator identifiers:"
    )
    cols = st.columns(min(len(picked), 4))
    for i, name in enumerate(picked):
        st.session_state.setdefault(f"valueind_{name}", ingest.indicator_id_for(name))
        indicator = cols[i % len(cols)].text_input(layout.plain(name), key=f"valueind_{name}").strip()
        mapping.values[name] = indicator
        st.session_state.setdefault(f"newind_name_{indicator}", name)  # the column's name, until the analyst edits it


def dataset_choice(store: Store, table: str) -> tuple[str, str]:
    versions = store.versions(table)
    existing = sorted(set(versions.loc[versions["origin"] == "upload", "dataset"]))
    left, right = st.columns([2, 3])
    dataset = left.text_input(
        "Dataset",
        key=_DATASET,
        help="Uploads of the same dataset are its versions. "
        + ("Existing: " + ", ".join(map(layout.plain, existing)) if existing else "No uploaded datasets yet."),
    )
    mode = right.radio("Mode", list(_MODES), key=_MODE, format_func=_MODES.get)
    return dataset, str(mode)


def new_indicators(parsed: ingest.Parsed, mapping: ingest.ColumnMap, context: ingest.Context) -> pd.DataFrame | None:
    """Indicators the file brings that are not defined yet: the analyst defines them here."""
    ids = ingest.new_indicator_ids(parsed, mapping, context)
    if not ids:
        return None
    st.subheader("New indicators")
    st.caption("Defined here, they are stored with the data in the same commit and appear on every page.")
    rows = []
    for ind in ids:
        with st.container(border=True):
            st.markdown(f"**{layout.plain(ind)}**")
            cols = st.columns([3, 2, 1, 1])
            name = cols[0].text_input("Name", key=f"newind_name_{ind}", placeholder="e.g. Employment (Eurostat SBS)")
            unit = cols[1].text_input("Unit", key=f"newind_unit_{ind}", placeholder="e.g. persons")
            st.session_state.setdefault(f"newind_additive_{ind}", True)  # set here: a recipe may set it too
            st.session_state.setdefault(f"newind_nonnegative_{ind}", True)
            additive = cols[2].checkbox(
                "Can be summed",
                key=f"newind_additive_{ind}",
                help="Counts and money can be summed over regions and sectors; rates not.",
            )
            nonnegative = cols[3].checkbox("Never negative", key=f"newind_nonnegative_{ind}")
            description = st.text_input("Definition and source", key=f"newind_description_{ind}")
        rows.append(
            {
                "indicator_id": ind,
                "name": name,
                "unit": unit,
                "additive": additive,
                "nonnegative": nonnegative,
                "description": description,
            }
        )
    return pd.DataFrame(rows)
