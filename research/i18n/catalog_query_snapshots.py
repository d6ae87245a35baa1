"""Messages of the Query page about its snapshot: how old the data is and whether a newer snapshot is coming."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    "query.snapshot_age": ("Snapshot age: {age}.", "Старост копије: {age}."),
    "query.snapshot_preparing": (
        "A newer snapshot is being prepared; queries run on this one until it is ready.",
        "Припрема се новија копија; упити до тада раде над овом.",
    ),
    "query.snapshot_first": (
        "Preparing the query snapshot of the workspace; a query started now waits for it.",
        "Припрема се копија радног простора за упите; упит покренут сада чека на њу.",
    ),
    "query.age_seconds": ("{n} s", "{n} с"),
    "query.age_minutes": ("{n} min", "{n} мин"),
    "query.age_hours": ("{h} h {m} min", "{h} ч {m} мин"),
}
