"""The Versions tab: every version (who, when, file, content hash, rows, rows left out); make one current again
(rollback), or delete one after a confirmation."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import streamlit as st

from components import auth, layout
from components.upload import session
from valuechain import export, text
from valuechain.store import Identity, Restored, Store, StoreError

_CONFIRM = "_version_delete_confirm"


def versions_section(store: Store, who: Identity) -> None:
    """Every version (who, when, file, content hash, rows); make one current again, or delete one."""
    session.flash("versions")
    versions = store.versions()
    if versions.empty:
        st.info("No data yet.")
        return
    shown = versions[
        [
            "version_id",
            "table_name",
            "dataset",
            "status",
            "created_at",
            "created_by",
            "file_name",
            "rows",
            "left_out",
            "left_out_kinds",
            "content_hash",
            "note",
            "source_code",
            "source_updated",
            "source_url",
        ]
    ]
    layout.table(
        shown,
        hide_index=True,
        width="stretch",
        key="versions_table",
        column_config={
            "version_id": "version",
            "table_name": "table",
            "created_at": "loaded at",
            "created_by": "by",
            "file_name": "file",
            "left_out": st.column_config.NumberColumn("left out", help="Rows of the file that were not stored"),
            "left_out_kinds": "left out, by kind",
            "content_hash": "SHA-256",
            "source_code": "Eurostat code",
            "source_updated": "Eurostat last update",
            "source_url": st.column_config.LinkColumn("query"),
        },
    )
    labels = {
        int(r.version_id): text.without_bidi(
            f"#{r.version_id} · {r.dataset} · {r.table_name} · {r.status} · {r.rows:,} row{'' if r.rows == 1 else 's'}"
        )
        for r in versions.itertuples()
    }
    options, picked = list(labels), st.session_state.get(session.PICKED)
    # A new key with every change of the store: a kept picker would go on showing the old status of the chosen
    # version after a rollback or delete. The choice itself is carried over.
    chosen = st.selectbox(
        "Version",
        options,
        index=options.index(picked) if picked in options else 0,
        format_func=labels.__getitem__,
        key=f"version_pick_{store.revision()}",
    )
    st.session_state[session.PICKED] = chosen
    row = versions.set_index("version_id").loc[chosen]
    cols = st.columns([1, 1, 3])
    if cols[0].button(
        "Make current",
        key="version_current",
        disabled=row["status"] != "superseded",
        help="Roll back (or forward) to this version of its dataset.",
    ):
        _act(
            lambda: store.set_current(int(chosen), who=who),
            f"Version {chosen} of '{row['dataset']}' ({row['table_name']}) is current again.",
        )
    left_out = row["left_out"]
    if pd.notna(left_out) and int(left_out) > 0:
        cols[2].download_button(
            f"Download the {int(left_out):,} left-out rows (CSV)",
            export.to_csv_bytes(pd.read_csv(io.StringIO(store.left_out_rows(int(chosen))), dtype=str)),
            key="version_left_out",
            file_name=f"version-{chosen}-left-out.csv",
            mime="text/csv",
        )
    if cols[1].button("Delete…", key="version_delete", disabled=row["status"] == "deleted"):
        st.session_state[_CONFIRM] = int(chosen)
    if st.session_state.get(_CONFIRM) == int(chosen):
        current = (
            " It is the current version: its rows disappear from every page." if row["status"] == "current" else ""
        )
        st.warning(
            f"Delete version {chosen} of dataset '{layout.plain(row['dataset'])}' ({row['table_name']}, "
            f"{int(row['rows']):,} rows)? Its rows are removed for good; the record stays in this list as "
            f"deleted.{current}",
            icon="⚠️",
        )
        yes, no = st.columns([1, 4])
        if yes.button(f"Yes, delete version {chosen}", key="version_delete_yes", type="primary"):
            st.session_state.pop(_CONFIRM, None)
            _act(lambda: store.delete_version(int(chosen), who=who), f"Version {chosen} was deleted.")
        if no.button("Cancel", key="version_delete_no"):
            st.session_state.pop(_CONFIRM, None)
            st.rerun()


def _act(action: Callable[[], list[Restored]], done: str) -> None:
    """Run a rollback or delete; the message also says which datasets got rows back that it had taken over."""
    try:
        restored = action()
    except StoreError as exc:
        st.session_state[session.FLASH] = ("versions", "error", f"Nothing changed: {auth.error_message(exc)}")
    else:
        message = layout.plain(" ".join([done, *(r.message() for r in restored)]))
        st.session_state[session.FLASH] = ("versions", "success", message)
    st.rerun()
