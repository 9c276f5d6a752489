"""BSR S3 Value Chain Explorer: navigation and the global filters every page reads."""

import streamlit as st

from components import data as app_data
from components import filters, layout, nav, workshop

st.set_page_config(page_title="BSR S3 Value Chain Explorer", page_icon="🌊", layout="wide")

# The pages' menu at the top, so the sidebar holds only the filters (room for the Countries list at 900 px).
navigation = st.navigation(nav.pages(), position="top")
nav.mark_shell()
workshop.follow()
# The filters are drawn into this container; on the pages that lead with a chart, after the page.
side = st.sidebar.container()


def sidebar() -> None:
    """The sidebar: filters, large type, the data on screen, the editor's links."""
    filters.sidebar(data, side)
    layout.presentation_toggle(side)
    layout.dataset_badge(data, app_data.datasets_on_screen(data), side)
    nav.editor_link()
    workshop.save_form(navigation.url_path)


# A page view slower than half a second shows this at the top of the main area (a cold start, a big filter
# change), so nobody looks at an empty page; it goes away when the page is drawn.
with st.spinner("Loading the data and the page…", show_time=True):
    data = app_data.data()
    filters.read(data)
    layout.large_type_style()
    workshop.start_page(navigation.url_path)
    workshop.presenter_bar()
    if not nav.chart_first(navigation.url_path):  # these pages may st.stop(), after which nothing is drawn
        sidebar()
        navigation.run()
    else:
        try:
            navigation.run()
        finally:  # also after an error in the page: the widgets are drawn on every run, or they lose their state
            sidebar()
