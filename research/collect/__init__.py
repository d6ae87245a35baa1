"""Web collection: polite fetching, extraction into typed values, watchers and change logs."""
