"""Workshop: build an agenda of scenes, present it, watch the room's votes live, hand out the report."""

import streamlit as st

from components import auth
from components import data as app_data
from components import workshop_room as room

data = app_data.data()
store = app_data.store()
st.title("Workshop")
who = auth.editors_only(
    "Facilitators (editors) build and present workshops here. Participants: open **Join a workshop** and "
    "type the code on the shared screen.",
)

room.create_form(store, who)
ws = room.pick(store)
if ws is None:
    st.stop()
room.controls(store, ws, who)
agenda_tab, board_tab, report_tab = st.tabs(["Agenda", "Votes and comments (live)", "Report"])
with agenda_tab:
    room.agenda(store, ws, who)
with board_tab:
    room.live_board(int(ws["workshop_id"]))
with report_tab:
    room.report_downloads(store, data, ws)
