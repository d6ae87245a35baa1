"""Messages of win/loss analysis: the Competitors page's Win/loss view, its slides, the battlecard's
"why we lose to them / why we win" section and the monthly report's reasons."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # figures and their words
    "winloss.rate_text": ("{rate} · {won} of {decided}", "{rate} · {won} од {decided}"),
    "winloss.overall": ("Overall {rate}", "Укупно {rate}"),
    "winloss.no_competitor": ("No competitor named", "Без наведеног конкурента"),
    "winloss.us": ("Us", "Ми"),
    "winloss.segment.unknown": ("Not set", "Није унето"),
    "winloss.quarter": ("Q{n} {year}", "{n}. кв. {year}"),
    "winloss.reason.none": ("No reason recorded", "Разлог није унет"),
    "winloss.reason_count": ("{reason} ({deals}, {value})", "{reason} ({deals}, {value})"),
    "winloss.reason_count.no_value": ("{reason} ({deals})", "{reason} ({deals})"),
    "winloss.deals": ("{n} deals", "{n} посл."),
    "winloss.deals.one": ("1 deal", "1 посао"),
    "winloss.empty": ("No deals won or lost yet.", "Још нема добијених ни изгубљених послова."),
    "winloss.summary": (
        "Win rate {rate} over {decided} decided deals: {won} won ({won_value}), {lost} lost ({lost_value}).",
        "Стопа успеха {rate} на {decided} окончаних послова: добијено {won} ({won_value}), изгубљено {lost} ({lost_value}).",
    ),
    "winloss.note.no_rate": (
        "Deals in a currency without an exchange rate (counted, not valued): {n}.",
        "Послови у валути без курса (бројани, без вредности): {n}.",
    ),
    "winloss.note.no_value": ("Deals without a value: {n}.", "Послови без вредности: {n}."),
    "winloss.note.undated": (
        "Decided deals without a close date (not on the timeline): {n}.",
        "Окончани послови без датума закључења (нису на временској линији): {n}.",
    ),
    "winloss.note.no_displaced": (
        "No won deal names the competitor we displaced, so the rate against each competitor counts only losses.",
        "Ниједан добијени посао не наводи конкурента кога смо потиснули, па стопа против сваког конкурента броји само губитке.",
    ),
    "winloss.against.all": ("against all competitors", "против свих конкурената"),
    "winloss.against.one": ("against {company}", "против компаније {company}"),
    "winloss.against.none": ("without a named competitor", "без наведеног конкурента"),
    "winloss.breakdown.industry": ("Industry", "Делатност"),
    "winloss.breakdown.region": ("Region", "Регион"),
    "winloss.breakdown.employee_band": ("Employee band", "Број запослених (распон)"),
    "winloss.breakdown.revenue_band": ("Revenue band", "Приход (распон)"),
    "winloss.by.industry": ("by industry", "по делатности"),
    "winloss.by.region": ("by region", "по региону"),
    "winloss.by.employee_band": ("by employee band", "по броју запослених"),
    "winloss.by.revenue_band": ("by revenue band", "по приходу"),
    "winloss.period.month": ("Month", "Месец"),
    "winloss.period.quarter": ("Quarter", "Квартал"),
    "winloss.outcome.lost": ("Why we lose", "Зашто губимо"),
    "winloss.outcome.won": ("Why we win", "Зашто добијамо"),
    # columns and axes
    "winloss.col.competitor": ("Competitor", "Конкурент"),
    "winloss.col.segment": ("Segment", "Сегмент"),
    "winloss.col.won": ("Won", "Добијено"),
    "winloss.col.lost": ("Lost", "Изгубљено"),
    "winloss.col.decided": ("Decided deals", "Окончани послови"),
    "winloss.col.win_rate": ("Win rate", "Стопа успеха"),
    "winloss.col.won_value": ("Won value", "Вредност добијених"),
    "winloss.col.lost_value": ("Lost value", "Вредност изгубљених"),
    "winloss.col.period": ("Period", "Период"),
    "winloss.col.deals": ("Deals", "Послови"),
    "winloss.col.value": ("Value", "Вредност"),
    "winloss.col.reason": ("Reason", "Разлог"),
    "winloss.col.won_by": ("Won by", "Посао је добио"),
    "winloss.col.lost_deals": ("Deals lost", "Изгубљени послови"),
    "winloss.col.won_deals": ("Deals won", "Добијени послови"),
    # the views
    "winloss.competitors.title": ("Win rate against each competitor", "Стопа успеха против сваког конкурента"),
    "winloss.competitors.subtitle": (
        "Our share of the decided deals that name each competitor; the line is our overall win rate",
        "Наш удео у окончаним пословима у којима се наводи конкурент; линија је наша укупна стопа успеха",
    ),
    "winloss.segments.title": ("Win rate {by}", "Стопа успеха {by}"),
    "winloss.segments.subtitle": ("Our deals won and lost {against}", "Наши добијени и изгубљени послови {against}"),
    "winloss.segments.pale": (
        "Pale bars: fewer than {n} decided deals.", "Бледи стубићи: мање од {n} окончаних послова.",
    ),
    "winloss.trend.title.month": ("Win rate by month", "Стопа успеха по месецима"),
    "winloss.trend.title.quarter": ("Win rate by quarter", "Стопа успеха по кварталима"),
    "winloss.trend.subtitle": (
        "By close date, {against}; bars: decided deals", "По датуму закључења, {against}; стубићи: окончани послови",
    ),
    "winloss.lose_to.title": ("Where and why we lose to {company}", "Где и зашто губимо од компаније {company}"),
    "winloss.lose_to.subtitle": (
        "Deals they won against deals we won from them, {by} and by reason",
        "Послови које су они добили према пословима које смо ми добили од њих, {by} и по разлогу",
    ),
    "winloss.lose_to.where": ("Where: deals {by}", "Где: послови {by}"),
    "winloss.lose_to.why": ("Why: deals by reason", "Зашто: послови по разлогу"),
    "winloss.lose_to.none": (
        "No deals won or lost against {company} yet.", "Још нема добијених ни изгубљених послова против компаније {company}.",
    ),
    "winloss.lose_to.record": (
        "We won {won} of {decided} deals against {company} ({rate}); they won {lost} ({lost_value}).",
        "Од {decided} послова против компаније {company} добили смо {won} ({rate}); они су добили {lost} ({lost_value}).",
    ),
    "winloss.lose_to.lost_on": ("We lose on: {reasons}.", "Губимо због: {reasons}."),
    "winloss.lose_to.won_on": ("We win on: {reasons}.", "Добијамо због: {reasons}."),
    "winloss.matrix.title.lost": ("Why we lose, per competitor", "Зашто губимо, по конкуренту"),
    "winloss.matrix.title.won": ("Why we win, per competitor", "Зашто добијамо, по конкуренту"),
    "winloss.matrix.subtitle": (
        "Deals per reason; a deal with several reasons counts under each",
        "Послови по разлогу; посао са више разлога броји се код сваког",
    ),
    "winloss.matrix.text.lost": ("Most lost deals name: {reasons}.", "Изгубљени послови најчешће наводе: {reasons}."),
    "winloss.matrix.text.won": ("Most won deals name: {reasons}.", "Добијени послови најчешће наводе: {reasons}."),
    # the Competitors page's Win/loss view
    "winloss.kpi.win_rate": ("Win rate", "Стопа успеха"),
    "winloss.kpi.won": ("Deals won", "Добијени послови"),
    "winloss.kpi.lost": ("Deals lost", "Изгубљени послови"),
    "winloss.kpi.open": ("Open deals", "Отворени послови"),
    "winloss.kpi.value": ("{n} · {value}", "{n} · {value}"),
    "winloss.section.competitors": ("Against each competitor", "Против сваког конкурента"),
    "winloss.section.segments": ("By segment", "По сегменту"),
    "winloss.section.trend": ("Over time", "Кроз време"),
    "winloss.section.reasons": ("Reasons per competitor", "Разлози по конкуренту"),
    "winloss.section.lose_to": ("Where and why we lose to {company}", "Где и зашто губимо од компаније {company}"),
    "winloss.pick.breakdown": ("Segments", "Сегменти"),
    "winloss.pick.against": ("Against", "Против"),
    "winloss.pick.period": ("Period", "Период"),
    "winloss.pick.outcome": ("Reasons", "Разлози"),
    "winloss.pick.all": ("All competitors", "Сви конкуренти"),
    "winloss.pick_competitor": (
        "Pick a competitor above to see where and why we lose to them.",
        "Изаберите конкурента изнад да бисте видели где и зашто губимо од њега.",
    ),
    "winloss.help": (
        ("Decided deals only (won or lost); values in EUR at the rate of each close date. A deal with several "
         "reasons counts under each."),
        ("Само окончани послови (добијени или изгубљени); вредности у еврима по курсу на дан закључења. Посао са "
         "више разлога броји се код сваког."),
    ),
    # errors
    "winloss.error.breakdown": (
        "Unknown segment breakdown {value}: use one of {accepted}.",
        "Непозната подела на сегменте {value}: користите једну од ових: {accepted}.",
    ),
    "winloss.error.period": (
        "Unknown period {value}: use one of {accepted}.", "Непознат период {value}: користите један од ових: {accepted}.",
    ),
    "winloss.error.outcome": (
        "Unknown outcome {value}: use one of {accepted}.", "Непознат исход {value}: користите један од ових: {accepted}.",
    ),
    # Present views (short names for pickers) and their source lines
    "present.view.competitors.winloss": ("Win rate per competitor", "Стопа успеха по конкуренту"),
    "present.view.competitors.winloss_segments": ("Win rate by segment", "Стопа успеха по сегменту"),
    "present.view.competitors.winloss_time": ("Win rate over time", "Стопа успеха кроз време"),
    "present.view.competitors.reasons": ("Reasons per competitor", "Разлози по конкуренту"),
    "present.view.competitors.lossreasons": ("Where and why we lose", "Где и зашто губимо"),
    "present.source.deals": ("Data: deals and their reasons", "Подаци: послови и њихови разлози"),
    # the battlecard's section
    "battlecard.deals": ("Why we lose to them / why we win", "Зашто губимо од њих / зашто добијамо"),
    "battlecard.deals.record": (
        "Deals against them: {won} won, {lost} lost (win rate {rate}).",
        "Послови против њих: добијено {won}, изгубљено {lost} (стопа успеха {rate}).",
    ),
    "battlecard.deals.lose": ("Why we lose to them", "Зашто губимо од њих"),
    "battlecard.deals.win": ("Why we win", "Зашто добијамо"),
    "battlecard.deals.line": ("{reason} — {deals}, {value}", "{reason} — {deals}, {value}"),
    "battlecard.deals.line.no_value": ("{reason} — {deals}", "{reason} — {deals}"),
    "battlecard.deals.win_on": ("Won on: {line}", "Добијамо због: {line}"),
    "battlecard.deals.lose_on": ("Lost to them on: {line}", "Губимо од њих због: {line}"),
    "battlecard.deals.none": (
        "No deals won or lost against them yet.", "Још нема добијених ни изгубљених послова против њих.",
    ),
    "battlecard.deals.no_reasons": ("No reasons recorded.", "Разлози нису унети."),
    # the monthly report's accounts section
    "report.accounts.lost_reasons": ("Most named in lost deals: {reasons}.", "Најчешће наведено у изгубљеним пословима: {reasons}."),
    "report.accounts.won_reasons": (
        "Reasons named in the deals won {in_month}: {reasons}.", "Разлози наведени у пословима добијеним {in_month}: {reasons}.",
    ),
    "report.col.lost_reasons": ("Lost on", "Изгубљено због"),
}
