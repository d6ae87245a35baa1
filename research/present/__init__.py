"""Present: decks of saved views, session mode, the decision log, PPTX/PNG/SVG/Markdown export, monthly report."""
