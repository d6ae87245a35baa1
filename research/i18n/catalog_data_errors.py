"""Refusals and row problems of the import path (issue 17 item 5): reading a file, entity imports,
datasets and their links to accounts, undo and restore.

Each English text is the sentence the CLI printed before it was keyed (scripts and tests read
it); pages show the Serbian through research.i18n.error_text / entities.problem_text. Values
that are codes in English (a table, a field, a kind) come as research.i18n.Named and are
written `{value:sr}` in Serbian.
"""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    # ---- reading a file (research.data.reading) ---------------------------------------------------
    "data.read.error.too_many_columns": (
        "{file} has {count:,} columns; at most {limit:,} can be imported ({setting}).",
        "{file:sr} има {count} колона; може се увести највише {limit} ({setting}).",
    ),
    "data.read.error.too_many_columns_at_least": (
        "{file} has at least {count:,} columns; at most {limit:,} can be imported ({setting}).",
        "{file:sr} има најмање {count} колона; може се увести највише {limit} ({setting}).",
    ),
    "data.read.sheet_of": ("Sheet {sheet!r} of {file}", "Лист „{sheet}” датотеке {file}"),
    "data.read.error.encrypted": (
        "{file} is a password-protected workbook or an old {xls} file; save it as {xlsx} without a password "
        "(or as CSV) and import that.",
        "{file} је радна свеска заштићена лозинком или стара датотека {xls}; сачувајте је као {xlsx} без лозинке "
        "(или као CSV) и увезите њу.",
    ),
    "data.read.error.binary": (
        "{file} is not a text table (it holds binary data); import CSV, {tsv}, Excel {xlsx} or {parquet} files.",
        "{file} није текстуална табела (садржи бинарне податке); увезите датотеку CSV, {tsv}, Excel {xlsx} "
        "или {parquet}.",
    ),
    "data.read.error.encoding": (
        "{encoding!r} is not a known text encoding; use one of {encodings}.",
        "„{encoding}” није познато кодирање текста; користите једно од ових: {encodings}.",
    ),
    "data.read.error.too_big": (
        "{file} is {size} MB, over the import limit of {limit:,} MB ({setting}); split it or import it as a "
        "dataset from the command line.",
        "{file} има {size:sr} MB, више од границе за увоз од {limit} MB ({setting}); поделите датотеку или је "
        "увезите као скуп података из командне линије.",
    ),
    "data.read.error.empty": ("{file} is empty: there is nothing to import.",
                              "{file} је празна датотека: нема шта да се увезе."),
    "data.read.error.no_rows": (
        "{file} has a header but no rows: there is nothing to import.",
        "{file} има заглавље, али нема редова: нема шта да се увезе.",
    ),
    "data.read.error.csv": (
        "{file} is not a readable CSV file near line {line}: {reason}.",
        "{file} није читљива датотека CSV код реда {line}: {reason}.",
    ),
    "data.read.error.no_header": (
        "{file} has no header row: the first line must name the columns.",
        "{file} нема ред заглавља: први ред мора да именује колоне.",
    ),
    "data.read.problem.ragged": ("{cells} cells but the header has {width} columns",
                                 "ћелија у реду: {cells}, а заглавље има {width} колона"),
    "data.read.note.no_header": ("column {number} has no header; it is called {name}",
                                 "колона {number} нема заглавље; зове се {name}"),
    "data.read.note.header_row": (
        "the table's header is row {row}; the {skipped} row(s) above it (a title, filters, blank lines) were "
        "skipped — choose another header row if that is wrong",
        "заглавље табеле је ред {row}; редови изнад њега ({skipped}: наслов, филтери, празни редови) су "
        "прескочени — изаберите други ред заглавља ако то није тачно",
    ),
    "data.read.note.footer": (
        "{count} row(s) after the table are its totals or small print (file rows {rows}); they were left out",
        "редови после табеле ({count}) су њени збирови или напомене (редови датотеке: {rows}); изостављени су",
    ),
    "data.read.error.header_row": (
        "{file} has no row {row} to take as its header (it has {rows} row(s)).",
        "{file} нема ред {row} који би био заглавље (има редова: {rows}).",
    ),
    "data.read.note.repeated": ("the header {header!r} repeats; the later column is called {name}",
                                "заглавље „{header}” се понавља; каснија колона се зове {name}"),
    "data.read.error.bad_zip": (
        "{file} is a damaged or unsupported archive, not an Excel workbook.",
        "{file} је оштећена или неподржана архива, а не радна свеска Excel.",
    ),
    "data.read.error.zip_not_xlsx": (
        "{file} is a zip archive but not an Excel {xlsx} workbook.",
        "{file} је архива, али није радна свеска Excel {xlsx}.",
    ),
    "data.read.error.macros": (
        "{file} contains macros; save it as a plain {xlsx} workbook (no macros) first.",
        "{file} садржи макрое; прво је сачувајте као обичну радну свеску {xlsx} (без макроа).",
    ),
    "data.read.error.zip_bomb": (
        "{file} unpacks to {size:,} MB; it looks like a zip bomb and is refused.",
        "{file} се распакује у {size} MB; личи на зип-бомбу и одбијена је.",
    ),
    "data.read.error.workbook": ("{file} is not a readable Excel workbook ({error}).",
                                 "{file} није читљива радна свеска Excel ({error})."),
    "data.read.error.sheets": (
        "{file} has several sheets ({sheets}); choose which one to import.",
        "{file} има више листова ({sheets}); изаберите који се увози.",
    ),
    "data.read.error.no_sheet": ("{file} has no sheet {sheet!r}; its sheets are {sheets}.",
                                 "{file} нема лист „{sheet}”; њени листови су: {sheets}."),
    "data.read.error.sheet_no_header": ("Sheet {sheet!r} of {file} has no header row.",
                                        "Лист „{sheet}” датотеке {file} нема ред заглавља."),
    "data.read.error.parquet": ("{file} is not a readable {parquet} file ({error}).",
                                "{file} није читљива датотека {parquet} ({error})."),
    # ---- datasets (research.data.datasets) --------------------------------------------------------
    "data.dataset.error.name": (
        "{name!r} cannot name a dataset: use letters and digits (e.g. {example}).",
        "„{name}” не може бити назив скупа података: користите слова и цифре (нпр. {example}).",
    ),
    "data.dataset.error.mode": ("A dataset import replaces or appends, not {mode!r}.",
                                "Увоз скупа података замењује или додаје редове, а не „{mode}”."),
    "data.dataset.error.no_file": ("{file} does not exist or is not a file.", "{file} не постоји или није датотека."),
    "data.dataset.error.not_imported": ("{file} could not be imported: {reason}",
                                        "{file} није могла да се увезе: {reason}"),
    "data.dataset.error.unreadable": ("{file} cannot be read as a table: {reason}",
                                      "{file} не може да се прочита као табела: {reason}"),
    "data.dataset.error.other_columns": (
        "{file} has columns ({columns}) other than {dataset} ({have}); replace the dataset instead of appending.",
        "{file} има колоне ({columns}) другачије од скупа {dataset} ({have}); замените скуп података уместо "
        "додавања редова.",
    ),
    # ---- undo (research.data.undo) ----------------------------------------------------------------
    "data.undo.error.no_batch": ("There is no batch {batch} in the change log.", "У дневнику измена нема серије {batch}."),
    "data.undo.error.already": ("Batch {batch} was already undone (by batch {undo}).",
                                "Серија {batch} је већ поништена (серијом {undo})."),
    "data.undo.error.archives_us": (
        "Batch {batch} cannot be undone: it would archive {name}, our own company. Make another company ours "
        "first (Competitors page, admins), or change the rows by hand.",
        "Серија {batch} не може да се поништи: архивирала би {name}, нашу компанију. Прво означите другу компанију "
        "као нашу (страна Конкуренти, администратори) или измените редове ручно.",
    ),
    "data.undo.error.deletes_us": (
        "Batch {batch} cannot be undone: it would delete {name}, our own company. Make another company ours "
        "first (Competitors page, admins), or change the rows by hand.",
        "Серија {batch} не може да се поништи: обрисала би {name}, нашу компанију. Прво означите другу компанију "
        "као нашу (страна Конкуренти, администратори) или измените редове ручно.",
    ),
    "data.undo.error.field_batch": (
        "Batch {batch} renamed or removed a custom field; that is not undone from the change log. "
        "Use `{command}` (or the Data page's Fields tab) instead.",
        "Серија {batch} је преименовала или уклонила прилагођено поље; то се не поништава из дневника измена. "
        "Уместо тога употребите `{command}` (или картицу Поља на страни Подаци).",
    ),
    "data.undo.error.bulk": (
        "Batch {batch} is a bulk change of {what} (a demo build or a dataset replace or append); it cannot be "
        "undone row by row. Restore a backup or re-import the dataset instead.",
        "Серија {batch} је скупна измена ({what:sr}: изградња демо-тржишта или замена или допуна скупа "
        "података); не може се поништавати ред по ред. Уместо тога вратите резервну копију или поново увезите "
        "скуп података.",
    ),
    "data.undo.error.blocked": (
        "Batch {batch} cannot be undone: {count:,} of its rows changed since: {listed}{more}. Nothing was reverted.",
        "Серија {batch} не може да се поништи: у међувремену је измењено њених редова: {count} ({listed:sr}{more:sr}). "
        "Ништа није враћено.",
    ),
    "data.undo.blocker.changed_by": ("{what} row {row} (changed by {actor} at {when:%Y-%m-%d %H:%M})",
                                     "{what:sr}, ред {row} (изменио {actor}, {when:%Y-%m-%d %H:%M})"),
    "data.undo.blocker.changed": ("{what} row {row} (changed since)", "{what:sr}, ред {row} (измењен у међувремену)"),
    "data.undo.more": ("and {count:,} more", "и још {count}"),
    "data.undo.error.field_changed": (
        "Batch {batch} cannot be undone: the custom field it added was changed since. Nothing was reverted.",
        "Серија {batch} не може да се поништи: прилагођено поље које је додала у међувремену је измењено. "
        "Ништа није враћено.",
    ),
    "data.undo.error.field_values": (
        "The batch cannot be undone: {held:,} {what} rows hold values of its new field {name} entered since. "
        "Nothing was reverted.",
        "Серија не може да се поништи: редова табеле {what:sr} са вредностима њеног новог поља {name} унетим "
        "у међувремену: {held}. Ништа није враћено.",
    ),
    "data.undo.error.referenced": (
        "The batch cannot be undone: {count:,} {child} rows added since refer to its {what} rows. "
        "Nothing was reverted.",
        "Серија не може да се поништи: на њене редове табеле {what:sr} упућују редови табеле {child:sr} додати "
        "у међувремену ({count}). Ништа није враћено.",
    ),
    # ---- datasets linked to accounts (research.data.links) -------------------------------------
    "data.link.error.no_dataset": ("There is no dataset {name!r}; import it first (`{command}`).",
                                   "Нема скупа података „{name}”; прво га увезите (`{command}`)."),
    "data.link.error.not_linked": ("Dataset {name!r} is not linked to accounts.",
                                   "Скуп података „{name}” није повезан са клијентима."),
    "data.link.error.no_key_column": ("Dataset {name!r} has no column {key_column!r} (its columns: {columns}).",
                                      "Скуп података „{name}” нема колону „{key_column}” (његове колоне: {columns})."),
    "data.link.error.already": ("Dataset {name!r} is already linked; unlink it first or refresh it.",
                                "Скуп података „{name}” је већ повезан; прво прекините везу или је освежите."),
    "data.link.error.account_key": ("Accounts cannot be matched on {key_column!r}; use one of {keys}.",
                                    "Клијенти не могу да се упарују по пољу „{key_column}”; користите једно од ових: {keys}."),
    "data.link.error.no_columns": ("Dataset {name!r} has no column {columns}.",
                                   "Скуп података „{name}” нема колону {columns}."),
    "data.link.error.key_copied": ("{key_column!r} is the key; choose the other columns to copy.",
                                   "„{key_column}” је кључ; изаберите друге колоне за преношење."),
    "data.link.error.types": ("These columns have types an account field cannot hold: {columns}.",
                              "Ове колоне имају типове које поље клијента не може да садржи: {columns}."),
    "data.link.error.nothing_to_copy": ("The dataset has no column besides the key to copy into accounts.",
                                        "Скуп података нема колону осим кључа која би се пренела у клијенте."),
    "data.link.error.no_match": (
        "No account's {account_key} equals the dataset's {key_column} (e.g. {example!r}); nothing was linked. "
        "Check which columns hold the same values.",
        "Ни код једног клијента {account_key} није једнако пољу {key_column} скупа података (нпр. „{example}”); ништа "
        "није повезано. Проверите које колоне садрже исте вредности.",
    ),
    "data.link.error.columns_gone": ("Dataset {name!r} no longer has column(s) {columns}; unlink it and link it again.",
                                     "Скуп података „{name}” више нема колоне {columns}; прекините везу и повежите га поново."),
    "data.link.error.new_file_columns": (
        "Dataset {name!r} is linked to accounts, and the new file has no column {columns}; nothing was imported. "
        "Unlink it first, or keep those columns.",
        "Скуп података „{name}” је повезан са клијентима, а нова датотека нема колону {columns}; ништа није "
        "увезено. Прво прекините везу или задржите те колоне.",
    ),
    "data.link.error.new_file_key": (
        "Dataset {name!r} is linked to accounts by {key_column!r}, and in the new file {shared:,} key value(s) appear on "
        "more than one row; nothing was imported.",
        "Скуп података „{name}” је повезан са клијентима по кључу „{key_column}”, а у новој датотеци се у више редова "
        "јављају вредности кључа: {shared}; ништа није увезено.",
    ),
    "data.link.error.field_used": (
        "Field {name!r} is used by {uses}; unlink without removing the fields, or change those first.",
        "Поље „{name}” користи: {uses}; прекините везу без уклањања поља или прво измените то.",
    ),
    "data.link.error.key_not_unique": (
        "The key {key_column!r} does not identify one row of the dataset: {listed}. Choose a unique key column or "
        "clean the dataset.",
        "Кључ „{key_column}” не одређује један ред скупа података: {listed:sr}. Изаберите колону са јединственим "
        "кључем или очистите скуп података.",
    ),
    "data.link.shared_key": ("{value!r} ({count} rows)", "„{value}” (редова: {count})"),
    # ---- restoring a backup (research.data.backup) -----------------------------------------------
    "data.restore.error.refused": ("Backup {folder} is refused: {what}.",
                                   "Резервна копија {folder} је одбијена: {what:sr}."),
    "data.restore.reason.not_sql": ("{file} is not valid SQL", "{file} није исправан SQL"),
    "data.restore.reason.statement_type": ("{file} holds a statement of type {kind}",
                                           "{file} садржи наредбу врсте {kind}"),
    "data.restore.reason.foreign_create": (
        "{file} holds a {create} statement that a Vantage backup never contains",
        "{file} садржи наредбу {create} какву резервна копија Vantage никад не садржи",
    ),
    "data.restore.reason.differs": ("{file} defines {kind} {name} differently from Vantage's schema",
                                    "{file} дефинише {kind:sr} {name} другачије од шеме Vantage"),
    "data.restore.reason.dataset_columns": (
        "{file} defines dataset {name} with more than plain typed columns",
        "{file} дефинише скуп података {name} са више од обичних типизованих колона",
    ),
    "data.restore.reason.foreign_object": (
        "{file} creates {kind} {name}, which is not part of Vantage's schema",
        "{file} прави {kind:sr} {name}, што није део шеме Vantage",
    ),
    "data.restore.reason.twice": ("{file} creates table {name} twice", "{file} два пута прави табелу {name}"),
    "data.restore.reason.custom_columns": (
        "its custom-field columns and their descriptions disagree ({columns})",
        "колоне њених прилагођених поља и њихови описи се не слажу ({columns})",
    ),
    "data.restore.reason.load_copy": (
        "{file} holds a {copy} other than loading a table from one of its {parquet} files",
        "{file} садржи наредбу {copy} која не учитава табелу из неке од њених датотека {parquet}",
    ),
    "data.restore.reason.load_statement": (
        "{file} holds a statement of type {kind} other than loading a table from one of its {parquet} files",
        "{file} садржи наредбу врсте {kind}, а не учитавање табеле из неке од њених датотека {parquet}",
    ),
    "data.restore.reason.load_table": ("{file} loads table {name}, which {schema} does not create once",
                                       "{file} учитава табелу {name}, коју {schema} не прави тачно једном"),
    "data.restore.reason.outside": ("{file} reads {name!r} from outside the backup folder",
                                    "{file} чита „{name}” изван фасцикле резервне копије"),
    "data.restore.reason.not_a_file": ("{file} reads {name}, which is not a file of the backup folder",
                                       "{file} чита {name}, што није датотека из фасцикле резервне копије"),
    "data.restore.reason.manifest_extra": ("the manifest lists tables {schema} does not create ({tables})",
                                           "манифест наводи табеле које {schema} не прави ({tables})"),
    "data.restore.reason.manifest_missing": ("{schema} creates tables the manifest does not list ({tables})",
                                             "{schema} прави табеле које манифест не наводи ({tables})"),
    "data.restore.reason.checksums": ("the manifest's checksums do not cover exactly its tables",
                                      "контролни збирови манифеста не покривају тачно његове табеле"),
    # What a schema statement creates, as the refusals name it (accusative in Serbian).
    "data.restore.kind.table": ("table", "табелу"),
    "data.restore.kind.view": ("view", "поглед"),
    "data.restore.kind.sequence": ("sequence", "секвенцу"),
    "data.restore.kind.index": ("index", "индекс"),
    "data.restore.kind.macro": ("macro", "макро"),
    "data.restore.kind.function": ("function", "функцију"),
    "data.restore.kind.type": ("type", "тип"),
    "data.restore.kind.schema": ("schema", "шему"),
    "data.restore.error.newer": (
        "Backup {folder} has schema version {version}, newer than this Vantage understands ({latest}); "
        "upgrade Vantage to restore it.",
        "Резервна копија {folder} има верзију шеме {version}, новију од оне коју ова верзија Vantage разуме "
        "({latest}); надоградите Vantage да бисте је вратили.",
    ),
    "data.restore.error.exists": (
        "{target} already exists; restore into a new file (a restore never overwrites a workspace).",
        "{target} већ постоји; вратите копију у нову датотеку (враћање никад не преписује радни простор).",
    ),
    "data.restore.error.create": ("Cannot create {target}: {reason}", "Не може да се направи {target}: {reason}"),
    "data.restore.error.failed": ("The restore failed and {target} was removed: {reason}",
                                  "Враћање није успело и датотека {target} је уклоњена: {reason}"),
    "data.restore.error.differs": (
        "The restored tables differ from the backup ({tables}); {target} was removed.",
        "Враћене табеле се разликују од резервне копије ({tables}); датотека {target} је уклоњена.",
    ),
    # research.store.backup.read_manifest's refusals: the store raises them keyed, with this English
    "data.restore.error.not_folder": ("{folder} is not a folder; give the folder a backup wrote.",
                                      "{folder} није фасцикла; наведите фасциклу коју је записала резервна копија."),
    "data.restore.error.not_backup": ("{folder} is not a Vantage backup (no {manifest}, {schema} and {load}).",
                                      "{folder} није резервна копија Vantage (нема {manifest}, {schema} и {load})."),
    "data.restore.error.manifest_damaged": ("The manifest of backup {folder} is damaged.",
                                            "Манифест резервне копије {folder} је оштећен."),
    "data.restore.error.manifest_entries": (
        "The manifest of backup {folder} has entries a Vantage backup never writes ({entries}); the backup is refused.",
        "Манифест резервне копије {folder} има ставке које резервна копија Vantage никад не уписује ({entries}); "
        "резервна копија је одбијена.",
    ),
    "data.restore.error.manifest_format": (
        "The manifest of backup {folder} is not of a format this Vantage reads; the backup is refused.",
        "Манифест резервне копије {folder} није у формату који ова верзија Vantage чита; резервна копија је одбијена.",
    ),
    # ---- entity imports (research.data.imports) --------------------------------------------------
    "data.import.error.guarded": (
        "The file has a column {header!r} ({name}), which no import writes: {instead}",
        "Датотека има колону „{header}” ({name}), коју ниједан увоз не уписује: {instead:sr}",
    ),
    # The `instead` of entities.GuardedColumn, word for word (tests/test_data_errors_serbian.py compares).
    "data.import.guarded.is_us": (
        "an import cannot say which company is ours. Remove the column and import again; "
        "an admin changes our company with `{command}`.",
        "увоз не може да одреди која је компанија наша. Уклоните колону и увезите поново; "
        "администратор мења нашу компанију наредбом `{command}`.",
    ),
    "data.import.error.constant_field": (
        "{entity} has no field {name!r} that can take one value for every row.",
        "Табела {entity:sr} нема поље „{name}” које може да прими једну вредност за сваки ред.",
    ),
    "data.import.error.constant_twice": (
        "{name} is given twice: by the column {column!r} and as {value!r} for every row; keep one.",
        "Поље {name:sr} је задато двапут: колоном „{column}” и као „{value}” за сваки ред; задржите једно.",
    ),
    "data.import.error.constant_refused": (
        "{name}={value!r} (one value for every row) is refused: {reason}.",
        "Вредност „{value}” поља {name:sr} (иста за сваки ред) је одбијена: {reason:sr}.",
    ),
    "data.import.error.no_custom_fields": (
        "{entity} has no custom fields, so the column {column!r} cannot be kept: map it to a field or ignore it "
        "on purpose (custom fields belong to {entities}).",
        "Табела {entity:sr} нема прилагођена поља, па колона „{column}” не може да се задржи: повежите је са "
        "пољем или је намерно изоставите (прилагођена поља имају ове табеле: {entities:sr}).",
    ),
    "data.import.error.no_column": ("The file has no column {columns}.", "Датотека нема колону {columns}."),
    "data.import.error.kept_and_mapped": (
        "The column {column!r} feeds a field and is kept as a new one; keep one of them.",
        "Колона „{column}” попуњава поље и задржана је као ново поље; изаберите једно од тога.",
    ),
    "data.import.error.kept_and_ignored": (
        "The column {column!r} is kept and ignored on purpose; keep one of them.",
        "Колона „{column}” је и задржана и намерно изостављена; изаберите једно од тога.",
    ),
    "data.import.error.kept_twice": ("The column {column!r} is kept twice; keep it once.",
                                     "Колона „{column}” је задржана двапут; задржите је једном."),
    "data.import.kept_where": ("The column {column!r} kept as {name!r}", "Колона „{column}” задржана као „{name}”"),
    "data.import.error.kept_kind": (
        "{where}: {kind!r} is not a field kind; choose one of: {kinds}.",
        "{where:sr}: „{kind}” није врста поља; изаберите једну од ових: {kinds}.",
    ),
    "data.import.error.kept_same_name": (
        "{where}: the column {other!r} is kept under that name too; give each kept column its own name.",
        "{where:sr}: и колона „{other}” је задржана под тим називом; дајте свакој задржаној колони сопствени назив.",
    ),
    "data.import.error.kept_given": (
        "{where}: the field {name} is already given by {given}; keep one of them.",
        "{where:sr}: поље {name} је већ задато {given:sr}; изаберите једно од тога.",
    ),
    "data.import.given_column": ("the column {column!r}", "колоном „{column}”"),
    "data.import.given_constant": ("a value for every row", "вредношћу за сваки ред"),
    "data.import.error.kept_kind_clash": (
        "{where}: {entity} already has a custom field {name!r} of kind {existing}, not {kind}; keep the column as "
        "{existing} to fill that field, or give it another name.",
        "{where:sr}: табела {entity:sr} већ има прилагођено поље „{name}” врсте „{existing:sr}”, а не „{kind:sr}”; "
        "задржите колону као „{existing:sr}” да бисте попунили то поље или јој дајте други назив.",
    ),
    "data.import.error.kept_name": ("{where}: {problem}.", "{where:sr}: {problem:sr}."),
    "data.import.error.kept_choices": (
        "{where}: a choice field needs its values, and the column has none.",
        "{where:sr}: поље са листом избора треба вредности, а колона их нема.",
    ),
    "data.import.error.kept_label": ("{where}: its name for people is longer than {max} characters.",
                                     "{where:sr}: назив поља за људе дужи је од {max} знакова."),
    "data.import.problem.scaled_not_whole": ("not a whole number after {factor}",
                                             "није цео број кад се помножи ({factor:sr})"),
    "data.import.problem.scaled_below": (
        "below the smallest allowed value {minimum} after {factor}",
        "мање од најмање дозвољене вредности {minimum:sr} кад се помножи ({factor:sr})",
    ),
    "data.import.problem.scaled_too_large": ("too large after {factor} (at most {maximum})",
                                             "превелико кад се помножи ({factor:sr}; највише {maximum:sr})"),
    "data.import.error.mode": ("The import mode must be {append} or {upsert}, not {mode!r}.",
                               "Начин увоза мора бити {append} или {upsert}, а не „{mode}”."),
    "data.import.error.mapped_and_ignored": (
        "The column {column!r} is mapped and ignored on purpose; keep one of them.",
        "Колона „{column}” је и повезана и намерно изостављена; изаберите једно од тога.",
    ),
    "data.import.error.scale_not_imported": (
        "{option} {name}: {name} is not imported (map it to a column or give it a value), so there is nothing "
        "to multiply.",
        "{option} {name}: {name} се не увози (повежите га са колоном или му дајте вредност), па нема шта да се "
        "множи.",
    ),
    "data.import.error.required_unmapped": (
        "Required fields of {entity} are not mapped to a column: {fields}. The file's columns: {columns}.",
        "Обавезна поља табеле {entity:sr} нису повезана са колоном: {fields:sr}. Колоне датотеке: {columns}.",
    ),
    "data.import.error.upsert_key": (
        "Upsert matches rows by id or by {keys}; map one of them to a column.",
        "Ажурирање упарује редове по ид-у или по пољима {keys:sr}; повежите једно од тога са колоном.",
    ),
    "data.import.problem.not_id": ("not a row id (a whole number)", "није ид реда (цео број)"),
    "data.import.problem.no_such_id": (
        "no {what} row has this id (leave id empty to add a new row)",
        "ниједан ред табеле {what:sr} нема овај ид (оставите ид празан да бисте додали нови ред)",
    ),
    "data.import.problem.key_repeated": ("the same key appears earlier in the file",
                                         "исти кључ се јавља раније у датотеци"),
    "data.import.problem.already_in": ("already in {what}; import with mode {upsert} to update it",
                                       "већ постоји у табели {what:sr}; увезите у начину {upsert} да бисте га ажурирали"),
    "data.import.problem.new_row_missing": (
        "new row without the required fields (only existing rows can be updated)",
        "нови ред без обавезних поља (ажурирати се могу само постојећи редови)",
    ),
    "data.import.problem.key_matches": (
        "matches {count} rows of {what}; make the key unique or map the id column",
        "одговара редовима табеле {what:sr} ({count}); учините кључ јединственим или повежите колону ид",
    ),
    "data.import.error.problems": ("{count:,} problem(s), nothing written: {listed}{more}.",
                                   "Проблема: {count}, ништа није уписано: {listed:sr}{more:sr}."),
    "data.import.problem_item": ("row {row} {column} {value!r}: {reason}", "ред {row}, {column:sr} „{value}”: {reason:sr}"),
    "data.import.more": ("… and {count:,} more", "… и још {count}"),
    "data.import.error.duplicate_decision": ("Duplicates are refused, skipped or imported, not {decision!r}.",
                                             "Дупликати се одбијају, прескачу или увозе, а не „{decision}”."),
    "data.import.error.duplicates": (
        "{count:,} possible duplicate(s), nothing written: {listed}. Decide: skip those rows or import them anyway.",
        "Могућих дупликата: {count}, ништа није уписано: {listed:sr}. Одлучите: прескочите те редове или их "
        "ипак увезите.",
    ),
    "data.import.duplicate_item": ("row {row} {name!r}: {reason}", "ред {row} „{name}”: {reason:sr}"),
    "data.import.duplicate_item_existing": ("row {row} {name!r}: {reason} (id {id} {existing!r})",
                                            "ред {row} „{name}”: {reason:sr} (ид {id} „{existing}”)"),
    "data.import.error.same_file": (
        "This file was already imported into {entity} by {actor} at {when:%Y-%m-%d %H:%M} (batch {batch}); "
        "importing it again would add the rows twice. Undo that batch first, or confirm importing it again.",
        "Ова датотека је већ увезена у табелу {entity:sr} ({actor}, {when:%Y-%m-%d %H:%M}, серија {batch}); "
        "поновни увоз би двапут додао редове. Прво поништите ту серију или потврдите поновни увоз.",
    ),
}
