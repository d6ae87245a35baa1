"""Size and revenue bands that follow the workspace: the fixed bands, quantiles of its data, or its own cuts.

The demo's fixed bands (1–49 / 50–249 / 250–999 / 1,000+ employees; under €2M / €2–10M /
€10–50M / €50M+ revenue) suit a market of small and mid-sized firms. A list of the
1,000 largest companies puts every account into the top band of both, and the band
fields of the rules stop telling anything apart. So each dimension has a setting:

- `auto` (the default): the fixed bands, unless they put more than CROWDED (60 %) of the
  accounts with a value into one band; then quartiles of the workspace's own data.
- `fixed`: always the fixed bands (keys `lt50`…`1000plus`, `lt2m`…`50mplus`).
- `quantiles`: quartiles of the data (keys `q1`…`q4`), worked out anew when read, so a
  rule on `q4` stays "the top quarter" as accounts come and go. The cuts are rounded to
  two significant digits to read well ("8,200–17,999 employees").
- `custom`: cuts the workspace chose (keys `b1`…`bN`, from the lowest band up).

The settings live in `workspace_meta` under `segment_bands` (JSON), written with an audit
row. A rule names a band by its key; rules.compile_rule checks the key against the
workspace's bands and, for anything but the fixed bands, compiles it to a bound range
of employees or revenue in EUR. Changing a setting so that a saved segment's band key
disappears is refused unless confirmed, naming the segments.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_compact_currency

from research import config
from research.access import Actor
from research.errors import ValidationError
from research.i18n import fmt_number, keyed_error, locale_of, t
from research.segments.rules import EMPLOYEE_BANDS, REVENUE_BANDS, Named, accounts_sql
from research.store import Store

META_KEY = "segment_bands"
MODES = ("auto", "fixed", "quantiles", "custom")
DIMENSIONS = ("employees", "revenue")
CROWDED = 0.6  # share of the accounts in one fixed band above which `auto` takes quantiles
QUANTILES = (0.25, 0.5, 0.75)
MAX_CUTS = 9
FIXED_CUTS: dict[str, tuple[float, ...]] = {"employees": (50, 250, 1000), "revenue": (2e6, 10e6, 50e6)}
FIXED_KEYS: dict[str, tuple[str, ...]] = {"employees": EMPLOYEE_BANDS, "revenue": REVENUE_BANDS}
# dimension -> (the rule field, the base column it bands)
_FIELD = {"employees": ("employee_band", "employees"), "revenue": ("revenue_band", "revenue_eur")}


class BandsInUse(ValidationError):
    """A change of bands that would drop a band saved segments name: confirm it or edit them first.

    `segments` names them and `bands` are the new bands, so a page can say it in its language
    with the bands' labels rather than their keys.
    """

    title = "Bands in use"

    def __init__(self, message: str, segments: Sequence[str], bands: Bands) -> None:
        super().__init__(message)
        self.segments = list(segments)
        self.bands = bands


@dataclass(frozen=True)
class Band:
    key: str
    low: float | None  # inclusive; None = no lower end
    high: float | None  # exclusive; None = no upper end


@dataclass(frozen=True)
class Bands:
    """One dimension's bands as the workspace has them now."""

    dimension: str  # employees / revenue
    setting: str  # what was chosen: auto / fixed / quantiles / custom
    mode: str  # what applies: fixed / quantiles / custom (auto resolves to fixed or quantiles)
    cuts: tuple[float, ...]
    largest_share: float | None = None  # of the fixed bands, when `auto` had to look

    @property
    def field(self) -> str:
        return _FIELD[self.dimension][0]

    @property
    def column(self) -> str:
        return _FIELD[self.dimension][1]

    @property
    def keys(self) -> tuple[str, ...]:
        n = len(self.cuts) + 1
        if self.mode == "fixed":
            return FIXED_KEYS[self.dimension]
        prefix = "q" if self.mode == "quantiles" else "b"
        return tuple(f"{prefix}{i}" for i in range(1, n + 1))

    @property
    def bands(self) -> tuple[Band, ...]:
        ends: list[float | None] = [None, *self.cuts, None]
        return tuple(Band(key, ends[i], ends[i + 1]) for i, key in enumerate(self.keys))

    def label(self, key: str, lang: str) -> str:
        """"1–49", "€2M–10M" for the fixed bands (as before); "Q2: 8,200–17,999", "€1.3B or more" otherwise."""
        if self.mode == "fixed":
            return t(f"segments.band.{key}", lang)
        band = next((b for b in self.bands if b.key == key), None)
        if band is None:
            return key
        text = range_text(self.dimension, band.low, band.high, lang)
        if self.mode == "quantiles":
            return t("segments.band.quantile", lang, n=self.keys.index(key) + 1, range=text)
        return text

    def labels(self, lang: str) -> dict[str, str]:
        return {key: self.label(key, lang) for key in self.keys}


