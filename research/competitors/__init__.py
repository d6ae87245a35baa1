"""Competitor profiles, evidence-linked SWOT items, TOWS strategies and battlecards."""
