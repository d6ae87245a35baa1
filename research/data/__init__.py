"""Research data entry and imports: validated grid edits, import wizard, datasets, undo, backup and restore."""
