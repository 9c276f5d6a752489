"""Join a workshop: type its code, then vote on partner suggestions and idea cards and leave short comments."""

import streamlit as st

from components import data as app_data
from components import workshop_room as room

data = app_data.data()
store = app_data.store()
room.participant_only()
st.title("Join a workshop")
who = room.participant(store)
if who is None:
    st.caption("No account needed: type the code the facilitator shows.")
    room.join_form(store)
    st.stop()
room.remember(who)
room.vote_and_comment(store, data, who)
