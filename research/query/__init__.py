"""The query workbench: sandboxed user SQL, saved queries, point-and-click builder, auto-charts."""
