"""Competitive comparison: feature matrix, capability radar, positioning, price index, advantage summary."""
