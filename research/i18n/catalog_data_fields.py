"""Messages of the Data page's Fields view (custom fields) and of custom fields in other forms."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # refusals of research/data/fields.py (the English is the CLI's text)
    "fields.error.no_field": (
        "{entity} has no custom field {name!r} (its custom fields: {known}).",
        "Табела {entity} нема сопствено поље „{name}” (њена сопствена поља: {known:sr}).",
    ),
    "fields.error.entity": (
        "Custom fields belong to {entities}; {entity!r} is not one of them.",
        "Сопствена поља имају табеле {entities}; „{entity}” није једна од њих.",
    ),
    "fields.problem.pattern": (
        "{name!r} is not a field name: use lower-case letters, digits and _, starting with a letter "
        "(at most 63 characters), e.g. {example!r}",
        "„{name}” није назив поља: користите мала слова, цифре и _, почевши словом (највише 63 знака), "
        "нпр. „{example}”",
    ),
    "fields.problem.sql_word": (
        "{name!r} is a reserved SQL word; choose another name, e.g. {example!r}",
        "„{name}” је резервисана реч језика SQL; изаберите други назив, нпр. „{example}”",
    ),
    "fields.problem.reserved": (
        "{name!r} is a name Vantage computes or keeps itself; choose another name",
        "„{name}” је назив који Vantage сам израчунава или чува; изаберите други назив",
    ),
    "fields.problem.builtin": (
        "{entity} already has a built-in field called {name!r}",
        "Табела {entity} већ има уграђено поље „{name}”",
    ),
    "fields.problem.custom": (
        "{entity} already has a custom field called {name!r}",
        "Табела {entity} већ има сопствено поље „{name}”",
    ),
    "fields.error.no_free_name": ("No free field name for {header!r}.", "Нема слободног назива поља за „{header}”."),
    "fields.what.en": ("English name", "енглески назив"),
    "fields.what.sr": ("Serbian name", "српски назив"),
    "fields.error.label_long": (
        "The {what} {text!r}… is longer than {max} characters.",
        "Поље „{what:sr}” („{text}…”) дуже је од {max} знакова.",
    ),
    "fields.error.choices_only": (
        "Only a choice field has a list of values; leave --choices out for this kind.",
        "Само поље са листом избора има вредности за избор; за ову врсту их изоставите.",
    ),
    "fields.error.choices_needed": (
        "A choice field needs its values, e.g. --choices \"A,B,C\".",
        "Поље са листом избора мора да има вредности, нпр. „A,B,C”.",
    ),
    "fields.error.choices_many": (
        "A choice field takes at most {max} values, not {n}.",
        "Поље са листом избора прима највише {max} вредности, а не {n}.",
    ),
    "fields.error.kind": (
        "{kind!r} is not a field kind; choose one of: {kinds}.",
        "„{kind}” није врста поља; изаберите једну од: {kinds}.",
    ),
    "fields.error.cannot_add": ("Cannot add the field: {problem}.", "Поље не може да се дода: {problem:sr}."),
    "fields.error.too_many": (
        "{entity} already has {max} custom fields; remove one before adding another.",
        "Табела {entity} већ има {max} сопствених поља; уклоните једно пре додавања новог.",
    ),
    "fields.error.cannot_rename": (
        "Cannot rename {name!r}: {problem}.",
        "Поље „{name}” не може да се преименује: {problem:sr}.",
    ),
    "fields.error.values_in_use": (
        "Cannot drop values still in use: {listed}; change those rows first.",
        "Вредности које се још користе не могу да се уклоне: {listed}; прво измените те редове.",
    ),
    "fields.error.nothing": (
        "Nothing to change: give a new name, an English or Serbian name, or choices.",
        "Нема шта да се промени: унесите нови назив, енглески или српски назив, или изборе.",
    ),
    "fields.error.in_use": (
        "{name!r} is used by {uses}. Those would stop working; confirm the removal (--yes in the CLI) or change "
        "them first.",
        "Поље „{name}” користе: {uses}. Они би престали да раде; потврдите уклањање или их прво измените.",
    ),
    "data.view.fields": ("Fields", "Поља"),
    "data.fields.help": (
        "Your own fields for accounts, companies and products. Each is a real column: edited in the grid, imported, "
        "exported and used in segments like the built-in fields.",
        "Ваша поља за клијенте, компаније и производе. Свако је права колона: уређује се у табели, увози, извози "
        "и користи у сегментима као уграђена поља.",
    ),
    "data.fields.none": ("This table has no custom fields yet.", "Ова табела још нема сопствених поља."),
    "data.fields.col.name": ("Column", "Колона"),
    "data.fields.col.kind": ("Kind", "Врста"),
    "data.fields.col.label_en": ("English name", "Енглески назив"),
    "data.fields.col.label_sr": ("Serbian name", "Српски назив"),
    "data.fields.col.choices": ("Choices", "Избори"),
    "data.fields.col.rows": ("Rows with a value", "Редова са вредношћу"),
    "data.fields.kind": ("Kind", "Врста"),
    "data.fields.kind.int": ("Whole number", "Цео број"),
    "data.fields.kind.number": ("Number", "Број"),
    "data.fields.kind.money": ("Money (in the row's currency)", "Новац (у валути реда)"),
    "data.fields.kind.percent": ("Percent", "Проценат"),
    "data.fields.kind.text": ("Text", "Текст"),
    "data.fields.kind.choice": ("Choice list", "Листа избора"),
    "data.fields.kind.date": ("Date", "Датум"),
    "data.fields.kind.bool": ("Yes/no", "Да/не"),
    "data.fields.read_only": (
        "Adding, renaming and removing fields is for editors, in a workspace that is not read-only.",
        "Додавање, преименовање и уклањање поља је за уреднике, у радном простору који није само за читање.",
    ),
    "data.fields.add": ("Add a field", "Додај поље"),
    "data.fields.name": ("Column name", "Назив колоне"),
    "data.fields.name_help": (
        "Lower-case letters, digits and _, starting with a letter, e.g. {example}. The Query page and the command "
        "line use this name.",
        "Мала слова, цифре и _, почиње словом, нпр. {example}. Страна упита и командна линија користе овај назив.",
    ),
    "data.fields.label_en": ("English name", "Енглески назив"),
    "data.fields.label_sr": ("Serbian name", "Српски назив"),
    "data.fields.label_help": (
        "The column's title in the grid, in exports and in forms; empty: made from the column name.",
        "Наслов колоне у табели, извозу и обрасцима; ако је празно, прави се од назива колоне.",
    ),
    "data.fields.choices": ("Choices (choice list only)", "Избори (само за листу избора)"),
    "data.fields.choices_help": ("Separated by commas, e.g. {example}.", "Раздвојени зарезима, нпр. {example}."),
    "data.fields.choices_only": (
        "Only a choice list has choices: empty the Choices box or choose the kind Choice list.",
        "Само листа избора има изборе: испразните поље Избори или изаберите врсту Листа избора.",
    ),
    "data.fields.add_submit": ("Add field", "Додај поље"),
    "data.fields.added": ("Field {name} added.", "Поље {name} је додато."),
    "data.fields.change": ("Rename or change a field", "Преименујте или измените поље"),
    "data.fields.pick": ("Field", "Поље"),
    "data.fields.pick_none": ("(choose a field)", "(изаберите поље)"),
    "data.fields.change_help": (
        "A new column name is carried into the saved segments, weight sets and slides that use the field; saved "
        "queries are text and must be changed by hand.",
        "Нови назив колоне преноси се у сачуване сегменте, скупове тежина и слајдове који користе поље; сачувани "
        "упити су текст и мењају се ручно.",
    ),
    "data.fields.change_submit": ("Save field", "Сачувај поље"),
    "data.fields.changed": ("Field {name} saved.", "Поље {name} је сачувано."),
    "data.fields.remove": ("Remove a field", "Уклоните поље"),
    "data.fields.remove_rows": (
        "{rows} rows hold a value in {name}. Removing the field deletes those values; the change log records the "
        "removal but cannot bring them back.",
        "{rows} редова има вредност у пољу {name}. Уклањање поља брише те вредности; дневник измена бележи "
        "уклањање, али не може да их врати.",
    ),
    "data.fields.remove_uses": ("Used by:", "Користе га:"),
    "data.fields.remove_unused": (
        "No saved segment, weight set, slide or query uses it.",
        "Ниједан сачувани сегмент, скуп тежина, слајд или упит га не користи.",
    ),
    "data.fields.remove_confirm": ("Yes, remove {name} and its values", "Да, уклони {name} и његове вредности"),
    "data.fields.remove_go": ("Remove field", "Уклони поље"),
    "data.fields.removed": ("Field {name} removed ({rows} values deleted).", "Поље {name} је уклоњено ({rows} вредности обрисано)."),
    # The company profile form (Competitors page)
    "competitors.more_fields": ("More fields", "Још поља"),
    "competitors.more_fields_help": (
        "This workspace's own company fields (Data page, Fields).",
        "Сопствена поља компанија овог радног простора (страна Подаци, Поља).",
    ),
    "competitors.bool.yes": ("Yes", "Да"),
    "competitors.bool.no": ("No", "Не"),
    "data.links.title": ("Link a dataset to accounts", "Повежи скуп података са клијентима"),
    "data.links.help": (
        "Copy a dataset's columns into account fields, matched by a key (a VAT number, a name, a code). "
        "The fields then work in segments, clustering and exports like any other; refresh after importing the dataset again.",
        "Копирај колоне скупа података у поља клијената, упарене по кључу (ПИБ, назив, шифра). "
        "Поља онда раде у сегментима, груписању и извозу као и друга; освежи после поновног увоза скупа.",
    ),
    "data.links.row": (
        "**{dataset}**: {column} = accounts.{account_key}; {columns}; {matched} accounts matched, {unmatched} dataset rows matched none.",
        "**{dataset}**: {column} = {account_key} клијента; {columns}; упарено клијената: {matched}, неупарених редова скупа: {unmatched}.",
    ),
    "data.links.refresh": ("Refresh", "Освежи"),
    "data.links.unlink": ("Unlink", "Раздвоји"),
    "data.links.refreshed": ("{dataset} copied again: {matched} accounts matched.", "{dataset} поново копиран: упарено клијената: {matched}."),
    "data.links.unlinked": ("{dataset} is no longer linked; its account fields stay.", "{dataset} више није повезан; поља клијената остају."),
    "data.links.dataset": ("Dataset", "Скуп података"),
    "data.links.key": ("Its key column", "Његова кључна колона"),
    "data.links.account_key": ("equals the accounts'", "једнака пољу клијената"),
    "data.links.columns": ("Columns to copy", "Колоне за копирање"),
    "data.links.columns_help": ("None chosen: every column but the key.", "Ништа изабрано: све колоне осим кључа."),
    "data.links.go": ("Link to accounts", "Повежи са клијентима"),
    "data.links.done": (
        "Linked {dataset}: new account fields {fields}; {matched} accounts matched, {unmatched} dataset rows matched none.",
        "Повезан {dataset}: нова поља клијената {fields}; упарено клијената: {matched}, неупарених редова скупа: {unmatched}.",
    ),
}
