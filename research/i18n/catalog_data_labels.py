"""Messages of domain value names (research/data/labels.py): the Data page's Names view and the `label` command."""

# key: (English, Serbian Cyrillic)
MESSAGES: dict[str, tuple[str, str]] = {
    "data.view.labels": ("Names", "Називи"),
    "data.labels.help": (
        "Names of your industries, regions, categories, units, capabilities and features in both languages. "
        "The data keeps its own value; a Serbian screen, slide or report shows the Serbian name. "
        "A value without a name is shown as it is stored.",
        "Називи ваших делатности, региона, категорија, јединица, способности и функција на оба језика. "
        "Подаци задржавају своју вредност; српски екран, слајд или извештај приказује српски назив. "
        "Вредност без назива приказује се онаква каква је сачувана.",
    ),
    "data.labels.domain": ("Values of", "Вредности за"),
    "data.labels.domain.industry": ("Industries", "Делатности"),
    "data.labels.domain.region": ("Regions", "Региони"),
    "data.labels.domain.category": ("Product categories", "Категорије производа"),
    "data.labels.domain.unit": ("Units", "Јединице"),
    "data.labels.domain.capability": ("Capabilities", "Способности"),
    "data.labels.domain.feature_category": ("Feature groups", "Групе функција"),
    "data.labels.domain.feature": ("Features", "Функције"),
    "data.labels.col.value": ("Stored value", "Сачувана вредност"),
    "data.labels.col.label_en": ("English name", "Енглески назив"),
    "data.labels.col.label_sr": ("Serbian name", "Српски назив"),
    "data.labels.col.rows": ("Rows", "Редова"),
    "data.labels.missing": (
        "{n} of {total} values have no Serbian name yet.",
        "{n} од {total} вредности још нема српски назив.",
    ),
    "data.labels.all_named": ("Every value has a Serbian name.", "Свака вредност има српски назив."),
    "data.labels.empty": (
        "No values of this kind yet: they appear here once data uses them.",
        "Још нема вредности ове врсте: појављују се овде чим их подаци користе.",
    ),
    "data.labels.save": ("Save names", "Сачувај називе"),
    "data.labels.saved": ("{n} names saved.", "Сачувано назива: {n}."),
    "data.labels.unchanged": ("Nothing changed.", "Ништа није промењено."),
    "data.labels.read_only": (
        "Naming values is for editors, in a workspace that is not read-only.",
        "Давање назива вредностима је за уреднике, у радном простору који није само за читање.",
    ),
    "data.labels.download": ("Download names (CSV)", "Преузми називе (CSV)"),
    "data.labels.upload": ("Load names from a CSV", "Учитај називе из CSV датотеке"),
    "data.labels.upload_save": ("Load these names", "Учитај ове називе"),
    "data.labels.upload_help": (
        "Columns {columns} (the downloaded file's shape). Rows replace the names of their values.",
        "Колоне {columns} (облик преузете датотеке). Редови замењују називе својих вредности.",
    ),
    "labels.error.domain": (
        "“{domain}” is not a kind of value with names; the kinds are {known}.",
        "„{domain}” није врста вредности са називима; врсте су {known}.",
    ),
    "labels.error.row_domain": (
        "Row {row}: “{domain}” is not a kind of value with names; the kinds are {known}.",
        "Ред {row}: „{domain}” није врста вредности са називима; врсте су {known}.",
    ),
    "labels.error.row_value": ("Row {row}: the value is empty.", "Ред {row}: вредност је празна."),
    "labels.error.too_long": (
        "A name of {domain} value “{value}” is longer than {max} characters.",
        "Назив вредности „{value}” ({domain}) дужи је од {max} знакова.",
    ),
    "labels.error.unknown": (
        "{domain} value “{value}” has no names to remove.",
        "Вредност „{value}” ({domain}) нема називе за уклањање.",
    ),
    "labels.error.file": ("Cannot read {file}: {reason}.", "Датотека {file} не може да се прочита: {reason}."),
    "labels.error.header": (
        "A names file needs the columns {columns}; this one has: {found}.",
        "Датотека назива мора да има колоне {columns}; ова има: {found}.",
    ),
}
