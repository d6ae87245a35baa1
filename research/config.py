"""Settings, declared once: the only module that reads the environment.

Every setting is declared here with its type, a default and a one-line help, and
read through its typed object (`config.QUERY_TIMEOUT.value()` is a float,
`config.READ_ONLY.value()` a bool), so a caller cannot read a number as a flag.
Defaults are checked when this module is imported, and README's configuration
table is the text of `readme_table()` (a test checks both).
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from research.errors import ValidationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

T = TypeVar("T")

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Setting(ABC, Generic[T]):
    """One environment variable: its name, its default as it is written in the environment, a one-line help."""

    env: str
    default: str
    help: str

    kind: ClassVar[str]  # what the value is, in words

    def __post_init__(self) -> None:
        # A default that does not parse is a bug in this file: it fails on import, not at the first read.
        self.parse(self.default)

    def raw(self) -> str:
        """The environment's text if set (surrounding spaces removed), else the default."""
        return os.environ.get(self.env, "").strip() or self.default

    def value(self) -> T:
        """The setting's value: the environment if set, else the default; a bad value is a ValidationError."""
        return self.parse(self.raw())

    def default_value(self) -> T:
        """The declared default, whatever the environment says."""
        return self.parse(self.default)

    @abstractmethod
    def parse(self, text: str) -> T:
        """`text` as this setting's value, or a ValidationError naming the setting."""


class TextSetting(Setting[str]):
    kind = "text"

    def parse(self, text: str) -> str:
        return text


