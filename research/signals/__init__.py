"""The signal inbox: detected events (price moves, page changes, stock-outs, lost deals, stale SWOT items) turned
into signals with their evidence and a draft SWOT item, which a person accepts, attaches to an existing item or
dismisses (docs/SIGNALS.md).

- `research.signals.rules`: which events make signals per workspace, and the draft each kind proposes.
- `research.signals.generate`: finds events and stores them as signals, idempotently (also after collect runs).
- `research.signals.records`: reading signals, counts per status, kind and company.
- `research.signals.triage`: accept, attach, dismiss (audited, one transaction each; bulk all or none).
- `research.signals.drafts`: a signal's statement and evidence in the viewer's language; display tables.
- `research.signals.demo`: the demo market's month of signals.
- `research.signals.commands`: `python -m research signals …`.
"""
