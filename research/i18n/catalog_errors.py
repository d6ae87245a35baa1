"""Titles of the error classes (research.errors and the domains' own), shown above an error's sentence."""

# key: (English, Serbian Cyrillic); `error.title.<Class>` must match the class's `title` in English.
MESSAGES: dict[str, tuple[str, str]] = {
    "error.title.VantageError": ("Something went wrong", "Нешто није у реду"),
    "error.title.StoreError": ("Workspace error", "Грешка радног простора"),
    "error.title.WorkspaceOpenError": ("Cannot open the workspace", "Радни простор не може да се отвори"),
    "error.title.ReadOnlyError": ("The workspace is read-only", "Радни простор је само за читање"),
    "error.title.ConflictError": ("Changed by someone else", "Неко други је већ изменио"),
    "error.title.ValidationError": ("Invalid input", "Неисправан унос"),
    "error.title.DemoError": ("Cannot build the demo market", "Демо тржиште не може да се направи"),
    "error.title.FetchError": ("Cannot fetch the page", "Страница не може да се преузме"),
    "error.title.ExtractError": ("Cannot read the page", "Страница не може да се прочита"),
    "error.title.QueryError": ("The query failed", "Упит није успео"),
    "error.title.QueryRefused": ("Query refused", "Упит је одбијен"),
    "error.title.QueryTimeout": ("Query stopped", "Упит је заустављен"),
    "error.title.InboxError": ("Collection inbox", "Пријемна фасцикла прикупљања"),
    "error.title.GridRefused": ("Not saved", "Није сачувано"),
    "error.title.ImportRefused": ("Import refused", "Увоз је одбијен"),
    "error.title.UndoBlocked": ("Cannot undo", "Не може да се поништи"),
    "error.title.BandsInUse": ("Bands in use", "Распони су у употреби"),
    "error.title.SegmentNameTaken": ("Name already taken", "Назив је већ заузет"),
    "error.title.PermissionDenied": ("Not allowed", "Није дозвољено"),
}

# Refusals of the store (research/store/core.py). The store sits below the catalog, so it gives each
# error its key and values and keeps its own English sentence, which must equal the English here.
MESSAGES.update({
    "store.error.read_only": (
        "The workspace is open read-only; changes cannot be saved.",
        "Радни простор је отворен само за читање; измене не могу да се сачувају.",
    ),
    "store.error.conflict": (
        "Someone else changed the same rows at the same moment; nothing was saved. Try again.",
        "Неко други је у истом тренутку изменио исте редове; ништа није сачувано. Покушајте поново.",
    ),
    "store.error.not_saved": ("Not saved: {detail}", "Није сачувано: {detail}"),
    "store.error.gone": (
        "{table} row {row_id} no longer exists; someone removed it.",
        "Запис ({table:sr}, ред {row_id}) више не постоји; неко га је уклонио.",
    ),
    "store.error.stale": (
        "{table} row {row_id} was changed after you loaded it; reload and re-apply your edit.",
        "Запис ({table:sr}, ред {row_id}) је измењен пошто сте га учитали; учитајте поново и поновите измену.",
    ),
    "store.error.stale_by": (
        "{table} row {row_id} was changed by {who} at {when} after you loaded it; reload and re-apply your edit.",
        "Запис ({table:sr}, ред {row_id}) изменио је {who} у {when} пошто сте га учитали; учитајте поново и "
        "поновите измену.",
    ),
    "store.error.reference": (
        "{table}.{column} points at {parent} row {value}, which does not exist.",
        "Поље {column} ({table:sr}) упућује на ред {value} табеле {parent}, који не постоји.",
    ),
    "store.error.referenced": (
        "{table} row {row_id} cannot be removed: {n} {child} rows refer to it (archive it instead).",
        "Запис ({table:sr}, ред {row_id}) не може да се уклони: на њега упућује {n} редова табеле {child} "
        "(архивирајте га уместо тога).",
    ),
})

# research.permissions.require (below the catalog: it gives the key and the codes; error_text names the role
# and the action in Serbian from access.role.* and access.action.*).
MESSAGES.update({
    "access.error.denied": (
        "{name} is signed in as {role} and may not {action}: that needs the {needs} role; ask an admin.",
        "{name} је пријављен(а) као {role:sr} и нема право на: {action:sr}; за то је потребна улога „{needs:sr}”; "
        "обратите се администратору.",
    ),
})
