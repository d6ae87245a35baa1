"""Messages of the Present page: decks, session mode, the decision log."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    "present.data_gone": ("Data no longer available", "Подаци више нису доступни"),
}
