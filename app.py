"""BSR S3 Value Chain Explorer: navigation and the global filters every page reads."""

import streamlit as st

from components import data as app_data
from components import filters, layout, nav, workshop

st.set_page_config(page_title="BSR S3 Value Chain Explorer", page_icon="🌊", layout="wide")

navigation = st.navigation(nav.pages())
nav.mark_shell()
workshop.follow()
# A page view slower than half a second shows this at the top of the main area (a cold start, a big filter
# change), so nobody looks at an empty page; it goes away when the page is drawn.
with st.spinner("Loading the data and the page…", show_time=True):
    data = app_data.data()
    st.sidebar.title("BSR S3 Value Chain Explorer")
    filters.sidebar(data)
    layout.presentation_mode()
    layout.dataset_badge(data, app_data.datasets_on_screen(data))
    nav.editor_link()
    workshop.start_page(navigation.url_path)
    workshop.save_form(navigation.url_path)
    workshop.presenter_bar()
    navigation.run()
