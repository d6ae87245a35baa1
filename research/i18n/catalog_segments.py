"""Messages of the Segments page, its charts, cluster descriptions and prospect reasons."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # views
    "segments.view": ("View", "Приказ"),
    "segments.view.build": ("Build", "Правила"),
    "segments.view.profile": ("Profile & compare", "Профил и поређење"),
    "segments.view.cluster": ("Clusters", "Груписање"),
    "segments.view.sizing": ("Sizing", "Величина"),
    "segments.view.matrix": ("Attractiveness", "Атрактивност"),
    "segments.view.prospects": ("Prospect scores", "Оцене потенцијалних клијената"),
    "segments.view.export": ("Export", "Извоз"),
    # fields and values
    "segments.field.region": ("Region", "Регион"),
    "segments.field.country": ("Country", "Држава"),
    "segments.field.city": ("City", "Град"),
    "segments.field.industry": ("Industry", "Делатност"),
    "segments.field.employee_band": ("Employee band", "Број запослених (распон)"),
    "segments.field.revenue_band": ("Revenue band", "Приход (распон)"),
    "segments.field.status": ("Status", "Статус"),
    "segments.field.owner": ("Account manager", "Менаџер клијента"),
    "segments.field.supplier": ("Current supplier", "Тренутни добављач"),
    "segments.field.employees": ("Employees", "Запослени"),
    "segments.field.revenue_eur": ("Annual revenue (EUR)", "Годишњи приход (€)"),
    "segments.field.annual_revenue": ("Annual revenue", "Годишњи приход"),
    "segments.field.relationship_years": ("Years since first contact", "Године од првог контакта"),
    "segments.field.deals": ("Number of deals", "Број послова"),
    "segments.band.lt50": ("1–49", "1–49"),
    "segments.band.50_249": ("50–249", "50–249"),
    "segments.band.250_999": ("250–999", "250–999"),
    "segments.band.1000plus": ("1,000 or more", "1.000 и више"),
    "segments.band.lt2m": ("under €2M", "испод 2 мил. €"),
    "segments.band.2m_10m": ("€2M–10M", "2–10 мил. €"),
    "segments.band.10m_50m": ("€10M–50M", "10–50 мил. €"),
    "segments.band.50mplus": ("€50M or more", "50 мил. € и више"),
    "segments.status.customer": ("customer", "купац"),
    "segments.status.prospect": ("prospect", "потенцијални купац"),
    "segments.status.lost": ("lost", "изгубљен"),
    "segments.no_supplier": ("(no known supplier)", "(добављач непознат)"),
    "segments.no_owner": ("(unassigned)", "(није додељен)"),
    # the workspace's bands (research.segments.bands) and custom fields' values
    "segments.band.quantile": ("Q{n}: {range}", "К{n}: {range}"),
    "segments.band.under": ("under {value}", "испод {value}"),
    "segments.band.over": ("{value} or more", "{value} и више"),
    "segments.band.between": ("{low}–{high}", "{low}–{high}"),
    "segments.band.all": ("all", "сви"),
    "segments.value.yes": ("yes", "да"),
    "segments.value.no": ("no", "не"),
    "segments.bands.title": ("Size and revenue bands", "Распони величине и прихода"),
    "segments.bands.intro": (
        "Automatic uses the fixed bands unless they would put more than 60 % of the accounts into one band; "
        "then it uses the quartiles of your own data. Revenue cuts are in EUR.",
        "Аутоматски режим користи сталне распоне, осим ако би они сместили више од 60 % клијената у један распон; "
        "тада користи квартиле ваших података. Границе прихода су у еврима.",
    ),
    "segments.bands.employees": ("Employee bands", "Распони запослених"),
    "segments.bands.revenue": ("Revenue bands (EUR)", "Распони прихода (€)"),
    "segments.bands.mode.auto": ("automatic", "аутоматски"),
    "segments.bands.mode.fixed": ("fixed", "стални"),
    "segments.bands.mode.quantiles": ("quartiles of my data", "квартили мојих података"),
    "segments.bands.mode.custom": ("my own cuts", "моје границе"),
    "segments.bands.cuts": ("Cuts between bands, comma-separated", "Границе између распона, одвојене зарезом"),
    "segments.bands.now": ("Now: {bands}", "Сада: {bands}"),
    "segments.bands.auto_quantiles": (
        "Automatic: the fixed bands would put {share} of the accounts into one band, so the quartiles of your data apply.",
        "Аутоматски: стални распони би сместили {share} клијената у један распон, па важе квартили ваших података.",
    ),
    "segments.bands.save": ("Save bands", "Сачувај распоне"),
    "segments.bands.saved": ("Bands saved.", "Распони су сачувани."),
    "segments.bands.confirm": ("Change the bands anyway", "Ипак промени распоне"),
    # builder
    "segments.build.intro": (
        "Pick values in a group: an account must match all of them. Add another group to also include accounts that match it instead (OR).",
        "Изаберите вредности у групи: клијент мора да испуни све услове. Додајте нову групу да бисте укључили и клијенте који испуњавају њу (ИЛИ).",
    ),
    "segments.build.group": ("Group {n}", "Група {n}"),
    "segments.build.or": ("— or —", "— или —"),
    "segments.build.add_group": ("Add an OR group", "Додај групу (ИЛИ)"),
    "segments.build.remove_group": ("Remove the last group", "Уклони последњу групу"),
    "segments.build.min": ("{field}: from", "{field}: од"),
    "segments.build.max": ("{field}: to", "{field}: до"),
    "segments.build.any": ("any", "било који"),
    "segments.build.more_fields": ("Your fields", "Ваша поља"),
    "segments.build.more_fields_help": (
        "Fields your workspace added to accounts. Money fields compare in EUR, converted at the newest exchange rate "
        "of each account's currency, like revenue; percentages in points.",
        "Поља која је ваш радни простор додао клијентима. Новчана поља се пореде у еврима, по најновијем курсу валуте "
        "сваког клијента, као приход; проценти у процентним поенима.",
    ),
    "segments.build.in_eur": ("{field} in EUR", "{field} у еврима"),
    "segments.build.in_percent": ("{field} in %", "{field} у %"),
    "segments.build.load": ("Start from a saved segment", "Почни од сачуваног сегмента"),
    "segments.build.new": ("(new segment)", "(нови сегмент)"),
    "segments.build.too_complex": (
        "This segment's rule has nested groups the builder cannot show; it can still be profiled, sized and exported.",
        "Правило овог сегмента има угнежђене групе које уређивач не може да прикаже; и даље се може профилисати, проценити и извести.",
    ),
    "segments.build.cluster_segment": (
        "A clustered segment keeps the members found by its clustering; edit its name, description and colour here.",
        "Сегмент добијен груписањем чува чланове које је груписање пронашло; овде мењате назив, опис и боју.",
    ),
    "segments.count": ("Matching accounts", "Одговарајући клијенти"),
    "segments.empty": ("No account matches this rule. Widen a range or remove a value.", "Ниједан клијент не одговара правилу. Проширите распон или уклоните вредност."),
    "segments.preview": ("Preview (largest accounts first)", "Преглед (највећи клијенти прво)"),
    "segments.name": ("Name", "Назив"),
    "segments.description": ("Description", "Опис"),
    "segments.colour": ("Colour", "Боја"),
    "segments.save": ("Save segment", "Сачувај сегмент"),
    "segments.saved": ("Saved “{name}”.", "Сачувано „{name}”."),
    "segments.overwrite": ("Overwrite “{name}”", "Замени „{name}”"),
    "segments.rename": ("Save as “{name}”", "Сачувај као „{name}”"),
    "segments.duplicate": ("Duplicate", "Дуплирај"),
    "segments.duplicated": ("Duplicated as “{name}”.", "Дуплирано као „{name}”."),
    "segments.archive": ("Archive", "Архивирај"),
    "segments.archive_confirm": ("Archive “{name}”? It disappears from lists; the audit log keeps it.", "Архивирати „{name}”? Нестаје са спискова; дневник измена га чува."),
    "segments.archive_yes": ("Yes, archive", "Да, архивирај"),
    "segments.archived": ("Archived “{name}”.", "Архивирано „{name}”."),
    "segments.none_saved": ("No saved segments yet: build one under “Build” or run a clustering.", "Још нема сачуваних сегмената: направите један под „Правила” или покрените груписање."),
    # profile
    "segments.pick": ("Segments", "Сегменти"),
    "segments.current_rule": ("(rule being built)", "(правило у изради)"),
    "segments.kpi.accounts": ("Accounts", "Клијенти"),
    "segments.kpi.employees": ("Employees", "Запослени"),
    "segments.kpi.revenue": ("Revenue", "Приход"),
    "segments.kpi.our_share": ("Our share", "Наш удео"),
    "segments.kpi.win_rate": ("Win rate", "Стопа успеха"),
    "segments.kpi.won_lost": ("Deals won / lost", "Послови добијени / изгубљени"),
    "segments.kpi.not_contacted": ("Prospects not yet contacted", "Потенцијални клијенти без контакта"),
    # The profile's KPI labels on screen stay within a sixth of the page at 1280 px
    # (tests/test_layout_browser.py); the help says the rest. Slides keep the long labels above.
    "segments.kpi.deals": ("Deals won / lost", "Послови"),
    "segments.kpi.deals_help": (
        "Deals won / deals lost with the segment's accounts.",
        "Добијени / изгубљени послови са клијентима из сегмента.",
    ),
    "segments.kpi.uncontacted": ("Not contacted", "Без контакта"),
    "segments.kpi.not_contacted_help": (
        "Prospects with no named contact person and no deal of any kind.",
        "Потенцијални клијенти без особе за контакт и без иједног посла.",
    ),
    "segments.top": ("Top accounts by revenue", "Највећи клијенти по приходу"),
    "segments.compare": ("Side by side", "Упоредо"),
    "segments.share.title": ("Who serves each segment", "Ко снабдева који сегмент"),
    "segments.share.subtitle": ("Share of accounts with a known supplier", "Удео клијената са познатим добављачем"),
    "segments.profile.empty": ("Choose at least one segment.", "Изаберите бар један сегмент."),
    "segments.custom.title": ("Your fields in this segment", "Ваша поља у овом сегменту"),
    "segments.custom.field": ("Field", "Поље"),
    "segments.custom.summary": ("Typical values", "Уобичајене вредности"),
    "segments.summary.known": ("{known} of {members} known", "познато за {known} од {members}"),
    "segments.summary.numbers": (
        "median {median}, middle half {low}–{high}, range {minimum}–{maximum}",
        "медијана {median}, средња половина {low}–{high}, распон {minimum}–{maximum}",
    ),
    "segments.custom.more": ("and {n} more", "и још {n}"),
    "segments.summary.values": ("{top} ({distinct} different values)", "{top} (различитих вредности: {distinct})"),
    # columns
    "segments.col.segment": ("Segment", "Сегмент"),
    "segments.col.kind": ("Kind", "Врста"),
    "segments.col.rule": ("Rule", "Правило"),
    "segments.col.name": ("Account", "Клијент"),
    "segments.col.segments": ("Segments", "Сегменти"),
    "segments.col.accounts": ("Accounts", "Клијенти"),
    "segments.col.customers": ("Customers", "Клијенти (активни)"),
    "segments.col.prospects": ("Prospects", "Потенцијални"),
    "segments.col.lost": ("Lost", "Изгубљени"),
    "segments.col.revenue": ("Revenue", "Приход"),  # the amounts carry their currency ("€12.3m")
    "segments.col.our_share": ("Our share", "Наш удео"),
    "segments.col.win_rate": ("Win rate", "Стопа успеха"),
    "segments.col.won": ("Won", "Добијено"),
    "segments.col.lost_deals": ("Lost deals", "Изгубљени послови"),
    "segments.col.not_contacted": ("Not contacted", "Без контакта"),
    "segments.col.score": ("Score", "Оцена"),
    "segments.col.reasons": ("Reasons", "Разлози"),
    "segments.col.cluster": ("Cluster", "Група"),
    "segments.col.description": ("Description", "Опис"),
    "segments.col.share_of_all": ("Share of accounts", "Удео клијената"),
    "segments.col.company": ("Company", "Компанија"),
    "segments.kind.rule": ("rule", "правило"),
    "segments.kind.cluster": ("cluster", "груписање"),
    # clustering
    "segments.cluster.features": ("Features", "Обележја"),
    "segments.cluster.k": ("Number of clusters", "Број група"),
    "segments.cluster.auto": ("Suggest k (silhouette)", "Предложи број група (силуета)"),
    "segments.cluster.run": ("Run clustering", "Покрени груписање"),
    "segments.cluster.running": ("Clustering {n} accounts…", "Груписање {n} клијената…"),
    "segments.cluster.done": ("Done: {k} clusters (suggested k = {suggested}).", "Готово: {k} група (предложено: {suggested})."),
    "segments.cluster.imputed": ("Missing values filled in: {details}.", "Попуњене вредности које недостају: {details}."),
    "segments.cluster.sampled": (
        "Clusters found and described from a sample of {n} accounts; all {total} accounts were then assigned to their nearest cluster.",
        "Групе су пронађене и описане на узорку од {n} клијената; затим је свих {total} клијената додељено најближој групи.",
    ),
    "segments.cluster.curve.title": ("Silhouette score by number of clusters", "Оцена силуете по броју група"),
    "segments.cluster.curve.subtitle": ("Higher is better; the suggested k is marked", "Веће је боље; предложени број је означен"),
    "segments.cluster.curve.k": ("Number of clusters (k)", "Број група (k)"),
    "segments.cluster.curve.score": ("Silhouette score", "Оцена силуете"),
    "segments.cluster.prefix": ("Save as segments named", "Сачувај као сегменте под називом"),
    "segments.cluster.prefix_default": ("Cluster", "Група"),
    "segments.cluster.save": ("Save clusters as segments", "Сачувај групе као сегменте"),
    "segments.cluster.saved": ("Saved {n} segments.", "Сачувано сегмената: {n}."),
    "segments.cluster.name": ("{prefix} {n}", "{prefix} {n}"),
    # cluster descriptions: they speak of firms ("фирме", feminine plural), so Serbian agrees with it
    # ("велике", "све"); a status is quoted after "са статусом" so that it needs no agreement at all.
    "segments.trait.large": ("large", "велике"),
    "segments.trait.small": ("small", "мале"),
    "segments.trait.firms": ("firms", "фирме"),
    "segments.trait.industry_firms": ("{industry} firms", "фирме из делатности {industry}"),
    "segments.trait.in_all": ("in {place}", "у: {place}"),
    "segments.trait.in_mostly": ("mostly in {place}", "углавном у: {place}"),
    "segments.trait.status_all": ("all {status}", "све са статусом „{status}”"),
    "segments.trait.status_mostly": ("mostly {status}", "углавном са статусом „{status}”"),
    "segments.trait.status.customer": ("customers", "купац"),
    "segments.trait.status.prospect": ("prospects", "потенцијални купац"),
    "segments.trait.status.lost": ("lost customers", "изгубљен"),
    "segments.trait.served_all": ("all served by {supplier}", "све их снабдева {supplier}"),
    "segments.trait.served_mostly": ("mostly served by {supplier}", "углавном их снабдева {supplier}"),
    "segments.trait.no_supplier": ("mostly without a known supplier", "углавном без познатог добављача"),
    "segments.trait.owner": ("handled by {owner}", "води их {owner}"),
    "segments.trait.high_revenue": ("with high revenue", "са високим приходом"),
    "segments.trait.low_revenue": ("with low revenue", "са ниским приходом"),
    "segments.trait.long_relationship": ("known for many years", "познате дуги низ година"),
    "segments.trait.new_relationship": ("recently contacted", "недавно контактиране"),
    "segments.trait.many_deals": ("with many deals", "са много послова"),
    "segments.trait.few_deals": ("with few deals", "са мало послова"),
    "segments.trait.generic_high": ("high {field}", "висок {field}"),
    "segments.trait.generic_low": ("low {field}", "низак {field}"),
    "segments.trait.value_all": ("all {value} ({field})", "све: {value} ({field})"),
    "segments.trait.value_mostly": ("mostly {value} ({field})", "углавном: {value} ({field})"),
    "segments.trait.flag": ("{field}: {value}", "{field}: {value}"),
    "segments.trait.named_high": ("high {field}", "{field}: високо"),
    "segments.trait.named_low": ("low {field}", "{field}: ниско"),
    "segments.vs.higher_named": ("higher {field} than cluster {n}", "{field}: више него група {n}"),
    "segments.vs.lower_named": ("lower {field} than cluster {n}", "{field}: ниже него група {n}"),
    "segments.trait.flag_all": ("all {value}", "све — {value}"),
    "segments.trait.flag_mostly": ("mostly {value}", "углавном — {value}"),
    "segments.value.missing": ("unknown", "непознато"),
    # nouns of numeric features, in "higher {field} than cluster 2"
    "segments.noun.employees": ("headcount", "број запослених"),
    "segments.noun.annual_revenue": ("revenue", "приход"),
    "segments.noun.relationship_years": ("years since first contact", "број година од првог контакта"),
    "segments.noun.deals": ("number of deals", "број послова"),
    # typical ranges (the middle half of a cluster) in the field's units
    "segments.range.employees": ("{range} employees", "{range} запослених"),
    "segments.range.annual_revenue": ("{range} revenue", "приход {range}"),
    "segments.range.relationship_years": ("{range} years since first contact", "{range} год. од првог контакта"),
    "segments.range.deals": ("{range} deals", "{range} послова"),
    "segments.range.other": ("{field} {range}", "{field} {range}"),
    "segments.median": ("median {field} {value}", "медијана ({field}) {value}"),
    "segments.numbered": ("{text} (cluster {n})", "{text} (група {n})"),
    # what sets a cluster apart from its nearest neighbour
    "segments.vs.higher": ("higher {field} than cluster {n}", "већи {field} него група {n}"),
    "segments.vs.lower": ("lower {field} than cluster {n}", "мањи {field} него група {n}"),
    "segments.vs.more": ("more often {value} than cluster {n}", "чешће {value} него група {n}"),
    # per-feature scaling
    "segments.cluster.scaling": ("Scaling: {field}", "Скалирање: {field}"),
    "segments.cluster.scaling_help": (
        "Automatic: log only for strongly right-skewed, strictly positive values; otherwise standardised.",
        "Аутоматски: логаритам само за изразито удесно искошене, строго позитивне вредности; иначе стандардизовано.",
    ),
    "segments.cluster.scaling_used": ("Scaling per feature: {details}.", "Скалирање по обележју: {details}."),
    "segments.cluster.scaling_auto": ("{method} (automatic)", "{method} (аутоматски)"),
    "segments.scaling.auto": ("automatic (by shape)", "аутоматски (по облику)"),
    "segments.scaling.log": ("log", "логаритам"),
    "segments.scaling.z": ("standardised (z-score)", "стандардизовано (z)"),
    "segments.scaling.robust": ("robust (median / IQR)", "робусно (медијана / интерквартилни распон)"),
    "segments.trait.mixed": ("A mixed group without one distinguishing trait", "Мешовита група без једног издвојеног обележја"),
    # sizing
    "segments.sizing.segment": ("Segment", "Сегмент"),
    "segments.sizing.acv": ("Expected annual contract value (EUR)", "Очекивана годишња вредност уговора (€)"),
    "segments.sizing.sam": ("Serviceable share of the segment (SAM / TAM)", "Доступни удео сегмента (SAM / TAM)"),
    "segments.sizing.som": ("Obtainable share (SOM / SAM)", "Остварив удео (SOM / SAM)"),
    "segments.sizing.sensitivity": ("Sensitivity band (±)", "Распон осетљивости (±)"),
    "segments.sizing.save": ("Save assumptions with the segment", "Сачувај претпоставке уз сегмент"),
    "segments.sizing.saved": ("Assumptions saved.", "Претпоставке су сачуване."),
    "segments.sizing.title": ("Market size, bottom-up", "Величина тржишта, одоздо нагоре"),
    "segments.sizing.stage": ("Stage", "Ниво"),
    "segments.sizing.value": ("Annual value (EUR)", "Годишња вредност (€)"),
    "segments.sizing.low": ("Low", "Ниско"),
    "segments.sizing.high": ("High", "Високо"),
    "segments.sizing.defaults": (
        "Defaults: the segment's median won deal as contract value (else the configured value), 60 % serviceable, our current share as obtainable.",
        "Подразумевано: медијана добијених послова у сегменту као вредност уговора (иначе подешена вредност), 60 % доступно, наш тренутни удео као остварив.",
    ),
    "segments.sizing.source": ("Contract value per account from", "Вредност уговора по клијенту из"),
    "segments.sizing.source.constant": ("one value for every account", "једне вредности за сваког клијента"),
    "segments.sizing.source.share": ("a share of an account column", "удела у колони клијента"),
    "segments.sizing.source.deals": ("won deals of similar size", "добијених послова сличне величине"),
    "segments.sizing.share": ("Share of the column (%)", "Удео у колони (%)"),
    "segments.sizing.column": ("Account column", "Колона клијента"),
    "segments.sizing.no_columns": ("The accounts have no numeric column to take a share of.", "Клијенти немају нумеричку колону чији би се удео узео."),
    "segments.sizing.band": ("bars show ±{band}", "распон ±{band}"),
    "segments.sizing.source_not_saved": (
        "Only a constant contract value is saved with the segment; a share or won deals are worked out anew each time "
        "(a slide keeps the choice).",
        "Уз сегмент се чува само стална вредност уговора; удео или добијени послови рачунају се изнова сваки пут "
        "(слајд памти избор).",
    ),
    # where a sizing's contract value came from (sizing.contract_text)
    "segments.contract.constant": ("contract value: {amount} per account (constant)", "вредност уговора: {amount} по клијенту (стална)"),
    "segments.contract.share": ("contract value: {share} of {column} (EUR)", "вредност уговора: {share} {column} (€)"),
    "segments.contract.share_plain": (
        "contract value: {share} of {column}, taken as EUR (the column has no currency)",
        "вредност уговора: {share} {column}, узето у еврима (колона нема валуту)",
    ),
    "segments.contract.deals": (
        "contract value: median won deal of accounts in the same employee band (from {deals} won deals)",
        "вредност уговора: медијана добијених послова клијената истог распона запослених (из {deals} добијених послова)",
    ),
    "segments.contract.column": ("column “{column}”", "колоне „{column}”"),
    "segments.contract.column.annual_revenue": ("annual revenue", "годишњег прихода"),
    "segments.contract.column.employees": ("employees", "броја запослених"),
    "segments.contract.valued": ("{valued} of {accounts} accounts valued", "процењено {valued} од {accounts} клијената"),
    "segments.contract.no_value": ("{n} without a value", "{n} без вредности"),
    "segments.contract.no_rate": ("{n} without an exchange rate ({currencies})", "{n} без курса ({currencies})"),
    "segments.contract.fallback": (
        "{n} at the median of all won deals (no won deal in their employee band)",
        "{n} по медијани свих добијених послова (нема добијеног посла у њиховом распону запослених)",
    ),
    "segments.contract.deals_no_rate": (
        "{n} won deals left out (no exchange rate for their currency)",
        "{n} добијених послова изостављено (нема курса за њихову валуту)",
    ),
    # matrix
    "segments.matrix.title": ("Attractiveness matrix", "Матрица атрактивности"),
    "segments.matrix.subtitle": ("Bubble size = accounts; colour = our share", "Величина = број клијената; боја = наш удео"),
    "segments.matrix.attractiveness": ("Market attractiveness", "Атрактивност тржишта"),
    "segments.matrix.strength": ("Our competitive strength", "Наша конкурентска снага"),
    "segments.matrix.weights": ("Factor weights", "Тежине фактора"),
    "segments.matrix.weight_sets": ("Weight set", "Скуп тежина"),
    "segments.matrix.default_weights": ("(default weights)", "(подразумеване тежине)"),
    "segments.matrix.save_weights": ("Save weights as", "Сачувај тежине као"),
    "segments.matrix.save": ("Save weight set", "Сачувај скуп тежина"),
    "segments.matrix.saved": ("Saved weight set “{name}” (version {version}).", "Сачуван скуп тежина „{name}” (верзија {version})."),
    "segments.matrix.factors": ("Factor scores (0–1)", "Оцене фактора (0–1)"),
    "segments.matrix.zone": ("Zone", "Зона"),
    "segments.chart.png": ("Chart image (PNG)", "Слика графикона"),
    "segments.chart.png_save": ("Save the PNG", "Сачувај слику"),
    "segments.factor.size": ("Size", "Величина"),
    "segments.factor.growth": ("Growth", "Раст"),
    "segments.factor.margin": ("Margin proxy", "Показатељ марже"),
    "segments.factor.intensity": ("Low competitive intensity", "Мала конкуренција"),
    "segments.factor.share": ("Our share", "Наш удео"),
    "segments.factor.win_rate": ("Win rate", "Стопа успеха"),
    "segments.factor.capability": ("Capability scores", "Оцене способности"),
    "segments.zone.invest": ("invest and grow", "улагати и расти"),
    "segments.zone.selective": ("selective", "селективно"),
    "segments.zone.harvest": ("harvest or exit", "убирати или изаћи"),
    "segments.zone.unknown": ("not enough data", "нема довољно података"),
    # factors without data (attractiveness.UNKNOWN_REASONS)
    "segments.unknown.note": ("{factor} unknown: {reason}", "{factor} — непознато: {reason}"),
    "segments.unknown.no_supplier": ("no supplier recorded for these accounts", "овим клијентима није уписан ниједан добављач"),
    "segments.unknown.no_positioning": (
        "no price positioning recorded for their suppliers", "њиховим добављачима није уписано ценовно позиционирање",
    ),
    "segments.unknown.no_competitors": ("no competitors recorded", "нема уписаних конкурената"),
    "segments.unknown.no_dated_deals": ("no dated deals in the two years compared", "нема датираних послова у две поређене године"),
    "segments.unknown.no_decided_deals": ("no won or lost deals", "нема добијених ни изгубљених послова"),
    "segments.unknown.no_our_capability": ("no capability scores for our company", "нема оцена способности наше компаније"),
    "segments.unknown.no_rival_capability": (
        "no capability scores for the rivals serving these accounts",
        "нема оцена способности конкурената који снабдевају ове клијенте",
    ),
    "segments.matrix.unknown": ("Unknown factors", "Непознати фактори"),
    "segments.matrix.unknown_value": ("unknown", "непознато"),
    "segments.matrix.unknown_caption": (
        "A factor without data is left out and the other weights of its axis count in its place; "
        "a segment without any known factor on an axis is not placed.",
        "Фактор без података се изоставља, а остале тежине његове осе рачунају се уместо њега; "
        "сегмент без иједног познатог фактора на некој оси не смешта се у матрицу.",
    ),
    "segments.matrix.unplaced": ("Not enough data to place: {segments}.", "Нема довољно података за смештање: {segments}."),
    # prospect scores
    "segments.prospects.targets": ("Target segments", "Циљни сегменти"),
    "segments.prospects.intro": (
        "Every prospect starts at 50 points; fit with the target segments adds, warning signs subtract, and the "
        "reliability checks and your own fields add or subtract up to their weight. The reasons say why.",
        "Сваки потенцијални клијент почиње са 50 поена; уклапање у циљне сегменте додаје, знаци упозорења одузимају, "
        "а провере поузданости и ваша поља додају или одузимају до своје тежине. Разлози објашњавају оцену.",
    ),
    "segments.prospects.factors": ("Score also by your fields (fit or risk factors)", "Оцени и по вашим пољима (уклапање или ризик)"),
    "segments.prospects.factors_help": (
        "Custom account fields that are numbers (money compared in EUR, percents) or yes/no, e.g. a risk flag "
        "such as “in litigation” with no is better.",
        "Ваша поља клијената која су бројеви (новац поређен у еврима, проценти) или да/не, нпр. знак ризика "
        "као што је „у спору” уз „боље је не”.",
    ),
    "segments.prospects.direction": ("Better for {field}", "Боље за: {field}"),
    "segments.prospects.direction.higher": ("higher is better", "боље је више"),
    "segments.prospects.direction.lower": ("lower is better", "боље је мање"),
    "segments.prospects.direction.bool_higher": ("yes is better", "боље је „да”"),
    "segments.prospects.direction.bool_lower": ("no is better", "боље је „не”"),
    "segments.prospects.weight": ("Weight of {field} (points)", "Тежина: {field} (поени)"),
    "segments.prospects.how": (
        "Each of your fields counts by its rank among the prospects that have a value: the best gets +weight, the "
        "worst −weight, the middle 0 (yes/no: the better answer +weight, the other −weight). A missing value counts "
        "as the middle: 0 points, neither best nor worst.",
        "Свако ваше поље рачуна се по рангу међу потенцијалним клијентима који имају вредност: најбољи добија "
        "+тежину, најгори −тежину, средина 0 (да/не: бољи одговор +тежину, други −тежину). Вредност која недостаје "
        "рачуна се као средина: 0 поена, ни најбоље ни најгоре.",
    ),
    "segments.prospects.missing": (
        "{field}: {n} of {total} prospects have no value and count as the middle (0 points).",
        "{field}: без вредности је {n} од {total} потенцијалних клијената; рачунају се као средина (0 поена).",
    ),
    "segments.prospects.builtin": ("Built-in factors (points; 0 switches one off)", "Уграђени фактори (поени; 0 искључује фактор)"),
    "segments.prospects.factor.in_target": ("In a target segment (+)", "У циљном сегменту (+)"),
    "segments.prospects.factor.mid_size": ("100 or more employees (+)", "100 и више запослених (+)"),
    "segments.prospects.factor.has_supplier": ("Buys packaging today (+)", "Већ купује амбалажу (+)"),
    "segments.prospects.factor.open_deal": ("Open deal (+)", "Отворен посао (+)"),
    "segments.prospects.factor.very_small": ("Under 20 employees (−)", "Мање од 20 запослених (−)"),
    "segments.prospects.factor.weak_revenue": ("Weak revenue per employee (−)", "Слаб приход по запосленом (−)"),
    "segments.prospects.factor.lost_deals": ("Each lost deal, at most two (−)", "Сваки изгубљен посао, највише два (−)"),
    "segments.prospects.factor.no_revenue": ("Revenue unknown (−)", "Приход непознат (−)"),
    "segments.prospects.factor.no_employees": ("Employee count unknown (−)", "Број запослених непознат (−)"),
    "segments.prospects.factor.no_contact": ("No contact person (−)", "Нема особе за контакт (−)"),
    "segments.prospects.factor.no_vat": ("No VAT number (−)", "Нема ПИБ (−)"),
    "segments.prospects.factor.no_owner": ("No account manager (−)", "Нема менаџера клијента (−)"),
    "segments.prospects.weight_sets": ("Prospect weight set", "Скуп тежина за оцене"),
    "segments.prospects.default_weights": ("(default weights)", "(подразумеване тежине)"),
    "segments.prospects.save_name": ("Save these weights as", "Сачувај ове тежине као"),
    "segments.prospects.save": ("Save weight set", "Сачувај скуп тежина"),
    "segments.prospects.saved": ("Saved weight set “{name}” (version {version}).", "Сачуван скуп тежина „{name}” (верзија {version})."),
    "segments.prospects.dropped": (
        "Left out of this weight set, no longer a field of a kind it can use here: {fields}.",
        "Изостављено из овог скупа тежина јер овде више није поље врсте коју може да користи: {fields}.",
    ),
    "segments.prospects.count": ("{n} prospects scored; the best {shown} shown.", "Оцењено потенцијалних клијената: {n}; приказано најбољих {shown}."),
    "segments.reason.in_target": ("in target segment {segment}", "у циљном сегменту {segment}"),
    "segments.reason.mid_size": ("solid size ({employees} employees)", "солидна величина ({employees} запослених)"),
    "segments.reason.has_supplier": ("buys packaging today (from {supplier})", "већ купује амбалажу (од: {supplier})"),
    "segments.reason.open_deal": ("an open deal is in progress", "у току је отворен посао"),
    "segments.reason.very_small": ("very small company ({employees} employees)", "веома мала фирма ({employees} запослених)"),
    "segments.reason.weak_revenue": ("revenue per employee far below its industry (possible financial strain)", "приход по запосленом далеко испод делатности (могуће финансијске тешкоће)"),
    "segments.reason.lost_deals": ("{n} lost deal(s) in the past", "изгубљених послова у прошлости: {n}"),
    "segments.reason.no_revenue": ("revenue unknown", "приход непознат"),
    "segments.reason.no_employees": ("employee count unknown", "број запослених непознат"),
    "segments.reason.no_contact": ("no contact person", "нема особе за контакт"),
    "segments.reason.no_vat": ("no VAT number", "нема ПИБ"),
    "segments.reason.no_owner": ("no account manager assigned", "нема додељеног менаџера"),
    "segments.reason.factor": (
        "{field} {value}: ahead of {share} of prospects ({direction})",
        "{field} {value}: испред {share} потенцијалних клијената ({direction})",
    ),
    "segments.reason.factor_bool": ("{field}: {value} ({direction})", "{field}: {value} ({direction})"),
    "segments.reason.factor_missing": (
        "{field} unknown: counts as the middle, neither best nor worst",
        "{field} непознато: рачуна се као средина, ни најбоље ни најгоре",
    ),
    # reliability checks (issue 20 item 4)
    "segments.check.payment": ("Payment behaviour", "Платна дисциплина"),
    "segments.check.company_age": ("Company age", "Старост фирме"),
    "segments.check.revenue_trend": ("Revenue trend", "Кретање прихода"),
    "segments.check.segment_losses": ("Recent losses in the segment", "Скорашњи губици у сегменту"),
    "segments.check.help.payment": (
        "Average days late on invoices, from a number field of yours: at most {good} days +weight, over {bad} days "
        "−weight, in between 0.",
        "Просечно кашњење у плаћању рачуна (дана), из вашег бројчаног поља: највише {good} дана +тежина, више од "
        "{bad} дана −тежина, између 0.",
    ),
    "segments.check.help.company_age": (
        "Years since founding, from a founding year (whole number) or founding date: {good} years or more +weight, "
        "under {bad} years −weight, in between 0.",
        "Године од оснивања, из године оснивања (цео број) или датума оснивања: {good} и више година +тежина, мање "
        "од {bad} година −тежина, између 0.",
    ),
    "segments.check.help.revenue_trend": (
        "Annual revenue against the previous year's, from a field that holds it (in the account's revenue currency): "
        "growth of {good} or more +weight, a fall of {bad} or more −weight, in between 0.",
        "Годишњи приход у односу на претходну годину, из поља које га садржи (у валути прихода клијента): раст од "
        "{good} и више +тежина, пад од {bad} и више −тежина, између 0.",
    ),
    "segments.check.help.segment_losses": (
        "Deals lost among the other accounts of the prospect's industry and region in the {days} days to the newest "
        "decided deal: −weight × the share of decided deals lost.",
        "Изгубљени послови код осталих клијената исте делатности и региона у {days} дана до последњег окончаног "
        "посла: −тежина × удео изгубљених међу окончаним пословима.",
    ),
    "segments.check.years.one": ("{n} year", "{n} год."),
    "segments.check.years.other": ("{n} years", "{n} год."),
    "segments.reason.check_unknown": ("{check} unknown: {why}", "{check} — непознато: {why}"),
    "segments.reason.why.no_field": (
        "no field holds it", "ниједно поље не садржи тај податак"),
    "segments.reason.why.no_value": ("no value in {field}", "нема вредности у пољу {field}"),
    "segments.reason.why.not_past": (
        "{field} {value} is not a past year or date",
        "{field} {value} није протекла година ни датум",
    ),
    "segments.reason.why.not_positive": (
        "{field} {value} is not above zero", "{field} {value} није веће од нуле"),
    "segments.reason.why.no_revenue": ("annual revenue unknown", "годишњи приход непознат"),
    "segments.reason.why.no_deals": (
        "no deal decided in {segment} in the {days} days to {date}",
        "у сегменту {segment} није окончан ниједан посао у {days} дана до {date}",
    ),
    "segments.reason.payment.good": (
        "pays on time ({field}: {value}; at most {limit} days late)",
        "плаћа на време ({field}: {value}; највише {limit} дана кашњења)",
    ),
    "segments.reason.payment.middle": ("pays somewhat late ({field}: {value})", "плаћа уз мање кашњење ({field}: {value})"),
    "segments.reason.payment.bad": (
        "pays late ({field}: {value}; over {limit} days late)",
        "касни с плаћањем ({field}: {value}; више од {limit} дана кашњења)",
    ),
    "segments.reason.company_age.good": (
        "established company, {age} old ({field}: {value})", "фирма са стажом, стара {age} ({field}: {value})"),
    "segments.reason.company_age.middle": ("company {age} old ({field}: {value})", "фирма стара {age} ({field}: {value})"),
    "segments.reason.company_age.bad": (
        "young company, {age} old ({field}: {value})", "млада фирма, стара {age} ({field}: {value})"),
    "segments.reason.revenue_trend.good": (
        "revenue growing: {change} on the previous year ({field}: {value})",
        "приход расте: {change} у односу на претходну годину ({field}: {value})",
    ),
    "segments.reason.revenue_trend.middle": (
        "revenue about flat: {change} on the previous year ({field}: {value})",
        "приход приближно исти: {change} у односу на претходну годину ({field}: {value})",
    ),
    "segments.reason.revenue_trend.bad": (
        "revenue falling: {change} on the previous year ({field}: {value})",
        "приход опада: {change} у односу на претходну годину ({field}: {value})",
    ),
    "segments.reason.segment_losses": (
        "{lost} of {decided} deals decided in {segment} in the {days} days to {date} were lost",
        "у сегменту {segment} изгубљено је {lost} од {decided} окончаних послова у {days} дана до {date}",
    ),
    "segments.reason.segment_losses.none": (
        "no deal lost in {segment} in the {days} days to {date} ({decided} decided)",
        "у сегменту {segment} није изгубљен ниједан посао у {days} дана до {date} (окончано: {decided})",
    ),
    "segments.prospects.checks": ("Reliability checks", "Провере поузданости"),
    "segments.prospects.checks_intro": (
        "What an account manager checks before pursuing a prospect. A check without data for a prospect is unknown: "
        "0 points, and its reason says why.",
        "Оно што менаџер клијента проверава пре него што крене за потенцијалним клијентом. Провера без података "
        "је непозната: 0 поена, а разлог то каже.",
    ),
    "segments.prospects.check_weight": ("{check}: weight (points)", "{check}: тежина (поени)"),
    "segments.prospects.check_source": ("{check}: from field", "{check}: из поља"),
    "segments.prospects.no_field": ("(no field: unknown)", "(нема поља: непознато)"),
    "segments.prospects.check_unknown": (
        "{check}: unknown for {n} of {total} prospects (0 points).",
        "{check}: непознато за {n} од {total} потенцијалних клијената (0 поена).",
    ),
    "segments.prospects.check_no_field": (
        "{check}: no field holds it, so it is unknown for every prospect (0 points); choose its field above.",
        "{check}: ниједно поље не садржи тај податак, па је непознато за све (0 поена); изаберите поље изнад.",
    ),
    # export
    "segments.export.segment": ("Segment to export", "Сегмент за извоз"),
    "segments.export.csv": ("Members (CSV)", "Чланови (CSV)"),
    "segments.export.xlsx": ("Members (Excel)", "Чланови (Excel)"),
    "segments.export.definitions": ("All segment definitions", "Све дефиниције сегмената"),
    "segments.export.prepare": ("Prepare files", "Припреми датотеке"),
    "segments.export.rows": ("{n} members.", "Чланова: {n}."),
    "segments.export.note": (
        "Text that would start a spreadsheet formula is prefixed with an apostrophe, so the files are safe to open.",
        "Текст који би почео формулу у табели добија апостроф на почетку, па је датотеке безбедно отворити.",
    ),
    # Errors a page user can hit (research.segments.*: keyed_error). A field or feature is a
    # rules.Named: "{field}" is the name the CLI's rule text uses, "{field:sr}" its Serbian label.
    "segments.error.not_a_list": ("The values of “{field}” must be a list.", "Вредности поља „{field:sr}” морају бити списак."),
    "segments.error.too_many_values": ("“{field}” lists more than {n} values.", "Поље „{field:sr}” наводи више од {n} вредности."),
    "segments.error.company_ids": (
        "“{field}” takes company ids (0 = no known supplier), not {value}.",
        "Поље „{field:sr}” прима ознаке компанија (0 = добављач непознат), не {value}.",
    ),
    "segments.error.yes_no": ("“{field}” is yes or no (true / false), not {value}.", "Поље „{field:sr}” је да или не, не {value}."),
    "segments.error.text_values": ("“{field}” takes text values, not {value}.", "Поље „{field:sr}” прима текст, не {value}."),
    "segments.error.no_band": (
        "“{field}” has no band {value} in this workspace; use one of {known}.",
        "Поље „{field:sr}” у овом радном простору нема распон {value}; користите један од: {known}.",
    ),
    "segments.error.no_value": (
        "“{field}” has no value {value} in this workspace; use one of {known}.",
        "Поље „{field:sr}” у овом радном простору нема вредност {value}; користите једну од: {known}.",
    ),
    "segments.error.minimum_number": (
        "The minimum of “{field}” must be a number, not {value}.", "Најмања вредност поља „{field:sr}” мора бити број, не {value}.",
    ),
    "segments.error.maximum_number": (
        "The maximum of “{field}” must be a number, not {value}.", "Највећа вредност поља „{field:sr}” мора бити број, не {value}.",
    ),
    "segments.error.start_date": (
        "The start of “{field}” must be a date like \"2024-03-31\", not {value}.",
        "Почетак поља „{field:sr}” мора бити датум као „2024-03-31”, не {value}.",
    ),
    "segments.error.end_date": (
        "The end of “{field}” must be a date like \"2024-03-31\", not {value}.",
        "Крај поља „{field:sr}” мора бити датум као „2024-03-31”, не {value}.",
    ),
    "segments.error.unknown_field": (
        "Segments cannot filter on {name}; use one of {known}.",
        "Сегменти не могу да филтрирају по пољу {name}; користите једно од: {known}.",
    ),
    "segments.error.not_a_range": (
        "“{field}” is a list of values, not a number range.", "Поље „{field:sr}” је списак вредности, а не распон бројева.",
    ),
    "segments.error.number_range_not_list": (
        "“{field}” is a number range (min / max), not a list of values.",
        "Поље „{field:sr}” је распон бројева (од / до), а не списак вредности.",
    ),
    "segments.error.date_range_not_list": (
        "“{field}” is a range of dates (min / max), not a list of values.",
        "Поље „{field:sr}” је распон датума (од / до), а не списак вредности.",
    ),
    "segments.error.empty_dates": (
        "The range of “{field}” is empty: {low} is after {high}.",
        "Распон поља „{field:sr}” је празан: {low} је после {high}.",
    ),
    "segments.error.empty_range": (
        "The range of “{field}” is empty: the minimum {low} is above the maximum {high}.",
        "Распон поља „{field:sr}” је празан: најмања вредност {low} је изнад највеће {high}.",
    ),
    "segments.error.cut_not_number": (
        "{part} is not a number; write the {dimension} cuts as e.g. {example}.",
        "{part} није број; границе („{dimension:sr}”) пишите нпр. као {example}.",
    ),
    "segments.error.cut_positive": ("A band cut must be a positive number, not {part}.", "Граница распона мора бити позитиван број, не {part}."),
    "segments.error.cuts_rise": (
        "Band cuts must rise: {value} does not come after {previous}.",
        "Границе распона морају да расту: {value} не долази после {previous}.",
    ),
    "segments.error.no_cuts": (
        "Give at least one cut between two bands, e.g. 50, 250, 1000.",
        "Унесите бар једну границу између два распона, нпр. 50, 250, 1000.",
    ),
    "segments.error.too_many_cuts": (
        "At most {max} cuts ({bands} bands), not {n}.", "Највише {max} граница ({bands} распона), не {n}.",
    ),
    "segments.error.weights_negative": ("Factor weights cannot be negative.", "Тежине фактора не могу бити негативне."),
    "segments.error.weights_zero": (
        "Give at least one attractiveness factor and one strength factor a weight above zero.",
        "Дајте бар једном фактору атрактивности и једном фактору снаге тежину већу од нуле.",
    ),
    "segments.error.no_features": ("Choose at least one feature to cluster on.", "Изаберите бар једно обележје за груписање."),
    "segments.error.unknown_features": (
        "Cannot cluster on {unknown}; choose from {known}.", "Груписање по {unknown} није могуће; изаберите између: {known}.",
    ),
    "segments.error.log_negative": (
        "“{field}” has negative values, so it cannot be log-scaled; choose z or robust.",
        "„{field:sr}” има негативне вредности, па се не може скалирати логаритмом; изаберите стандардизовано или робусно.",
    ),
    "segments.error.few_accounts_up_to": (
        "Clustering needs more accounts than clusters: {accounts} accounts for up to {k} clusters.",
        "За груписање је потребно више клијената него група: клијената {accounts:sr}, а група до {k}.",
    ),
    "segments.error.few_accounts": (
        "Clustering needs more accounts than clusters: {accounts} accounts for {k} clusters.",
        "За груписање је потребно више клијената него група: клијената {accounts:sr}, а група {k}.",
    ),
    "segments.error.feature_empty": (
        "“{field}” is empty for every account; leave it out.", "„{field:sr}” је празно за сваког клијента; изоставите га.",
    ),
    "segments.error.feature_constant": (
        "“{field}” has the same value for every account, so it cannot separate clusters.",
        "„{field:sr}” има исту вредност за сваког клијента, па не може да раздвоји групе.",
    ),
    "segments.error.min_k": ("Choose at least {k} clusters.", "Изаберите бар {k} групе."),
    "segments.error.no_name": ("Give the segment a name.", "Унесите назив сегмента."),
    "segments.error.long_name": ("A segment name has at most {n} characters.", "Назив сегмента има највише {n} знакова."),
    "segments.error.colour": ("{colour} is not a colour like #D9480F.", "{colour} није боја као #D9480F."),
    "segments.error.name_taken": (
        "A segment named “{name}” already exists; overwrite it or save as “{suggestion}”.",
        "Сегмент „{name}” већ постоји; замените га или сачувајте као „{suggestion}”.",
    ),
    "segments.error.same_cluster_names": ("Two clusters would get the same name.", "Две групе би добиле исти назив."),
    "segments.error.no_weight_set_name": ("Give the weight set a name.", "Унесите назив скупа тежина."),
    "segments.error.long_weight_set_name": (
        "A weight set name has at most {n} characters.", "Назив скупа тежина има највише {n} знакова.",
    ),
    "segments.error.acv_number": (
        "Give the expected annual contract value as a number of EUR.", "Унесите очекивану годишњу вредност уговора као износ у еврима.",
    ),
    "segments.error.acv_negative": (
        "The expected annual contract value cannot be negative.", "Очекивана годишња вредност уговора не може бити негативна.",
    ),
    "segments.error.share_number": (
        "Give the share of the column as a number, e.g. 0.005 for 0.5 %.", "Унесите удео у колони као број, нпр. 0,005 за 0,5 %.",
    ),
    "segments.error.share_negative": ("The share of the column cannot be negative.", "Удео у колони не може бити негативан."),
    "segments.error.share_above": (
        "The share of the column must be between 0 % and 100 % (0 to 1).", "Удео у колони мора бити између 0 % и 100 % (0 до 1).",
    ),
    "segments.error.share_column": (
        "Name the account column the contract value is a share of.", "Наведите колону клијента чији је удео вредност уговора.",
    ),
    "segments.error.shares": (
        "Shares and the sensitivity band must be between 0 % and 100 %.",
        "Удели и распон осетљивости морају бити између 0 % и 100 %.",
    ),
    "segments.error.no_won_deals": (
        "No won deal with a value (in EUR or a currency with an exchange rate) is recorded, so the contract "
        "value cannot come from deals: give a constant or a share of an account column.",
        "Није уписан ниједан добијен посао са вредношћу (у еврима или валути са курсом), па вредност уговора "
        "не може да потиче од послова: унесите сталну вредност или удео у колони клијента.",
    ),
    "segments.bands.in_use": (
        "These saved segments use a band of “{field}” that the new bands do not have: {segments}. The new bands "
        "would be: {bands}. Change the bands anyway, or edit those segments first.",
        "Ови сачувани сегменти користе распон поља „{field}” који нови распони немају: {segments}. Нови распони "
        "би били: {bands}. Ипак промените распоне или прво измените те сегменте.",
    ),
    "segments.quoted": ("“{name}”", "„{name}”"),
}