def format_bound(dimension: str, value: float, lang: str) -> str:
    if dimension == "revenue":
        return format_compact_currency(value, "EUR", locale=locale_of(lang), fraction_digits=1)
    return fmt_number(value, lang, 0 if float(value).is_integer() else 1)


def range_text(dimension: str, low: float | None, high: float | None, lang: str) -> str:
    """A band's range in the dimension's units; whole employees end one below the next cut."""
    if low is None and high is None:
        return t("segments.band.all", lang)
    if low is None:
        return t("segments.band.under", lang, value=format_bound(dimension, high, lang))  # type: ignore[arg-type]
    if high is None:
        return t("segments.band.over", lang, value=format_bound(dimension, low, lang))
    top = high - 1 if dimension == "employees" and float(high).is_integer() and high - 1 >= low else high
    return t("segments.band.between", lang, low=format_bound(dimension, low, lang), high=format_bound(dimension, top, lang))


# ---- reading -------------------------------------------------------------------------------


def settings(store: Store) -> dict[str, dict[str, Any]]:
    """The stored settings per dimension ({"mode": …, "cuts": […]}); a missing one is `auto`."""
    raw = store.meta(META_KEY)
    try:
        stored = json.loads(raw) if raw else {}
    except ValueError:
        stored = {}
    out = {}
    for dimension in DIMENSIONS:
        entry = stored.get(dimension) if isinstance(stored, dict) else None
        if isinstance(entry, dict) and entry.get("mode") in MODES:
            out[dimension] = {"mode": entry["mode"], "cuts": list(entry.get("cuts") or [])}
        else:
            out[dimension] = {"mode": "auto", "cuts": []}
    return out


_FIXED_SHARE_SQL = """
SELECT max(n) / sum(n) AS share FROM (
    SELECT {band} AS band, count(*) AS n FROM ({base}) s WHERE {band} IS NOT NULL GROUP BY 1
)
"""
_QUANTILES_SQL = "SELECT quantile_cont({column}, ?::DOUBLE[]) AS cuts FROM ({base}) s"


def fixed_band_share(store: Store, dimension: str) -> float | None:
    """The largest share of the accounts (with a value) that one fixed band holds; None without values."""
    band = _FIELD[dimension][0]
    value = store.query_value(_FIXED_SHARE_SQL.format(band=f"s.{band}", base=accounts_sql([band])))
    return None if value is None else float(value)


def _round_cut(value: float, dimension: str) -> float:
    if value <= 0 or not math.isfinite(value):
        return value
    digits = 2 - 1 - int(math.floor(math.log10(abs(value))))
    rounded = round(value, digits)
    return float(max(1, round(rounded))) if dimension == "employees" else float(rounded)


def quantile_cuts(store: Store, dimension: str) -> tuple[float, ...]:
    """The quartiles of the workspace's values, rounded to two significant digits, without repeats."""
    column = _FIELD[dimension][1]
    cuts = store.query_value(_QUANTILES_SQL.format(column=f"s.{column}", base=accounts_sql([column])), [list(QUANTILES)])
    if not cuts:
        return ()
    rounded = sorted({_round_cut(float(c), dimension) for c in cuts if c is not None})
    return tuple(c for c in rounded if c > 0)


def resolve(store: Store, dimension: str, setting: Mapping[str, Any]) -> Bands:
    mode = setting["mode"]
    if mode == "custom":
        return Bands(dimension, mode, mode, tuple(float(c) for c in setting["cuts"]))
    if mode == "quantiles":
        return Bands(dimension, mode, mode, quantile_cuts(store, dimension))
    if mode == "fixed":
        return Bands(dimension, mode, mode, FIXED_CUTS[dimension])
    share = fixed_band_share(store, dimension)
    if share is not None and share > CROWDED:
        cuts = quantile_cuts(store, dimension)
        if cuts:
            return Bands(dimension, "auto", "quantiles", cuts, share)
    return Bands(dimension, "auto", "fixed", FIXED_CUTS[dimension], share)


# `auto` and `quantiles` read every account (two to four passes, ~50–100 ms at 500,000 accounts),
# and the builder needs the bands on every click: they are kept per workspace and data version.
_CACHE: OrderedDict[tuple[Any, ...], dict[str, Bands]] = OrderedDict()
_CACHE_SIZE = 16
_CACHE_LOCK = threading.Lock()
_VERSION_SQL = ("SELECT coalesce(max(id), 0) AS last_id, count(*) AS n, (SELECT count(*) FROM accounts) AS accounts "
                "FROM audit_log")


