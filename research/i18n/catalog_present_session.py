"""Messages of the live session: the fitted shared screen, the presenter view, and presentation modes."""

MESSAGES: dict[str, tuple[str, str]] = {
    # what a fitted slide leaves out (research/present/screen.py)
    "present.session.more": ("… and {count} more", "… и још {count}"),
    "present.session.more_lines": ("… and {count} more lines", "… и још {count} редова текста"),
    "present.session.more_rows": ("… and {count} more rows", "… и још {count} редова"),
    "present.session.more_columns": ("{count} more columns not shown", "Још {count} колона није приказано"),
    # presenter view (`?present=<deck>&presenter=1`)
    "present.session.presenter": ("Presenter view", "Поглед за говорника"),
    "present.session.presenter_help": (
        "Opens a second window with the current and next slide, your notes and a clock; either window moves both.",
        "Отвара други прозор са тренутним и следећим слајдом, белешкама и временом; било који прозор помера оба.",
    ),
    "present.presenter.now": ("Now: {title}", "Сада: {title}"),
    "present.presenter.next": ("Next: {title}", "Следи: {title}"),
    "present.presenter.last": ("This is the last slide.", "Ово је последњи слајд."),
    "present.presenter.notes": ("Speaker notes", "Белешке за говорника"),
    "present.presenter.no_notes": ("No notes for this slide.", "Овај слајд нема белешке."),
    "present.presenter.elapsed": ("Elapsed {time}", "Протекло {time}"),
    "present.presenter.restart": ("Restart clock", "Поново покрени сат"),
    "present.presenter.audience": ("Audience window", "Прозор за публику"),
    "present.presenter.audience_help": (
        "Opens the slide alone for the shared screen; it follows this window.",
        "Отвара само слајд за заједнички екран; прати овај прозор.",
    ),
    "present.presenter.alone": (
        "You may not change this workspace, so other windows do not follow your steps here.",
        "Не можете да мењате овај радни простор, па други прозори не прате ваше кораке овде.",
    ),
    "present.session.not_followed": (
        "Other windows could not follow: {message}",
        "Други прозори нису могли да прате: {message}",
    ),
}
