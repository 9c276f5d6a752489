"""Eurostat's regional statistics straight into the explorer: the curated catalogue (`catalogue`), the API
client (`client`), fetch → check → commit, the starter set and updates (`load`), the command line (`cli`)."""
