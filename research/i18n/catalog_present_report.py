"""Messages of the monthly report (research/present/report/): slide titles, columns and the
template sentences of each section's written summary.

Serbian sentences avoid number agreement ("промене цена: 5") so one template reads right
for every count; English has `.one` variants where a count of one changes the sentence.
"""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # months after "in": Serbian needs the locative, which Babel does not give
    "report.in_month.1": ("in January {year}", "у јануару {year}"),
    "report.in_month.2": ("in February {year}", "у фебруару {year}"),
    "report.in_month.3": ("in March {year}", "у марту {year}"),
    "report.in_month.4": ("in April {year}", "у априлу {year}"),
    "report.in_month.5": ("in May {year}", "у мају {year}"),
    "report.in_month.6": ("in June {year}", "у јуну {year}"),
    "report.in_month.7": ("in July {year}", "у јулу {year}"),
    "report.in_month.8": ("in August {year}", "у августу {year}"),
    "report.in_month.9": ("in September {year}", "у септембру {year}"),
    "report.in_month.10": ("in October {year}", "у октобру {year}"),
    "report.in_month.11": ("in November {year}", "у новембру {year}"),
    "report.in_month.12": ("in December {year}", "у децембру {year}"),
    # title and summary slides
    "report.deck_name": ("Monthly report — {month}", "Месечни извештај — {month}"),
    "report.title": ("Monthly report — {month}", "Месечни извештај — {month}"),
    "report.title.text": (
        "What changed {in_month}: prices, SWOT, accounts, collected pages, signals and decisions.",
        "Шта се променило {in_month}: цене, SWOT, клијенти, прикупљене странице, сигнали и одлуке.",
    ),
    "report.title.partial": (
        "The month is still running: figures up to {date}.",
        "Месец још траје: подаци закључно са {date}.",
    ),
    "report.summary.title": ("Executive summary", "Кратак преглед"),
    "report.summary.source": ("the sections of this report", "одељци овог извештаја"),
    # price moves
    "report.prices.title": ("Price moves by competitor", "Промене цена по конкурентима"),
    "report.prices.category_title": ("Price moves by product category", "Промене цена по категоријама производа"),
    "report.prices.subtitle": (
        "Changes of {threshold} or more against the product's previous observation",
        "Промене од најмање {threshold} у односу на претходно опажање производа",
    ),
    "report.prices.none": ("No price moves were recorded {in_month}.", "Ниједна промена цене није забележена {in_month}."),
    "report.prices.total": (
        "Prices moved {n} times {in_month} by {threshold} or more (increases: {up}, cuts: {down}).",
        "Промене цена {in_month}: {n} (поскупљења: {up}, појефтињења: {down}; најмање {threshold}).",
    ),
    "report.prices.total.one": (
        "One price moved {in_month}, by {threshold} or more.",
        "Промене цена {in_month}: једна (најмање {threshold}).",
    ),
    "report.prices.leader_cut": (
        "{company} cut {k} prices by {pct} on average, mostly in {category}.",
        "{company}: снижења цена {k}, у просеку за {pct}, највише у категорији „{category}“.",
    ),
    "report.prices.leader_raise": (
        "{company} raised {k} prices by {pct} on average, mostly in {category}.",
        "{company}: поскупљења {k}, у просеку за {pct}, највише у категорији „{category}“.",
    ),
    "report.prices.leader_cut.one": (
        "{company} cut one price by {pct}, in {category}.",
        "{company}: једно снижење цене, за {pct}, у категорији „{category}“.",
    ),
    "report.prices.leader_raise.one": (
        "{company} raised one price by {pct}, in {category}.",
        "{company}: једно поскупљење, за {pct}, у категорији „{category}“.",
    ),
    "report.prices.leader_mixed": (
        "{company} moved {k} prices ({up} up, {down} down), mostly in {category}.",
        "{company}: промене цена {k} (навише {up}, наниже {down}), највише у категорији „{category}“.",
    ),
    "report.prices.us": ("Our own prices ({company}) moved {k} times.", "Наше цене ({company}): промене {k}."),
    "report.prices.us.one": ("Our own prices ({company}) moved once.", "Наше цене ({company}): једна промена."),
    "report.prices.us_none": ("Our own prices ({company}) did not move.", "Наше цене ({company}) се нису мењале."),
    "report.prices.category_lead": (
        "Most moves were in {category}: {k} ({up} up, {down} down), {pct} on average.",
        "Највише промена у категорији „{category}“: {k} (навише {up}, наниже {down}), у просеку {pct}.",
    ),
    "report.prices.category_next": (
        "Next came {category} with {k}.",
        "Следи категорија „{category}“: {k}.",
    ),
    "report.prices.categories": (
        "Moves touched {n} product categories.",
        "Број категорија производа са променама: {n}.",
    ),
    "report.prices.source": (
        "price observations, products, companies",
        "опажене цене, производи, компаније",
    ),
    "report.prices.notes": (
        "A move is a change of {threshold} or more against the same product's previous observation "
        "(the Overview's rule), observed {in_month}; archived products are left out.",
        "Промена је разлика од најмање {threshold} у односу на претходно опажање истог производа "
        "(правило са Прегледа), опажена {in_month}; архивирани производи нису урачунати.",
    ),
    "report.series.moves": ("Price moves", "Промене цена"),
    "report.series.ours": ("Us", "Ми"),
    "report.series.competitors": ("Competitors", "Конкуренти"),
    "report.series.increases": ("Increases", "Поскупљења"),
    "report.series.cuts": ("Cuts", "Појефтињења"),
    "report.col.moves": ("Moves", "Промене"),
    "report.col.increases": ("Increases", "Поскупљења"),
    "report.col.cuts": ("Cuts", "Појефтињења"),
    "report.col.avg_change": ("Average change", "Просечна промена"),
    "report.col.main_category": ("Mostly in", "Највише у"),
    "report.col.companies": ("Companies", "Компаније"),
    # SWOT
    "report.swot.title": ("SWOT: new, changed and stale items", "SWOT: нове, измењене и застареле ставке"),
    "report.swot.items_title": ("SWOT items to look at", "SWOT ставке за преглед"),
    "report.swot.subtitle": (
        "Stale: evidence older than {days} days on {date}",
        "Застарело: доказ старији од {days} дана на дан {date}",
    ),
    "report.swot.none": (
        "No SWOT items were added or changed {in_month}.",
        "Ниједна SWOT ставка није додата ни измењена {in_month}.",
    ),
    "report.swot.activity": (
        "SWOT items {in_month}: {new} added and {changed} changed, most of them for {company} ({k}).",
        "SWOT ставке {in_month}: нових {new}, измењених {changed}; највише за {company} ({k}).",
    ),
    "report.swot.activity_plain": (
        "SWOT items {in_month}: {new} added and {changed} changed.",
        "SWOT ставке {in_month}: нових {new}, измењених {changed}.",
    ),
    "report.swot.evidence": (
        "{n} items carry evidence observed {in_month}.",
        "Ставке са доказом опаженим {in_month}: {n}.",
    ),
    "report.swot.evidence.one": (
        "One item carries evidence observed {in_month}.",
        "Ставке са доказом опаженим {in_month}: једна.",
    ),
    "report.swot.stale": (
        "{n} items are stale now (evidence older than {days} days), most of them for {company} ({k}).",
        "Застареле ставке сада (доказ старији од {days} дана): {n}; највише за {company} ({k}).",
    ),
    "report.swot.stale.one": (
        "One item is stale now (evidence older than {days} days): {company}.",
        "Застареле ставке сада (доказ старији од {days} дана): једна ({company}).",
    ),
    "report.swot.stale_none": ("No SWOT item is stale now.", "Тренутно нема застарелих SWOT ставки."),
    "report.swot.items_text": (
        "Added and changed items first, then the oldest of the {n} stale items; the oldest evidence dates from {date} ({company}).",
        "Прво додате и измењене ставке, затим најстарије од застарелих ({n}); најстарији доказ је од {date} ({company}).",
    ),
    "report.swot.items_text_fresh": (
        "Added and changed items {in_month}; nothing is stale now.",
        "Додате и измењене ставке {in_month}; тренутно ништа није застарело.",
    ),
    "report.swot.items_none": (
        "No SWOT item was added or changed, and none is stale.",
        "Ниједна SWOT ставка није додата ни измењена, и ниједна није застарела.",
    ),
    "report.swot.source": ("SWOT items, change log", "SWOT ставке, дневник измена"),
    "report.swot.notes": (
        "New: written {in_month}. Changed: edited or archived {in_month} (change log). Evidence: observed-on date "
        "{in_month}. Stale: evidence (observed-on, else the source's date, else the day written) older than {days} days.",
        "Нове: уписане {in_month}. Измењене: измењене или архивиране {in_month} (дневник измена). Доказ: датум опажања "
        "{in_month}. Застарело: доказ (датум опажања, иначе датум извора, иначе дан уписа) старији од {days} дана.",
    ),
    "report.series.new_changed": ("Added or changed", "Додате или измењене"),
    "report.series.evidence": ("Evidence in the month", "Доказ из месеца"),
    "report.series.stale": ("Stale now", "Застареле сада"),
    "report.col.new": ("New", "Нове"),
    "report.col.changed": ("Changed", "Измењене"),
    "report.col.evidence": ("Evidence in month", "Доказ из месеца"),
    "report.col.stale": ("Stale now", "Застареле"),
    "report.col.active": ("Active items", "Активне ставке"),
    "report.col.status": ("Status", "Статус"),
    "report.col.item": ("Item", "Ставка"),
    "report.col.statement": ("Statement", "Тврдња"),
    "report.col.evidence_on": ("Evidence date", "Датум доказа"),
    "report.status.new": ("New", "Нова"),
    "report.status.changed": ("Changed", "Измењена"),
    "report.status.stale": ("Stale", "Застарела"),
    # accounts
    "report.accounts.title": ("Accounts won, lost and new by segment", "Клијенти: добијени, изгубљени и нови по сегментима"),
    "report.accounts.subtitle.industry": ("Segments: industries", "Сегменти: делатности"),
    "report.accounts.subtitle.saved": (
        "Segments: saved segments (an account may belong to several)",
        "Сегменти: сачувани сегменти (клијент може припадати већем броју)",
    ),
    "report.accounts.none": (
        "No accounts were won, lost or added {in_month}.",
        "Ниједан клијент није добијен, изгубљен ни додат {in_month}.",
    ),
    "report.accounts.total": (
        "We won {won}, lost {lost} and added {new} accounts {in_month}.",
        "Клијенти {in_month}: добијено {won}, изгубљено {lost}, нових {new}.",
    ),
    "report.accounts.won_value": ("The deals won were worth {value}.", "Вредност добијених послова: {value}."),
    "report.accounts.lost_lead": (
        "Most losses were in {segment} ({k}); overall, {company} took the most lost accounts ({m}).",
        "Највише губитака у сегменту „{segment}“ ({k}); укупно је највише изгубљених клијената преузео {company} ({m}).",
    ),
    "report.accounts.won_lead": ("Most wins were in {segment} ({k}).", "Највише добијених у сегменту „{segment}“ ({k})."),
    "report.accounts.new_lead": (
        "Most new accounts were in {segment} ({k}).",
        "Највише нових клијената у сегменту „{segment}“ ({k}).",
    ),
    "report.accounts.source": (
        "deals closed in the month, accounts (first contact, else the day entered)",
        "послови закључени у месецу, клијенти (први контакт, иначе дан уноса)",
    ),
    "report.accounts.notes": (
        "Won and lost: accounts with a deal won or lost {in_month} (closing date). New: accounts whose first contact, "
        "else the day they were entered, falls {in_month}. Values in EUR at the newest exchange rate.",
        "Добијени и изгубљени: клијенти са послом добијеним или изгубљеним {in_month} (датум закључења). Нови: клијенти "
        "чији је први контакт, иначе дан уноса, {in_month}. Вредности у еврима по најновијем курсу.",
    ),
    "report.series.won": ("Won", "Добијени"),
    "report.series.lost": ("Lost", "Изгубљени"),
    "report.series.new": ("New", "Нови"),
    "report.col.won": ("Won", "Добијени"),
    "report.col.lost": ("Lost", "Изгубљени"),
    "report.col.new_accounts": ("New", "Нови"),
    "report.col.won_value": ("Won value", "Вредност добијених"),
    "report.col.lost_to": ("Mostly lost to", "Највише изгубљено у корист"),
    "report.unknown_segment": ("(not set)", "(није унето)"),
    # collected page changes
    "report.signals.title": ("Signals", "Сигнали"),
    "report.signals.none": ("No signals {in_month}.", "Нема сигнала {in_month}."),
    "report.signals.total": ("{n} signals {in_month}: {kinds}.", "Сигнала {in_month}: {n} ({kinds})."),
    "report.signals.triage": (
        "Made into SWOT items: {accepted}; refreshed existing items: {attached}; dismissed: {dismissed}; "
        "waiting in the inbox: {waiting}.",
        "Постало SWOT ставке: {accepted}; освежило постојеће: {attached}; одбачено: {dismissed}; чека у пријемном "
        "сандучету: {waiting}.",
    ),
    "report.signals.source": ("signal inbox", "пријемно сандуче сигнала"),
    "report.signals.notes": (
        "Events detected {in_month} (price moves, product and stock changes, page changes, lost deals, stale SWOT "
        "items) and what was done with them; the Signals page has each one with its evidence.",
        "Догађаји откривени {in_month} (промене цена, производа и залиха, промене страница, изгубљени послови, "
        "застареле SWOT ставке) и шта је с њима урађено; страница Сигнали приказује сваки с доказом.",
    ),
    "report.series.signals": ("Signals", "Сигнали"),
    "report.collect.title": ("Collected page changes", "Прикупљене промене на страницама"),
    "report.collect.none": (
        "No page changes were collected {in_month}.",
        "Није прикупљена ниједна промена на страницама {in_month}.",
    ),
    "report.collect.total": (
        "{n} changes were collected {in_month} on {pages} of the watched pages (price changes: {prices}).",
        "Прикупљене промене {in_month}: {n} (праћених страница: {pages}; промена цена: {prices}).",
    ),
    "report.collect.total.one": (
        "One change was collected {in_month} (price changes: {prices}).",
        "Прикупљене промене {in_month}: једна (промена цена: {prices}).",
    ),
    "report.collect.leader": ("Most came from {company} ({k}).", "Највише: {company} ({k})."),
    "report.collect.largest": (
        "The largest price change was {pct} on {watcher}.",
        "Највећа промена цене: {pct} ({watcher}).",
    ),
    "report.collect.no_company": ("(no company)", "(без компаније)"),
    "report.collect.source": ("collection change log, watchers", "дневник прикупљених промена, праћене странице"),
    "report.collect.notes": (
        "Changes the collector detected {in_month} on watched pages: prices, fields and page text.",
        "Промене које је прикупљање уочило {in_month} на праћеним страницама: цене, поља и текст страница.",
    ),
    "report.series.changes": ("Changes", "Промене"),
    "report.col.watcher": ("Page", "Страница"),
    "report.col.changes": ("Changes", "Промене"),
    "report.col.price_changes": ("Price changes", "Промене цена"),
    "report.col.largest_change": ("Largest price change", "Највећа промена цене"),
    # decisions
    "report.decisions.title": ("Decisions taken", "Донете одлуке"),
    "report.decisions.none": ("No decisions were recorded {in_month}.", "Ниједна одлука није забележена {in_month}."),
    "report.decisions.total": (
        "Decisions recorded {in_month}: {decisions}; action items: {actions}; still open: {open}.",
        "Забележено {in_month}: одлука {decisions}, задатака {actions}; још отворених: {open}.",
    ),
    "report.decisions.done": ("Done: {done}; dropped: {dropped}.", "Завршено: {done}, одустато: {dropped}."),
    "report.decisions.overdue": (
        "Open action items past their due date: {n}.",
        "Отворени задаци са истеклим роком: {n}.",
    ),
    "report.decisions.owner": ("{owner} owns the most ({k}).", "Највише их води {owner} ({k})."),
    "report.decisions.source": ("decision log of all decks", "дневник одлука свих презентација"),
    "report.decisions.notes": (
        "Decisions and action items recorded {in_month} in any deck, with their status today.",
        "Одлуке и задаци забележени {in_month} у било којој презентацији, са данашњим статусом.",
    ),
    "report.col.kind": ("Kind", "Врста"),
    "report.col.text": ("Decision", "Одлука"),
    "report.col.owner": ("Owner", "Носилац"),
    "report.col.due": ("Due", "Рок"),
    "report.col.deck": ("Deck", "Презентација"),
    "report.kind.decision": ("Decision", "Одлука"),
    "report.kind.action": ("Action item", "Задатак"),
    "report.dstatus.open": ("Open", "Отворено"),
    "report.dstatus.done": ("Done", "Завршено"),
    "report.dstatus.dropped": ("Dropped", "Одустало се"),
    # the report button and the CLI
    "report.button": ("Monthly report", "Месечни извештај"),
    "report.month": ("Month", "Месец"),
    "report.written": ("Wrote the report for {month} to {path}.", "Извештај за {month} је записан у {path}."),
    "report.latest_month": (
        "Showing {month}, the latest month with data.",
        "Приказује се {month}, последњи месец са подацима.",
    ),
    "report.no_data_month": (
        "No month has data yet; showing last month, {month}.",
        "Ниједан месец још нема податке; приказује се прошли месец, {month}.",
    ),
}
