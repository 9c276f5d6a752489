"""The Upload tab: choose a table and a file, then each part in turn — reading options, mapping, row groups,
check report, preview, commit — with the page's recipe to download."""

from __future__ import annotations

import math

import streamlit as st

from components import layout
from components.upload.commit import commit
from components.upload.mapping import dataset_choice, mapping_editor, new_indicators, reset_widgets_for
from components.upload.reading import parse, reading_options
from components.upload.recipe import page_recipe, recipe_loader
from components.upload.report import check, preview, report
from components.upload.rows import row_groups
from components.upload.session import ROUND, flash
from valuechain import ingest, text
from valuechain.schema import TABLES
from valuechain.store import Identity, Store


def upload_section(store: Store, who: Identity) -> None:
    """Choose a table and a file; map its columns; see every problem; preview; commit."""
    flash("upload")
    st.session_state.setdefault("upload_table", "observations")  # a loaded recipe may choose another
    table = st.selectbox(
        "Table",
        ingest.UPLOADABLE,
        key="upload_table",
        format_func=lambda t: f"{TABLES[t].title} ({t})",
    )
    st.caption(layout.plain(TABLES[table].description) + " The Templates tab has a CSV and an Excel template.")
    limit = ingest.max_upload_mb()
    file = st.file_uploader(
        "File: CSV or TSV (any of , ; tab |), Excel .xlsx, Eurostat TSV or SDMX-CSV, also .gz",
        type=["csv", "tsv", "txt", "gz", "xlsx"],
        key=f"upload_file_{st.session_state.get(ROUND, 0)}",
        max_upload_size=max(1, math.ceil(limit)),
        help=f"At most {limit:g} MB per file (also unpacked). Nothing is stored before you commit.",
    )
    if file is None:
        return
    recipe_loader()
    parsed = parse(file)
    with st.expander("Reading options", expanded=not parsed.ok):
        reading_options(parsed)
    st.caption(f"Read as {layout.plain(parsed.describe())}" + "".join(f" · {layout.plain(n)}" for n in parsed.notes))
    if not parsed.ok:
        report(parsed.failures, parsed.file)
        return
    context = ingest.Context.from_store(store, table)
    reset_widgets_for(parsed, table, store)
    mapping = mapping_editor(parsed, table)
    dataset, mode = dataset_choice(store, table)
    definitions = new_indicators(parsed, mapping, context) if table == "observations" else None
    checked = check(parsed, table, mapping, context, dataset, mode, definitions)
    st.subheader("Check")
    row_groups(checked)
    report(checked.report.failures, parsed.file)
    if checked.preview is not None:
        preview(checked)
    recipe = page_recipe(checked, definitions)
    label = f"Commit as a new version of '{layout.plain(checked.dataset)}'" if checked.dataset else "Commit"
    name_problem = text.problem(dataset, "dataset name", required=False)
    if name_problem:
        st.error(layout.plain(name_problem), icon="🛑")
    left, right = st.columns([3, 2])
    if left.button(
        label,
        type="primary",
        key="upload_commit",
        disabled=not checked.ok or name_problem is not None,
        help="One transaction: all rows are stored, or none. Every choice made here is remembered for the source.",
    ):
        commit(store, checked, who, recipe)
    right.download_button(
        "Download recipe",
        recipe.to_json(),
        file_name=f"{ingest.file_stem(parsed.file)}.recipe.json",
        mime="application/json",
        key="upload_recipe_download",
        icon=":material/receipt_long:",
        help="Every choice made on this page as JSON: load it here next year, or use it with "
        "python -m valuechain import FILE --recipe RECIPE.",
    )
