"""Row groups the explorer cannot place (leave them out, or recode them) and the analyst's other row choices."""

from __future__ import annotations

import streamlit as st

from components import layout
from components.upload import reading, session
from valuechain import ingest


def choices() -> ingest.RowChoices:
    """The analyst's choices for the file on screen: groups to leave out or recode, missing-value markers."""
    return ingest.RowChoices(
        leave_out=frozenset(st.session_state.get(session.LEAVE, ())),
        recode=frozenset(st.session_state.get(session.RECODE, ())),
        missing=reading.missing_markers(),
    )


def row_groups(checked: ingest.Checked) -> None:
    """One click per group of rows the explorer cannot place: leave them out, or recode them where a one-to-one
    correspondence exists (ISO-3 → NUTS-0, a NUTS code that only changed its code). Each choice is undoable."""
    groups = [g for g in checked.groups if g.kind != "missing"]
    if not groups:
        return
    st.subheader("Rows the explorer cannot place")
    leave, recode = set(st.session_state.get(session.LEAVE, ())), set(st.session_state.get(session.RECODE, ()))
    for group in groups:
        cols = st.columns([6, 2, 2])
        cols[0].markdown(layout.plain(group.message))
        undecided = group.kind not in leave
        if cols[1].button(
            f"Leave out {group.rows - group.recoded:,}" if undecided else "Keep them again",
            key=f"rowgroup_leave_{group.kind}_{group.column}",
            help="Not stored; counted in the version's record and downloadable from the Versions tab.",
        ):
            _toggle(session.LEAVE, group.kind)
        if (
            group.kind in ingest.RECODE_KINDS
            and group.recodable
            and cols[2].button(
                f"Recode {group.recodable:,}" if group.kind not in recode else "Undo the recode",
                key=f"rowgroup_recode_{group.kind}_{group.column}",
                help="Only one-to-one changes: splits, merges and boundary shifts are never recoded.",
            )
        ):
            _toggle(session.RECODE, group.kind)


def _toggle(key: str, kind: str) -> None:
    """Choose a kind of rows to leave out (or recode), or undo that choice; the page is checked again."""
    st.session_state[key] = sorted(set(st.session_state.get(key, ())) ^ {kind})
    st.rerun()