def _cache_key(store: Store, stored: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The workspace file and a fingerprint of its data: every write is audited (an import, the grid,
    undo), and the number of accounts catches a bulk load; None (no cache) for in-memory workspaces."""
    if not config.is_file_database(store.database):
        return None
    version = store.query_rows(_VERSION_SQL)[0]
    return (store.database, int(version["last_id"]), int(version["n"]), int(version["accounts"]),
            json.dumps(stored, sort_keys=True))


def workspace_bands(store: Store) -> dict[str, Bands]:
    """Both dimensions' bands as they apply now (see the module docstring for `auto`)."""
    stored = settings(store)
    key = _cache_key(store, stored)
    with _CACHE_LOCK:
        if key is not None and key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    current = {dimension: resolve(store, dimension, stored[dimension]) for dimension in DIMENSIONS}
    if key is not None:
        with _CACHE_LOCK:
            _CACHE[key] = current
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return current


# ---- changing ------------------------------------------------------------------------------


def parse_cuts(text: str | Sequence[float], dimension: str) -> tuple[float, ...]:
    """Cuts from "50, 250, 1000" (revenue in EUR; 2e6 or 2000000): rising, positive, at most MAX_CUTS."""
    parts: Sequence[str | float]
    if isinstance(text, str):
        parts = [p.strip().replace("_", "") for p in text.replace(";", ",").split(",") if p.strip()]
    else:
        parts = list(text)
    cuts: list[float] = []
    for part in parts:
        try:
            value = float(part)
        except (TypeError, ValueError):
            raise keyed_error(ValidationError, "segments.error.cut_not_number", part=repr(part),
                              dimension=Named(dimension, t(f"segments.bands.{dimension}", "sr")),
                              example="50, 250, 1000" if dimension == "employees" else "2e6, 10e6, 50e6") from None
        if not math.isfinite(value) or value <= 0:
            raise keyed_error(ValidationError, "segments.error.cut_positive", part=repr(part))
        if cuts and value <= cuts[-1]:
            raise keyed_error(ValidationError, "segments.error.cuts_rise", value=f"{value:g}", previous=f"{cuts[-1]:g}")
        cuts.append(value)
    if not cuts:
        raise keyed_error(ValidationError, "segments.error.no_cuts")
    if len(cuts) > MAX_CUTS:
        raise keyed_error(ValidationError, "segments.error.too_many_cuts", max=MAX_CUTS, bands=MAX_CUTS + 1, n=len(cuts))
    return tuple(cuts)


def segments_using(store: Store, field: str, keys: Sequence[str]) -> list[str]:
    """Active rule segments that name a band of `field` outside `keys`."""
    from research.segments.saved import list_segments

    found = []
    for segment in list_segments(store):
        if segment.kind != "rule":
            continue
        if any(v not in keys for v in _band_values(segment.definition, field)):
            found.append(segment.name)
    return found


def _band_values(node: Any, field: str) -> list[Any]:
    if isinstance(node, dict):
        if node.get("field") == field:
            return [*(node.get("in") or []), *(node.get("not_in") or [])]
        return [v for item in node.get("items", []) or [] for v in _band_values(item, field)]
    return []


def set_bands(store: Store, actor: Actor, dimension: str, mode: str, cuts: str | Sequence[float] | None = None, *,
              confirmed: bool = False) -> Bands:
    """Choose a dimension's bands (audited). A saved segment naming a band that would no longer
    exist is listed and the change refused unless `confirmed`."""
    if dimension not in DIMENSIONS:
        raise ValidationError(f"Bands are for {' or '.join(DIMENSIONS)}, not {dimension!r}.")
    mode = (mode or "").strip().lower()
    if mode not in MODES:
        raise ValidationError(f"{mode!r} is not a way to band; choose one of {', '.join(MODES)}.")
    if mode == "custom":
        setting = {"mode": mode, "cuts": list(parse_cuts(cuts if cuts is not None else "", dimension))}
    elif cuts:
        raise ValidationError("Only custom bands take cuts; leave them out or choose custom.")
    else:
        setting = {"mode": mode, "cuts": []}
    new = resolve(store, dimension, setting)
    lost = segments_using(store, new.field, new.keys)
    if lost and not confirmed:
        raise BandsInUse(
            f"{', '.join(f'“{n}”' for n in lost)} use{'s' if len(lost) == 1 else ''} a {new.field} band these bands do not "
            f"have (they would have {', '.join(new.keys)}); confirm the change (--yes in the CLI) or edit those first.",
            lost, new)
    stored = settings(store)
    before = store.meta(META_KEY)
    stored[dimension] = setting
    value = json.dumps(stored, sort_keys=True)
    with store.transaction(actor) as tx:
        tx.execute("DELETE FROM workspace_meta WHERE key = ?", [META_KEY])
        tx.execute("INSERT INTO workspace_meta (key, value) VALUES (?, ?)", [META_KEY, value])
        tx.audit("workspace_meta", META_KEY, "update" if before else "insert",
                 {"key": META_KEY, "value": before} if before else None, {"key": META_KEY, "value": value})
    return new
