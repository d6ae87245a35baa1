"""Messages of deals as an entity (issue 20 item 1): the Data page's deals grid and import, the reason
list and a deal's reasons (research.data.reasons), and the `deal` command's refusals."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    "data.entity.deals": ("Deals", "Послови"),
    "data.field.account_id": ("Account", "Клијент"),
    "data.field.outcome": ("Outcome", "Исход"),
    "data.field.competitor_id": ("Competitor", "Конкурент"),
    "data.field.value": ("Value", "Вредност"),
    "data.field.closed_on": ("Closed on", "Затворен"),
    "data.field.stage": ("Stage", "Фаза"),
    "data.field.reasons": ("Reasons", "Разлози"),
    "data.filter.outcome": ("Outcome", "Исход"),
    "data.choice.outcome.open": ("Open", "Отворен"),
    "data.choice.outcome.won": ("Won", "Добијен"),
    "data.choice.outcome.lost": ("Lost", "Изгубљен"),
    "data.table.deal_reasons": ("Deal reasons", "Разлози исхода послова"),
    "data.table.deal_reason_links": ("Reasons of deals", "Разлози појединих послова"),
    "changes.thing.deal_reasons": ("deal reason|deal reasons",
                                   "разлог исхода|разлога исхода|разлога исхода"),
    "changes.thing.deal_reason_links": ("reason of a deal|reasons of deals",
                                        "разлог посла|разлога послова|разлога послова"),
    # The Query page's schema browser
    "query.object.deal_reasons": (
        "The workspace's reasons deals are won and lost for: code, English and Serbian name, order, archived.",
        "Разлози због којих се послови добијају и губе: ознака, назив на енглеском и српском, редослед, архивиран.",
    ),
    "query.object.deal_reason_links": (
        "Each deal's reasons: one row per deal and reason, with a note.",
        "Разлози сваког посла: један ред по послу и разлогу, са напоменом.",
    ),
    # Problems by row and column (research.data.entities.problem_text)
    "data.problem.no_ref.accounts": ("no such account (give its id or name)",
                                     "нема таквог клијента (наведите ид или назив)"),
    "data.problem.unknown_reason": (
        "unknown reason; give a code or a name in English or Serbian, several separated by ; — {allowed}",
        "непознат разлог; наведите ознаку или назив на енглеском или српском, више њих одвојених са ; — {allowed:sr}",
    ),
    "data.problem.reason_archived": (
        "this reason is archived: it stays on older deals but cannot be added to a deal",
        "овај разлог је архивиран: остаје на ранијим пословима, али не може да се дода послу",
    ),
    "data.problem.competitor_is_us": (
        "this is our own company; the competitor is who won the deal or whom we displaced",
        "ово је наша компанија; конкурент је онај ко је добио посао или кога смо потиснули",
    ),
    # The grid's reasons column
    "deals.reasons_help": (
        "Several reasons separated by ; — a code or a name in English or Serbian: {reasons}",
        "Више разлога одвојених са ; — ознака или назив на енглеском или српском: {reasons}",
    ),
    "deals.reasons_caption": (
        "Reasons a deal was won or lost: {reasons}. The list is the workspace's own: {command}",
        "Разлози због којих је посао добијен или изгубљен: {reasons}. Списак води радни простор: {command}",
    ),
    # research.data.reasons refusals (the CLI prints the English)
    "deals.error.unknown_reason": (
        "Unknown reason {word!r}; give a code ({codes}) or a name in English or Serbian: {allowed}.",
        "Непознат разлог „{word}”; наведите ознаку ({codes}) или назив на енглеском или српском: {allowed:sr}.",
    ),
    "deals.error.no_reason": ("There is no reason {code!r}; the workspace's reasons: {codes}.",
                              "Нема разлога „{code}”; разлози радног простора: {codes}."),
    "deals.error.reason_code": (
        "{code!r} cannot be a reason code: use lower-case letters, digits and _ starting with a letter, at most 40 (e.g. {example}).",
        "„{code}” не може бити ознака разлога: користите мала латинична слова, цифре и _, почев од слова, највише 40 (нпр. {example}).",
    ),
    "deals.error.reason_exists": ("There is already a reason {code!r}.", "Разлог „{code}” већ постоји."),
    "deals.error.label_empty": ("The {which} name of the reason is empty.", "Назив разлога ({which:sr}) је празан."),
    "deals.error.label_long": ("The {which} name {label!r}… is longer than {max} characters.",
                               "Назив ({which:sr}) „{label}”… је дужи од {max} знакова."),
    "deals.error.label_chars": (
        "The {which} name {label!r} contains ; , | or invisible characters, which separate reasons in cells and files.",
        "Назив ({which:sr}) „{label}” садржи ; , | или невидљиве знакове, који у ћелијама и датотекама раздвајају разлоге.",
    ),
    "deals.error.label_taken": ("{label!r} already names the reason {code!r}; reasons must be told apart.",
                                "„{label}” је већ назив или ознака разлога „{code}”; разлози морају да се разликују."),
    "deals.error.position": ("The position {position} is not a whole number from 0 to 100,000.",
                             "Место {position} није цео број од 0 до 100.000."),
    "deals.error.nothing_to_change": ("Nothing to change for the reason {code!r}: give a new name or position.",
                                      "За разлог „{code}” нема шта да се мења: наведите нови назив или место."),
    "deals.error.note_long": ("A reason's note is longer than {max} characters.",
                              "Напомена уз разлог је дужа од {max} знакова."),
    "deals.error.note_chars": ("A reason's note contains invisible or direction-changing characters.",
                               "Напомена уз разлог садржи невидљиве знакове или знакове који мењају смер текста."),
    "deals.error.note_reason": ("A note for {word!r}, which is not among the reasons given ({given}).",
                                "Напомена за „{word}”, а тај разлог није међу наведенима ({given})."),
    "deals.error.no_deal": ("There is no deal {deal}.", "Нема посла {deal}."),
    "deals.error.no_company": ("There is no company {name!r}; the closest names: {near}.",
                               "Нема компаније „{name}”; најсличнији називи: {near}."),
    "deals.error.reason_archived": (
        "The reason {code!r} is archived: it stays on the deals that have it but cannot be added; restore it first: {command}",
        "Разлог „{code}” је архивиран: остаје на пословима који га имају, али не може да се дода; прво га вратите: {command}",
    ),
}
