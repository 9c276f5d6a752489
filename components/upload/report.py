"""The check of every row (cached per choice), its report, and the preview of what a commit would change."""

from __future__ import annotations

import hashlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import layout
from components.upload import reading, session
from components.upload.rows import choices as row_choices
from valuechain import export, ingest, text


def check(
    parsed: ingest.Parsed,
    table: str,
    mapping: ingest.ColumnMap,
    context: ingest.Context,
    dataset: str,
    mode: str,
    definitions: pd.DataFrame | None,
) -> ingest.Checked:
    decimal = reading.options().decimal
    choices = row_choices()
    fingerprint = hashlib.sha256(
        repr(
            (
                sorted(mapping.stored().items()),
                dataset,
                mode,
                decimal,
                choices,
                context.revision,
                None if definitions is None else definitions.to_csv(),
            )
        ).encode()
    ).hexdigest()
    signature = (st.session_state[session.PARSED][0], table, fingerprint)
    cached = st.session_state.get(session.CHECKED)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with st.spinner("Checking every row…"):
        checked = ingest.check(
            parsed,
            table,
            mapping,
            context,
            dataset=dataset,
            mode=mode,  # type: ignore[arg-type]
            new_indicators=definitions,
            decimal=decimal,
            choices=choices,
        )
    st.session_state[session.CHECKED] = (signature, checked)
    return checked


def report(failures: pd.DataFrame, file_name: str) -> None:
    """Every problem as a table (text, never HTML), downloadable; errors block, warnings do not."""
    errors = int((failures["severity"] == "error").sum())
    warnings = int((failures["severity"] == "warning").sum())
    if errors:
        st.error(
            f"**{errors:,} problem(s) to fix** in {layout.plain(file_name)}: nothing can be stored until they "
            "are fixed. Each row below names the file row, the column and the value.",
            icon="🛑",
        )
    else:
        st.success(
            f"No errors in {layout.plain(file_name)}."
            + (f" {warnings:,} warning(s) below do not block." if warnings else ""),
            icon="✅",
        )
    if failures.empty:
        return
    shown = failures.sort_values(["severity", "row"], na_position="first", kind="stable")
    layout.table(
        shown,
        hide_index=True,
        width="stretch",
        key="upload_report",
        column_config={
            "row": st.column_config.NumberColumn("row", format="%d"),
            "message": st.column_config.TextColumn("message", width="large"),
        },
    )
    st.download_button(
        "Download the report (CSV)",
        export.to_csv_bytes(failures),
        key="download_report",
        file_name=text.without_bidi(f"{ingest.file_stem(file_name)}-check-report.csv"),
        mime="text/csv",
    )


def preview(checked: ingest.Checked) -> None:
    """What a commit would add and replace, and a small chart of the new rows."""
    p = checked.preview
    assert p is not None
    st.subheader("Preview")
    cols = st.columns(4)
    cols[0].metric("Rows in the file", f"{p.rows:,}")
    cols[1].metric("New", f"{p.added:,}", help="No row with this key is on screen now.")
    cols[2].metric("Replace other values", f"{p.changed:,}", help="A row with this key is on screen with other values.")
    cols[3].metric("Identical", f"{p.unchanged:,}", help="The same row is on screen already.")
    notes = []
    if p.kept:
        notes.append(f"{p.kept:,} rows of the current version of '{checked.dataset}' are kept (update).")
    if p.dropped:
        notes.append(
            f"{p.dropped:,} rows of the current version of '{checked.dataset}' will no longer be shown "
            "(replace); that version stays available for rollback."
        )
    for name, n in p.taken.items():
        notes.append(
            f"{n:,} rows of dataset '{name}' with the same key are replaced: it gets a new version "
            "without them, which can be rolled back."
        )
    for note in notes:
        st.caption(layout.plain(note))
    figure = _preview_chart(checked)
    if figure is not None:
        st.plotly_chart(figure, key="upload_preview_chart")
    else:
        layout.table(checked.rows.head(20), hide_index=True, key="upload_preview_rows")
    st.caption(f"Source: {layout.plain(checked.parsed.file)} (not stored yet)")


def _preview_chart(checked: ingest.Checked) -> go.Figure | None:
    rows = checked.rows
    if checked.table.name == "observations" and not rows.empty:
        indicator = rows["indicator"].mode().iat[0]
        part = rows[rows["indicator"] == indicator]
        year = int(part["year"].max())
        part = part[part["year"] == year]
        # a region with a missing part has no total (as on every page): left out of the bars, and said so
        gap = part["value"].isna().groupby(part["region_id"]).any()
        totals = part.groupby("region_id")["value"].sum(min_count=1).mask(gap).dropna()
        by_region = totals.sort_values(ascending=False).head(20)
        unit = str(part["unit"].iat[0])
        title = f"{indicator}, {year}: the 20 largest regions (all sectors of the file summed), {unit}"
        if gap.any():
            title += f"; {int(gap.sum())} with a missing value not shown"
    elif checked.table.name == "flows" and not rows.empty:
        year = int(rows["year"].max())
        by_region = rows[rows["year"] == year].groupby("from_region")["value"].sum().sort_values(ascending=False)
        by_region = by_region.head(20)
        title = f"Flows out of each region, {year}: the 20 largest"
    else:
        return None
    figure = go.Figure(
        go.Bar(
            x=by_region.index.tolist(),
            y=by_region.to_numpy().tolist(),
            marker_color="#1f6f8b",
            hovertemplate="%{x}: %{y:,.6g}<extra></extra>",
        )
    )
    figure.update_layout(
        title={"text": title},
        height=320,
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        yaxis_title=None,
        xaxis_title=None,
    )
    return figure
