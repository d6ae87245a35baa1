"""Messages of the refusals raised by collection (watchers, fetching, the page reader, the inbox) and by roles.

Raised with research.i18n.keyed_error (research.permissions, below i18n, passes key and params
itself), so the CLI prints the English text and a page shows the viewer's language. The English
text is the sentence each module raised before it was keyed: CLI output, run messages and the
Collect page's reading of run messages (research.collect.views) depend on it, so change it only
together with them. Code-like words (option values, settings, syntax) ride in as placeholders.
"""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # a watcher as typed (research.collect.watchers)
    "watchers.error.kind": (
        "The watcher kind must be one of {kinds}, not {kind!r}.",
        "Врста праћења мора бити једна од ових: {kinds}; унето је „{kind}”.",
    ),
    "watchers.error.schedule": (
        "The schedule must be one of {schedules}, not {schedule!r}.",
        "Распоред мора бити један од ових: {schedules}; унето је „{schedule}”.",
    ),
    "watchers.error.no_fields": (
        "A selectors watcher needs at least one field (name and CSS selector).",
        "Праћење поља по селектору тражи бар једно поље (назив и селектор).",
    ),
    "watchers.error.no_item_selector": (
        "A listing watcher needs an item selector (the element around each product).",
        "Праћење списка тражи селектор ставке (елемент око сваког производа).",
    ),
    "watchers.error.field_twice": (
        "Two fields share a name; give each field its own name.",
        "Два поља имају исти назив; дајте сваком пољу посебан назив.",
    ),
    "watchers.error.min_change": (
        "The minimum price change is a percentage from 0 to 1000.",
        "Најмања промена цене је проценат од 0 до 1000.",
    ),
    "watchers.error.no_product": (
        "There is no product {product_id} in this workspace.",
        "У овом радном простору нема производа {product_id}.",
    ),
    "watchers.error.no_watcher": (
        "There is no watcher {watcher_id} in this workspace.",
        "У овом радном простору нема праћења {watcher_id}.",
    ),
    "watchers.error.no_watchers": (
        "No watcher with id {ids} in this workspace.",
        "У овом радном простору нема праћења са ознаком {ids}.",
    ),
    "watchers.error.no_company": (
        "There is no company {company!r} in this workspace.",
        "У овом радном простору нема компаније „{company}”.",
    ),
    # web addresses refused before anything is fetched (research.collect.fetch)
    "fetch.error.too_long": (
        "The web address is {length:,} characters long; at most {limit:,} are fetched.",
        "Веб-адреса има {length} знакова; преузимају се адресе од највише {limit} знакова.",
    ),
    "fetch.error.invalid": (
        "{url!r} is not a valid web address ({reason}).",
        "„{url}” није исправна веб-адреса ({reason}).",
    ),
    "fetch.error.scheme": (
        "Only {http} and {https} addresses can be watched, not {scheme}: {url!r}.",
        "Пратити се могу само адресе {http} и {https}, а не {scheme}: „{url}”.",
    ),
    "fetch.error.no_scheme": (
        "Only {http} and {https} addresses can be watched, not this: {url!r}.",
        "Пратити се могу само адресе {http} и {https}, а „{url}” то није.",
    ),
    "fetch.error.no_host": ("{url!r} has no host name.", "„{url}” нема име сервера."),
    "fetch.error.credentials": (
        "Addresses with a user name or password in them are not fetched.",
        "Адресе које садрже корисничко име или лозинку не преузимају се.",
    ),
    "fetch.error.metadata": (
        "{host} is a cloud metadata address; it is never fetched.",
        "{host} је адреса метаподатака облака; она се никад не преузима.",
    ),
    "fetch.error.dns": (
        "The host {host} cannot be found ({dns}: {reason}).",
        "Сервер {host} није пронађен ({dns}: {reason}).",
    ),
    # an address the policy forbids, one key per reason (_forbidden_ip)
    "fetch.error.address.loopback": (
        "{host} resolves to {address}, a loopback address; add it to {setting} to fetch intranet pages.",
        "{host} води на адресу {address}, адресу овог рачунара; додајте је у {setting} да бисте преузимали "
        "интерне странице.",
    ),
    "fetch.error.address.link_local": (
        "{host} resolves to {address}, a link-local address (cloud metadata lives there); add it to {setting} "
        "to fetch intranet pages.",
        "{host} води на адресу {address}, локалну адресу везе (на њој су метаподаци облака); додајте је у "
        "{setting} да бисте преузимали интерне странице.",
    ),
    "fetch.error.address.private": (
        "{host} resolves to {address}, a private network address; add it to {setting} to fetch intranet pages.",
        "{host} води на адресу {address}, адресу приватне мреже; додајте је у {setting} да бисте преузимали "
        "интерне странице.",
    ),
    "fetch.error.address.reserved": (
        "{host} resolves to {address}, a reserved address; add it to {setting} to fetch intranet pages.",
        "{host} води на адресу {address}, резервисану адресу; додајте је у {setting} да бисте преузимали "
        "интерне странице.",
    ),
    # the page reader, a worker process (research.collect.isolation)
    "reader.error.start_os": (
        "The page reader could not start ({reason}).",
        "Читач страница није могао да се покрене ({reason}).",
    ),
    "reader.error.start_packages": (
        "The page reader could not start; check that the project's packages are installed.",
        "Читач страница није могао да се покрене; проверите да ли су инсталирани пакети пројекта.",
    ),
    "reader.error.start": ("The page reader could not start.", "Читач страница није могао да се покрене."),
    "reader.error.no_time": (
        "The time limit for reading a page must be more than zero seconds.",
        "Време за читање странице мора бити веће од нула секунди.",
    ),
    "reader.error.timeout": (
        "Reading the page took longer than {seconds:g} s and was stopped; the page is unusually large "
        "or built to slow readers down ({setting} sets the limit).",
        "Читање странице трајало је дуже од {seconds:g} с и заустављено је; страница је необично велика "
        "или направљена да успори читаче (границу поставља {setting}).",
    ),
    "reader.error.crashed": (
        "Reading the page stopped the page reader (it ran out of memory or crashed); nothing was extracted.",
        "Читање странице је зауставило читач страница (остао је без меморије или се срушио); ништа није "
        "прочитано.",
    ),
    "reader.error.unreadable": ("The page could not be read.", "Страница није могла да се прочита."),
    "reader.error.too_deep": (
        "The page is nested too deeply to read.",
        "Страница је сувише дубоко угнеждена да би се прочитала.",
    ),
    "reader.error.memory": (
        "The page needs more memory to read than this machine gives it.",
        "За читање ове странице потребно је више меморије него што овај рачунар даје.",
    ),
    # a run's message for a bug on one page (research.collect.run writes it; views can read it with this key)
    "reader.error.internal": (
        "internal error while reading the page ({error})",
        "Интерна грешка при читању странице ({error}).",
    ),
    # field definitions and watcher kinds (research.collect.extract)
    "extract.error.field_form": (
        "A field is written {form} selector, e.g. {example}; got {text!r}.",
        "Поље се пише у облику {form} (назив=селектор), на пример {example}; унето је „{text}”.",
    ),
    "extract.error.field_name": (
        "A field name is a short word (letters, digits, _ or -), not {name!r}.",
        "Назив поља је кратка реч (слова, цифре, _ или -), а не „{name}”.",
    ),
    "extract.error.field_type": (
        "Field {name}: the type must be one of {types}, not {type!r}.",
        "Поље {name}: врста мора бити једна од ових: {types}; унето је „{type}”.",
    ),
    "extract.error.field_regex": (
        "Field {name}: the pattern {regex!r} is not a valid regular expression ({reason}).",
        "Поље {name}: образац „{regex}” није исправан регуларни израз ({reason}).",
    ),
    "extract.error.selector_empty": ("The CSS selector is empty.", "Селектор је празан."),
    "extract.error.selector": (
        "{css!r} is not a CSS selector this tool understands ({reason}).",
        "„{css}” није селектор који овај алат разуме ({reason}).",
    ),
    "extract.error.selector_items": (
        "{css!r} is not a CSS selector this tool understands.",
        "„{css}” није селектор који овај алат разуме.",
    ),
    "extract.error.kind": ("Unknown watcher kind {kind!r}.", "Непозната врста праћења: „{kind}”."),
    # the collection inbox (research.collect.inbox)
    "inbox.error.write": (
        "Cannot write the collection inbox {folder}: {reason}.",
        "Не може да се упише у пријемну фасциклу прикупљања {folder}: {reason}.",
    ),
    "inbox.error.read": (
        "The inbox file {file} cannot be read ({reason}); move it away to continue.",
        "Датотека {file} из пријемне фасцикле не може да се прочита ({reason}); преместите је да бисте наставили.",
    ),
    "inbox.error.move": (
        "Merged {file} but cannot move it to {folder}: {reason}.",
        "Датотека {file} је спојена, али не може да се премести у {folder}: {reason}.",
    ),
    "inbox.error.no_watcher_list": (
        "The workspace is in use and no watcher list was exported to {folder} yet; "
        "open the Collect page once or run {command} while the app is closed.",
        "Радни простор је заузет, а списак праћења још није извезен у {folder}; "
        "једном отворите страницу „Прикупљање” или покрените {command} док је апликација затворена.",
    ),
    "inbox.error.watcher_list": (
        "The exported watcher list {path} cannot be read ({reason}).",
        "Извезени списак праћења {path} не може да се прочита ({reason}).",
    ),
    # role rules in secrets and in the table (research.permissions, research.access.roles)
    "roles.error.domain": (
        "{text!r} is not a domain rule; write it as {example}.",
        "„{text}” није правило за домен; пишите га као {example}.",
    ),
    "roles.error.pattern": (
        "{text!r} is not an e-mail address or an {domain} rule.",
        "„{text}” није ни адреса е-поште ни правило за домен ({domain}).",
    ),
    "roles.error.list": (
        "Unknown role list {name!r} in {section}; use {admins}, {editors} or {viewers}.",
        "Непознат списак улога „{name}” у {section}; користите {admins}, {editors} или {viewers}.",
    ),
    "roles.error.entries": (
        "The role list {name} in {section} must be an address, an {domain} rule or a list of them, not {value!r}.",
        "Списак улога {name} у {section} мора бити адреса, правило за домен ({domain}) или списак њих, "
        "а не „{value}”.",
    ),
    "roles.error.role": (
        "{role!r} is not a role; choose {viewer}, {editor} or {admin}.",
        "„{role}” није улога; изаберите {viewer}, {editor} или {admin}.",
    ),
}
