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
