"""The Templates tab: a CSV and an Excel template per table, and what each column means."""

from __future__ import annotations

import streamlit as st

from components import layout
from valuechain import ingest
from valuechain.schema import TABLES


def templates_section() -> None:
    """A CSV and an Excel template per table, with a filled example row and what each column means."""
    table = st.selectbox(
        "Table", ingest.UPLOADABLE, key="template_table", format_func=lambda t: f"{TABLES[t].title} ({t})"
    )
    cols = st.columns([1, 1, 3])
    cols[0].download_button(
        "CSV template",
        ingest.template_csv(table),
        file_name=f"{table}-template.csv",
        mime="text/csv",
        key="template_csv",
    )
    cols[1].download_button(
        "Excel template",
        ingest.template_xlsx(table),
        file_name=f"{table}-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="template_xlsx",
    )
    layout.table(ingest.column_guide(table), hide_index=True, width="stretch", key="template_guide")
