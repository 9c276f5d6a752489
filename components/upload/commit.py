"""Commit: every row in one transaction or none, with progress; the outcome is shown after the rerun."""

from __future__ import annotations

import streamlit as st

from components import auth, layout
from components.upload import session
from valuechain import ingest
from valuechain.recipe import Recipe
from valuechain.store import Identity, Store, StoreError


def commit(store: Store, checked: ingest.Checked, who: Identity, recipe: Recipe) -> None:
    bar = st.progress(0.0, text="Storing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Storing… {done:,} of {total:,} rows")

    try:
        versions = ingest.commit(store, checked, who, progress=progress, remember=recipe.stored())
    except (StoreError, ingest.IngestError) as exc:
        bar.empty()
        st.error(f"Nothing was stored: {auth.error_message(exc)}")
        return
    own = next(v for v in versions if v.table == checked.table.name and v.taken_over_by is None)
    extra = [v for v in versions if v is not own]
    stored = (
        f"Stored version {own.version_id} of dataset '{layout.plain(checked.dataset)}' ({own.rows:,} rows of "
        f"{checked.table.title.lower()}). Every page shows it now."
    )
    if extra:
        stored += (
            " Also new: "
            + "; ".join(f"version {v.version_id} of '{layout.plain(v.dataset)}' ({v.table})" for v in extra)
            + "."
        )
    st.session_state[session.FLASH] = ("upload", "success", stored)
    st.session_state[session.ROUND] = st.session_state.get(session.ROUND, 0) + 1
    # the next file starts from nothing; the versions list starts at the newest again
    for key in (session.PARSED, session.CHECKED, session.SIGNATURE, session.PICKED):
        st.session_state.pop(key, None)
    st.rerun()
