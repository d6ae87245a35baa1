"""Messages of the Present area's refusals: decks, slides, decisions, exports and the monthly report.

Raised with research.i18n.keyed_error, so the CLI prints the English text and a page shows
the viewer's language. Numbers keep English thousands separators only in English.
"""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # a required text left empty
    "decks.error.empty.deck_name": ("The deck name is empty.", "Назив презентације је празан."),
    "decks.error.empty.slide_title": ("The slide title is empty.", "Наслов слајда је празан."),
    "decks.error.empty.view": ("The view id is empty.", "Ознака приказа је празна."),
    "decks.error.empty.decision_text": ("The decision text is empty.", "Текст одлуке је празан."),
    # a text over its limit
    "decks.error.too_long.deck_name": (
        "The deck name is {length:,} characters long; the limit is {limit:,}.",
        "Назив презентације има {length} знакова; највише је {limit}.",
    ),
    "decks.error.too_long.deck_description": (
        "The deck description is {length:,} characters long; the limit is {limit:,}.",
        "Опис презентације има {length} знакова; највише је {limit}.",
    ),
    "decks.error.too_long.slide_title": (
        "The slide title is {length:,} characters long; the limit is {limit:,}.",
        "Наслов слајда има {length} знакова; највише је {limit}.",
    ),
    "decks.error.too_long.slide_text": (
        "The slide text is {length:,} characters long; the limit is {limit:,}.",
        "Текст слајда има {length} знакова; највише је {limit}.",
    ),
    "decks.error.too_long.speaker_notes": (
        "The speaker notes is {length:,} characters long; the limit is {limit:,}.",
        "Белешке за говорника имају {length} знакова; највише је {limit}.",
    ),
    "decks.error.too_long.view": (
        "The view id is {length:,} characters long; the limit is {limit:,}.",
        "Ознака приказа има {length} знакова; највише је {limit}.",
    ),
    "decks.error.too_long.decision_text": (
        "The decision text is {length:,} characters long; the limit is {limit:,}.",
        "Текст одлуке има {length} знакова; највише је {limit}.",
    ),
    "decks.error.too_long.owner": (
        "The owner is {length:,} characters long; the limit is {limit:,}.",
        "Име одговорне особе има {length} знакова; највише је {limit}.",
    ),
    "decks.error.params": (
        "The view's settings cannot be saved with the slide: {reason}.",
        "Подешавања приказа не могу да се сачувају уз слајд: {reason}.",
    ),
    "decks.error.no_deck": (
        "Deck {deck_id} does not exist (it may have been deleted).",
        "Презентација {deck_id} не постоји (можда је обрисана).",
    ),
    "decks.error.not_found": (
        "No deck is called “{name}”. Decks: {names}.",
        "Ниједна презентација се не зове „{name}”. Презентације: {names}.",
    ),
    "decks.error.not_found_none": (
        "No deck is called “{name}”. Decks: none yet.",
        "Ниједна презентација се не зове „{name}”. Још нема презентација.",
    ),
    "decks.error.name_taken": (
        "A deck called “{name}” already exists; choose another name.",
        "Презентација „{name}” већ постоји; изаберите други назив.",
    ),
    "decks.error.no_slide": (
        "Slide {slide_id} does not exist (it may have been removed).",
        "Слајд {slide_id} не постоји (можда је уклоњен).",
    ),
    "decks.error.text_kind": (
        "A text slide is of kind text or title, not “{kind}”.",
        "Текстуални слајд је врсте „текст” или „наслов”, а не „{kind}”.",
    ),
    "decks.error.reordered": (
        "The deck's slides changed while you were reordering them; reload and try again.",
        "Слајдови презентације су се променили док сте их премештали; учитајте поново и покушајте опет.",
    ),
    "decks.error.decision_kind": (
        "A log entry is a decision or an action item, not “{kind}”.",
        "Ставка дневника је одлука или задатак, а не „{kind}”.",
    ),
    "decks.error.due_date": (
        "The due date “{value}” is not a date (use YYYY-MM-DD).",
        "Рок „{value}” није датум (пишите ГГГГ-ММ-ДД).",
    ),
    "decks.error.status": (
        "A decision's status is open, done or dropped, not “{status}”.",
        "Статус одлуке је „отворено”, „урађено” или „одустало се”, а не „{status}”.",
    ),
    "decks.error.no_decision": (
        "Decision {decision_id} does not exist (it may have been removed).",
        "Одлука {decision_id} не постоји (можда је уклоњена).",
    ),
    # live sessions
    "session.error.no_deck": (
        "Deck {deck_id} does not exist, so it cannot be presented.",
        "Презентација {deck_id} не постоји, па не може да се прикаже.",
    ),
    "session.error.empty": (
        "Deck {deck_id} has no slides to present.",
        "Презентација {deck_id} нема слајдове за приказ.",
    ),
    "session.error.slide": (
        "Slide {slide} is not in deck {deck_id}: it has slides 1 to {total}.",
        "Слајд {slide} није у презентацији {deck_id}: она има слајдове од 1 до {total}.",
    ),
    # exports
    "present.error.empty_deck": (
        "The deck “{name}” has no slides yet; add a view or a text slide before exporting it.",
        "Презентација „{name}” још нема слајдове; додајте приказ или текстуални слајд пре извоза.",
    ),
    "present.error.export_suffix": (
        "Cannot export a deck as “{name}”: use a .pptx, .md or .zip file, or a folder for images.",
        "Презентација не може да се извезе као „{name}”: користите датотеку за PowerPoint, Маркдаун (.md) или архиву, или фасциклу за слике.",
    ),
    "present.error.export_kind": (
        "Unknown export kind “{kind}”; choose pptx, md or zip.",
        "Непозната врста извоза „{kind}”; изаберите PowerPoint, Маркдаун или архиву слика.",
    ),
    "present.error.image_format": (
        "Slides can be exported as png or svg images, not “{fmt}”.",
        "Слајдови се извозе као слике ПНГ или СВГ, а не „{fmt}”.",
    ),
    "present.error.images_file": (
        "Cannot write images to {target}: a file of that name exists.",
        "Слике не могу да се упишу у {target}: већ постоји датотека тог назива.",
    ),
    "present.error.images_foreign": (
        "The folder {target} already holds other files ({files}); choose a new or empty folder.",
        "Фасцикла {target} већ садржи друге датотеке ({files}); изаберите нову или празну фасциклу.",
    ),
    # the monthly report
    "report.error.month_missing": (
        "Say which month the report covers, as YYYY-MM (for example {example}).",
        "Наведите месец који извештај обухвата, као ГГГГ-ММ (на пример {example}).",
    ),
    "report.error.not_month": (
        "“{value}” is not a month: write it as YYYY-MM, for example {example}.",
        "„{value}” није месец: пишите га као ГГГГ-ММ, на пример {example}.",
    ),
    "report.error.month_range": (
        "“{value}” is not a month: the month runs from 01 to 12 (YYYY-MM).",
        "„{value}” није месец: месец иде од 01 до 12 (ГГГГ-ММ).",
    ),
    "report.error.too_old": (
        "“{value}” is too long ago for a report: pick a year from 1900 on.",
        "„{value}” је предалеко у прошлости за извештај: изаберите годину од 1900. надаље.",
    ),
    "report.error.future": (
        "The month {month} has not begun yet (today is {today}): a report covers this month or an earlier one.",
        "Месец {month} још није почео (данас је {today}): извештај обухвата овај или неки ранији месец.",
    ),
    "report.error.format": (
        "A report is written as pptx or md, not “{fmt}”.",
        "Извештај се пише као PowerPoint или Маркдаун, а не „{fmt}”.",
    ),
    "report.error.suffix": (
        "Cannot write the report to {path}: use a file ending in .pptx or .md.",
        "Извештај не може да се упише у {path}: користите датотеку за PowerPoint или Маркдаун (.md).",
    ),
}
