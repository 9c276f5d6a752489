"""BSR S3 Value Chain Explorer: navigation and the global filters every page reads."""

import streamlit as st

from components import data as app_data
from components import filters, layout, nav

st.set_page_config(page_title="BSR S3 Value Chain Explorer", page_icon="🌊", layout="wide")

navigation = st.navigation(nav.pages())
nav.mark_shell()
data = app_data.data()
st.sidebar.title("BSR S3 Value Chain Explorer")
filters.sidebar(data)
layout.presentation_mode()
layout.dataset_badge(data, app_data.datasets_on_screen(data))
nav.editor_link()
navigation.run()
