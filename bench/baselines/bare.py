"""The floor of this stack: a Streamlit page that shows one line of text."""

import streamlit as st

st.write("Hello, Baltic Sea Region")