class IntSetting(Setting[int]):
    kind = "whole number"

    def parse(self, text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise ValidationError(f"{self.env} must be a whole number, not {text!r}.") from None


class FloatSetting(Setting[float]):
    """A non-negative, finite number (seconds, sizes)."""

    kind = "number"

    def parse(self, text: str) -> float:
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(f"{self.env} must be a number, not {text!r}.") from None
        if not math.isfinite(number):
            raise ValidationError(f"{self.env} must be a finite number, not {text!r}.")
        if number < 0:
            raise ValidationError(f"{self.env} cannot be negative.")
        return number


class FlagSetting(Setting[bool]):
    """On for 1, true, yes or on, off for 0, false, no or off (any case); anything else is refused."""

    kind = "flag"

    def __post_init__(self) -> None:
        if self.default.lower() not in TRUE_WORDS | FALSE_WORDS:
            raise ValidationError(f"{self.env} must be 1 or 0, not {self.default!r}.")

    def parse(self, text: str) -> bool:
        word = text.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            # A typo ("ture") must not silently turn a flag off.
            raise ValidationError(f"{self.env} must be 1 or 0 (or true/false, yes/no, on/off), not {text!r}.")
        return word in TRUE_WORDS


DB = TextSetting(
    "VANTAGE_DB",
    "data/workbench.duckdb",
    "Workspace: a DuckDB file path (relative to the project) or a DuckDB database string such as `md:…` "
    "(MotherDuck; see *From one machine to a team*).",
)
ACTOR = TextSetting("VANTAGE_ACTOR", "local", "Default actor name recorded in the audit log (sidebar and --actor override it).")
LANG = TextSetting("VANTAGE_LANG", "en", "Default UI language: en (English) or sr (Serbian, Cyrillic).")
DEMO = FlagSetting("VANTAGE_DEMO", "1", "Fill a newly created workspace with the demo market on the app's first start (1 or 0).")
DEMO_SEED = IntSetting("VANTAGE_DEMO_SEED", "42", "Random seed of the demo market the app creates on first start.")
READ_ONLY = FlagSetting("VANTAGE_READ_ONLY", "0", "Open the workspace read-only (1 or 0): browsing works, every write is refused.")
# -- competitors and SWOT settings --
STALE_DAYS = IntSetting("VANTAGE_STALE_DAYS", "90", "Days after which a SWOT item without newer evidence counts as stale (to re-verify).")
# -- segmentation settings --
SEGMENT_SEED = IntSetting("VANTAGE_SEGMENT_SEED", "42", "Random seed of k-means clustering and of the silhouette sample.")
SEGMENT_SAMPLE = IntSetting("VANTAGE_SEGMENT_SAMPLE", "3000", "Accounts sampled for the silhouette scan that suggests k (the fit uses every account, up to VANTAGE_SEGMENT_FIT_SAMPLE).")
SEGMENT_K_MAX = IntSetting("VANTAGE_SEGMENT_K_MAX", "8", "Largest number of clusters the silhouette scan tries (from 2).")
SEGMENT_FIT_SAMPLE = IntSetting("VANTAGE_SEGMENT_FIT_SAMPLE", "200000", "Most accounts clustering fits on and describes clusters from; a larger market is fitted on a seeded sample of this many, then every account is assigned in chunks.")
SEGMENT_CHUNK = IntSetting("VANTAGE_SEGMENT_CHUNK", "200000", "Accounts assigned to their cluster per chunk when a market is larger than VANTAGE_SEGMENT_FIT_SAMPLE (bounds memory).")
SEGMENT_ACV = IntSetting("VANTAGE_SEGMENT_ACV", "20000", "Expected annual contract value in EUR per account when a segment has no won deals.")
# -- collection settings --
COLLECT_CONTACT = TextSetting("VANTAGE_COLLECT_CONTACT", "", "Contact (e-mail or URL) added to the collector's User-Agent so site owners can reach you.")
COLLECT_ALLOW_HOSTS = TextSetting("VANTAGE_COLLECT_ALLOW_HOSTS", "", "Comma-separated host names or IPs the collector may fetch although they are private (intranet).")
COLLECT_MAX_BYTES = IntSetting("VANTAGE_COLLECT_MAX_BYTES", "5000000", "Largest page the collector reads, in bytes; bigger bodies are cut off and nothing is stored.")
COLLECT_HOST_INTERVAL = FloatSetting("VANTAGE_COLLECT_HOST_INTERVAL", "2", "Seconds between two requests to the same host (robots.txt Crawl-delay may raise it).")
COLLECT_TIMEOUT = FloatSetting("VANTAGE_COLLECT_TIMEOUT", "20", "Total seconds one page fetch may take: robots.txt, politeness waits, redirects and retries included.")
COLLECT_WORKERS = IntSetting("VANTAGE_COLLECT_WORKERS", "8", "Hosts fetched at the same time during one collect run.")
COLLECT_EXTRACT_TIMEOUT = FloatSetting("VANTAGE_COLLECT_EXTRACT_TIMEOUT", "10", "Seconds reading one fetched page may take (in a worker process that is killed at the limit).")
COLLECT_INBOX = TextSetting("VANTAGE_COLLECT_INBOX", "data/inbox", "Folder where collect runs leave results while the app holds the workspace.")
# -- query settings --
# The sandbox checks the time limit itself (`query.sandbox.default_timeout`, a translated message naming
# VANTAGE_QUERY_MAX_TIMEOUT) and reads its text with `raw()`; the default is checked here like every other.
QUERY_TIMEOUT = FloatSetting("VANTAGE_QUERY_TIMEOUT", "10", "Seconds a workbench query may run before it is interrupted (the worker is killed 5 s later).")
QUERY_MAX_TIMEOUT = FloatSetting("VANTAGE_QUERY_MAX_TIMEOUT", "300", "Largest time limit in seconds a query may ask for (CLI --timeout, VANTAGE_QUERY_TIMEOUT).")
QUERY_MAX_STATEMENT = IntSetting("VANTAGE_QUERY_MAX_STATEMENT", "100000", "Longest SQL statement in characters the workbench accepts; longer ones are refused before parsing.")
QUERY_MEMORY = TextSetting("VANTAGE_QUERY_MEMORY", "2GB", "DuckDB memory limit of each sandbox worker process (e.g. 512MB, 2GB).")
QUERY_THREADS = IntSetting("VANTAGE_QUERY_THREADS", "0", "DuckDB threads of each sandbox worker (0 = one per CPU core).")
QUERY_MAX_ROWS = IntSetting("VANTAGE_QUERY_MAX_ROWS", "10000", "Rows of a result shown on screen (and by the CLI unless --max-rows).")
QUERY_EXPORT_ROWS = IntSetting("VANTAGE_QUERY_EXPORT_ROWS", "1000000", "Rows of a result written to a CSV, Excel or Parquet export.")
QUERY_CONCURRENCY = IntSetting("VANTAGE_QUERY_CONCURRENCY", "4", "User queries that may run at the same time in one app process; more wait, then are refused.")
QUERY_SNAPSHOT_AGE = FloatSetting("VANTAGE_QUERY_SNAPSHOT_AGE", "900", "Seconds between deep checks of the query snapshot (every table compared row by row); without the app's background thread, a snapshot this old is brought up to date before the next query (0 = only on refresh).")
QUERY_PREPARE = FlagSetting("VANTAGE_QUERY_PREPARE", "1", "Prepare the query snapshot in the background once the app has drawn its first page, and refresh the changed tables after writes (1 or 0; 0 = at the first query).")
# -- compare settings --
COMPARE_CACHE_ENTRIES = IntSetting("VANTAGE_COMPARE_CACHE_ENTRIES", "64", "Compare charts kept in each app process's cache (any write to the workspace makes them stale).")
COMPARE_CACHE_TTL = IntSetting("VANTAGE_COMPARE_CACHE_TTL", "600", "Seconds a cached Compare chart is kept at most (writes invalidate it sooner).")
# -- data entry and import settings --
DATA_MAX_UPLOAD_MB = IntSetting("VANTAGE_DATA_MAX_UPLOAD_MB", "50", "Largest file the import wizard and entity imports accept, in MB (keep `server.maxUploadSize` in `.streamlit/config.toml` the same).")
DATA_MAX_COLUMNS = IntSetting("VANTAGE_DATA_MAX_COLUMNS", "2000", "Most columns a file may have to be imported (entities and datasets); wider files are refused from their first line.")
DATA_PAGE_SIZE = IntSetting("VANTAGE_DATA_PAGE_SIZE", "200", "Rows per page in the Data page's grid editor (large tables are filtered and paged).")
DATA_FUZZY = IntSetting("VANTAGE_DATA_FUZZY", "90", "Similarity (0-100) from which two company or account names count as possible duplicates.")
BACKUP_DIR = TextSetting("VANTAGE_BACKUP_DIR", "", "Folder for automatic backups before migrations (default: backups/ next to the workspace).")
BACKUP_BEFORE_MIGRATE = FlagSetting("VANTAGE_BACKUP_BEFORE_MIGRATE", "1", "Export an existing workspace that holds data before schema upgrades (1 or 0).")

# README's order; every Setting of this module is listed (a test checks it).
SETTINGS: tuple[Setting[Any], ...] = (
    DB, ACTOR, LANG, DEMO, DEMO_SEED, READ_ONLY,
    STALE_DAYS,
    SEGMENT_SEED, SEGMENT_SAMPLE, SEGMENT_K_MAX, SEGMENT_FIT_SAMPLE, SEGMENT_CHUNK, SEGMENT_ACV,
    COLLECT_CONTACT, COLLECT_ALLOW_HOSTS, COLLECT_MAX_BYTES, COLLECT_HOST_INTERVAL, COLLECT_TIMEOUT,
    COLLECT_WORKERS, COLLECT_EXTRACT_TIMEOUT, COLLECT_INBOX,
    QUERY_TIMEOUT, QUERY_MAX_TIMEOUT, QUERY_MAX_STATEMENT, QUERY_MEMORY, QUERY_THREADS, QUERY_MAX_ROWS,
    QUERY_EXPORT_ROWS, QUERY_CONCURRENCY, QUERY_SNAPSHOT_AGE, QUERY_PREPARE,
    COMPARE_CACHE_ENTRIES, COMPARE_CACHE_TTL,
    DATA_MAX_UPLOAD_MB, DATA_MAX_COLUMNS, DATA_PAGE_SIZE, DATA_FUZZY,
    BACKUP_DIR, BACKUP_BEFORE_MIGRATE,
)


def readme_table() -> str:
    """README's configuration table, one row per setting (README holds exactly this text; a test checks it)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.env}` | `{s.default}` | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)


def database() -> str:
    """The workspace database string; relative file paths resolve against the project."""
    return resolve_database(DB.value())


def resolve_database(value: str) -> str:
    if is_file_database(value) and not os.path.isabs(value):
        return str(PROJECT_ROOT / value)
    return value


def is_file_database(database: str) -> bool:
    """True for a local file path; False for ':memory:' and engine strings like md:… or ducklake:…."""
    if database == ":memory:" or database.startswith(":memory:"):
        return False
    head = database.split(":", 1)[0]
    # A one-letter head is a Windows drive letter, not a scheme.
    return ":" not in database or len(head) == 1
