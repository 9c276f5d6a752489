"""Data: upload, check, version and roll back datasets. Editors only; the store refuses everyone else too."""

import streamlit as st

from components import auth, eurostat, upload
from components import data as app_data

app_data.data()  # every page starts here: it makes a deep link to /data run through app.py
store = app_data.store()
st.title("Data")
who = auth.editors_only(
    "This page is for editors: sign in to upload files, check them, and roll datasets back. Every other "
    "page is open to everyone.",
)

st.caption(
    "Upload a file, map its columns, read the check report, preview what changes, then commit it as a new "
    "version of a dataset. Nothing is stored before the commit, and any earlier version can be made current "
    "again."
)
upload_tab, eurostat_tab, versions_tab, templates_tab = st.tabs(["Upload", "From Eurostat", "Versions", "Templates"])
with upload_tab:
    upload.upload_section(store, who)
with eurostat_tab:
    eurostat.starter_section(store, who)
    eurostat.dataset_section(store, who)
with versions_tab:
    eurostat.updates_section(store, who)
    upload.versions_section(store, who)
with templates_tab:
    upload.templates_section()
