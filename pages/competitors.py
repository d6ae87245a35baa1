"""Competitors page: profiles, evidence-linked SWOT items, the SWOT board, TOWS and battlecards.

Deep links: `?company=NAME&view=board&present=1` opens a company's board in
presentation mode (no editing controls), as on a shared screen.
"""

import streamlit as st

from research.ui import page_setup, tr
from research.ui import competitors as view

store = page_setup("competitors")
view.show_flash()
company, chosen, presenting = view.choose(store)

if presenting:
    view.render_board(store, company, presenting=True)
elif company is None:
    st.info(tr("competitors.empty_workspace"))
    view.render_companies(store, None)
else:
    view.RENDERERS[chosen](store, company)
