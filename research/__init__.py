"""Vantage's domain package: workspace storage, market data, charts and the CLI.

Everything here runs headless; only `research.ui` may import streamlit.
"""

__version__ = "0.1.0"
