"""Messages of the deck exports: PPTX, PNG/SVG image folders and Markdown."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    "present.deckfile.workspace_date": ("Workspace {workspace} · {date}", "Радни простор {workspace} · {date}"),
    "present.deckfile.slide_count": ("{count} slides", "Број слајдова: {count}"),
    "present.deckfile.footnote": (
        "Source: {source} · Workspace {workspace} · {date}",
        "Извор: {source} · Радни простор {workspace} · {date}",
    ),
    "present.deckfile.footnote_plain": ("Workspace {workspace} · {date}", "Радни простор {workspace} · {date}"),
    "present.deckfile.as_of": ("Data as of {date}", "Подаци на дан {date}"),
    "present.deckfile.full_text": ("Full text:", "Цео текст:"),
    "present.deckfile.appendix": ("Appendix: data for {title}", "Прилог: подаци за {title}"),
    "present.deckfile.appendix_cut": (
        "First {shown} of {total} rows; export the data itself for the rest.",
        "Првих {shown} од {total} редова; остатак добијате извозом самих података.",
    ),
    "present.deckfile.page": ("({page} of {pages})", "({page} од {pages})"),
    "present.deckfile.decision_log": ("Decision log", "Дневник одлука"),
    "present.deckfile.no_decisions": ("No decisions or action items were recorded.", "Нема забележених одлука ни задатака."),
    "present.deckfile.col.kind": ("Kind", "Врста"),
    "present.deckfile.col.text": ("Decision or action", "Одлука или задатак"),
    "present.deckfile.col.owner": ("Owner", "Носилац"),
    "present.deckfile.col.due": ("Due", "Рок"),
    "present.deckfile.col.status": ("Status", "Статус"),
    "present.deckfile.col.slide": ("Slide", "Слајд"),
    "present.deckfile.col.about": ("About", "Односи се на"),
    "present.deckfile.kind.decision": ("Decision", "Одлука"),
    "present.deckfile.kind.action": ("Action item", "Задатак"),
    "present.deckfile.status.open": ("Open", "Отворено"),
    "present.deckfile.status.done": ("Done", "Урађено"),
    "present.deckfile.status.dropped": ("Dropped", "Одбачено"),
    "present.deckfile.notes": ("Speaker notes", "Белешке говорника"),
    "present.deckfile.slides": ("Slides", "Слајдови"),
    "present.deckfile.more_lines": ("… and {count} more", "… и још {count}"),
    "present.deckfile.empty_quadrant": ("(none)", "(нема)"),
    "present.export.appendix": ("Add the data appendix", "Додај прилог са подацима"),
    "present.export.appendix_help": (
        "After the slides: the data behind each chart, one table per slide, and the decision log.",
        "После слајдова: подаци иза сваког графикона, по једна табела на слајду, и дневник одлука.",
    ),
}
