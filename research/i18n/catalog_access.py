"""Messages of sign-in, roles, the admin page and private notes (English, Serbian Cyrillic)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.admin": ("Admin", "Администрација"),
    "page.admin": ("Admin", "Администрација"),
    # sign-in and the sidebar
    "access.local_mode": (
        "Local single-user mode: no sign-in; changes are recorded under the name below.",
        "Локални режим за једног корисника: без пријаве; измене се бележе под именом испод.",
    ),
    "access.signed_in_as": ("Signed in as {email} ({role})", "Пријављени сте као {email} ({role})"),
    "access.signed_in_as_role": ("Signed in ({role})", "Пријављени сте ({role})"),
    "access.sign_in_prompt": (
        "This Vantage workspace is shared by a team: sign in with your company account to continue.",
        "Овај Vantage радни простор дели тим: пријавите се налогом компаније да бисте наставили.",
    ),
    "access.sign_in": ("Sign in", "Пријава"),
    "access.email": ("E-mail address", "Адреса е-поште"),
    "access.password": ("Password", "Лозинка"),
    "access.wrong_password": ("Wrong e-mail address or password.", "Погрешна адреса е-поште или лозинка."),
    "access.too_many_attempts": (
        "Too many wrong attempts: try again in {seconds} seconds.",
        "Превише погрешних покушаја: покушајте поново за {seconds} секунди.",
    ),
    "access.sign_out": ("Sign out", "Одјава"),
    "access.no_role_title": ("Ask an admin for access", "Затражите приступ од администратора"),
    "access.no_role": (
        "You are signed in as {email}, but this address has no role in this workspace yet, so no data is shown. "
        "Ask an admin to give you the viewer, editor or admin role.",
        "Пријављени сте као {email}, али ова адреса још нема улогу у овом радном простору, па се подаци не приказују. "
        "Затражите од администратора улогу посматрача, уредника или администратора.",
    ),
    "access.unverified_title": ("Address not confirmed", "Адреса није потврђена"),
    "access.unverified": (
        "Your identity provider did not confirm the address {email}, so it gets no role and no data is shown. "
        "Confirm the address with your identity provider and sign in again, or ask an admin to check the "
        "sign-in settings.",
        "Ваш добављач идентитета није потврдио адресу {email}, па она не добија улогу и подаци се не приказују. "
        "Потврдите адресу код свог добављача идентитета и пријавите се поново, или замолите администратора да "
        "провери подешавања пријаве.",
    ),
    "access.refused": (
        "Your role may not {action}. Ask an admin if you need it.",
        "Ваша улога не дозвољава: {action}. Обратите се администратору ако вам је потребно.",
    ),
    "access.role.viewer": ("viewer", "посматрач"),
    "access.role.editor": ("editor", "уредник"),
    "access.role.admin": ("admin", "администратор"),
    "access.action.read": ("look at this workspace", "преглед радног простора"),
    "access.action.present": ("present", "презентовање"),
    "access.action.write": ("change data", "измена података"),
    "access.action.query": ("run SQL queries", "покретање SQL упита"),
    "access.action.export": ("export raw data", "извоз сирових података"),
    "access.action.undo": ("undo your own batches", "поништавање сопствених серија"),
    "access.action.undo_any": ("undo anyone's batch", "поништавање туђих серија"),
    "access.action.import": ("import files and datasets", "увоз датотека и скупова података"),
    "access.action.collect": ("run collection", "покретање прикупљања"),
    "access.action.watchers": ("manage watchers", "управљање надзором страница"),
    "access.action.backup": ("back up the workspace", "прављење резервне копије радног простора"),
    "access.action.restore": ("restore a backup", "враћање резервне копије"),
    "access.action.demo": ("rebuild the demo market", "поновна израда демо тржишта"),
    "access.action.roles": ("assign roles", "додељивање улога"),
    "access.action.our_company": ("change which company is ours", "промена наше компаније"),
    # the admin page
    "admin.mode.local": (
        "Local single-user mode: nobody signs in and everyone at this computer has every right. "
        "Roles set here apply once sign-in is configured ({doc}).",
        "Локални режим за једног корисника: нико се не пријављује и свако за овим рачунаром има сва права. "
        "Улоге подешене овде важе када се подеси пријава ({doc}).",
    ),
    "admin.mode.oidc": (
        "Sign-in through your identity provider is on. A role is given by an exact address or by a whole domain "
        "({domain}); an exact address wins over its domain.",
        "Пријава преко добављача идентитета је укључена. Улога се додељује тачном адресом или целим доменом "
        "({domain}); тачна адреса има предност над својим доменом.",
    ),
    "admin.mode.password": (
        "Password sign-in is on: people sign in with the e-mail addresses and argon2 password hashes in the server's "
        "secrets. Roles are given by an exact address or a whole domain ({domain}); an exact address wins.",
        "Пријава лозинком је укључена: корисници се пријављују адресама е-поште и хешевима лозинки из тајних "
        "подешавања сервера. Улоге се додељују тачном адресом или целим доменом ({domain}); тачна адреса има предност.",
    ),
    "admin.actions": ("What each role may do", "Шта свака улога сме"),
    "admin.col.action": ("Action", "Радња"),
    "admin.col.least_role": ("Least role", "Најмања улога"),
    "admin.table": ("Roles kept in this workspace", "Улоге сачуване у овом радном простору"),
    "admin.table_empty": ("No roles are kept in this workspace yet.", "У овом радном простору још нема сачуваних улога."),
    "admin.secrets": ("Roles from the server's secrets (read-only here)", "Улоге из тајних подешавања сервера (овде само за читање)"),
    "admin.secrets_empty": ("The server's secrets assign no roles.", "Тајна подешавања сервера не додељују улоге."),
    "admin.col.pattern": ("Address or @domain", "Адреса или @домен"),
    "admin.col.role": ("Role", "Улога"),
    "admin.col.note": ("Note", "Напомена"),
    "admin.assign": ("Give a role", "Додела улоге"),
    "admin.pattern": ("E-mail address or @domain", "Адреса е-поште или @домен"),
    "admin.pattern_help": (
        "For example {person} for one person, or {domain} for everyone with that domain.",
        "На пример {person} за једну особу, или {domain} за све са тим доменом.",
    ),
    "admin.role": ("Role", "Улога"),
    "admin.note": ("Note (optional)", "Напомена (необавезно)"),
    "admin.save": ("Save role", "Сачувај улогу"),
    "admin.saved": ("{pattern} now has the role {role}.", "{pattern} сада има улогу: {role}."),
    "admin.remove": ("Remove a role", "Уклањање улоге"),
    "admin.remove_pick": ("Role to remove", "Улога за уклањање"),
    "admin.remove_button": ("Remove", "Уклони"),
    "admin.removed": ("The role of {pattern} was removed.", "Улога за {pattern} је уклоњена."),
    "admin.error.pattern": (
        "“{pattern}” is neither an e-mail address ({person}) nor a whole domain ({domain}).",
        "„{pattern}” није ни адреса е-поште ({person}) ни цео домен ({domain}).",
    ),
    # private notes
    "swot.private": ("Private note", "Приватна белешка"),
    "swot.private_help": (
        "Shown to you and to admins only; never on a shared screen and never in someone else's export.",
        "Видљиво само вама и администраторима; никад на заједничком екрану ни у туђем извозу.",
    ),
    "swot.private_marker": ("private", "приватно"),
    "competitors.notes_private": ("Private note", "Приватна белешка"),
    "competitors.notes_private_help": (
        "The notes are shown to you and to admins only; never on a shared screen, in a battlecard or in someone "
        "else's export.",
        "Белешке су видљиве само вама и администраторима; никад на заједничком екрану, у картици за продају ни у "
        "туђем извозу.",
    ),
    "competitors.notes_private_marker": (
        "Private note by {author}: shown to its author and admins only.",
        "Приватна белешка ({author}): виде је само аутор и администратори.",
    ),
    "competitors.notes_hidden": (
        "The notes are a private note of someone else; only their author and admins see or change them.",
        "Белешке су туђа приватна белешка; виде их и мењају само њихов аутор и администратори.",
    ),
}
