"""Session keys more than one part of the upload reads or sets, and the outcome message kept across a rerun."""

from __future__ import annotations

import streamlit as st

PARSED = "_upload_parsed"  # (signature, Parsed) of the file on screen: parsed once, not on every rerun
CHECKED = "_upload_checked"  # (signature, Checked)
SIGNATURE = "_upload_signature"  # file + table whose mapping widgets are on screen
FLASH = "_upload_flash"
PICKED = "_version_picked"
ROUND = "_upload_round"  # part of the uploader's key: a new round empties it after a commit
RECIPE = "_upload_recipe"  # (file name, Recipe) loaded on the page, used instead of the remembered one; or why not
LEAVE, RECODE = "rowchoice_leave_out", "rowchoice_recode"  # kinds of rows the analyst chose to leave out, recode


def flash(section: str) -> None:
    """The outcome of the last commit (section "upload"), rollback or delete ("versions"), kept across the rerun
    that follows it and shown in the tab where it was done."""
    message = st.session_state.get(FLASH)
    if message and message[0] == section:
        _, kind, shown = st.session_state.pop(FLASH)
        (st.success if kind == "success" else st.error)(shown)
