"""Competitors page: profiles, evidence-linked SWOT items, the SWOT board, TOWS and battlecards.

Deep links: `?company=NAME&view=board&present=1` (or `view=battlecard`) opens a company's board
(or battlecard) in presentation mode (no editing controls), as on a shared screen.
"""

import streamlit as st

from research.ui import page_setup, tr
from research.ui import competitors as view

store = page_setup("competitors")
view.NOTICE.show()
company, chosen, presenting = view.choose(store)

if presenting:
    view.render_presentation(store, company, chosen)
elif company is None:
    st.info(tr("competitors.empty_workspace"))
    view.render_companies(store, None)
else:
    view.RENDERERS[chosen](store, company)
