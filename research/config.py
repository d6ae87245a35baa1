"""Settings, declared once: the only module that reads the environment.

Every setting has a default and a one-line help; README's configuration table
lists each of them (a test checks that).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "VANTAGE_DB",
        "data/workbench.duckdb",
        "Workspace: a DuckDB file path (relative to the project) or any DuckDB database string (md:…, ducklake:…).",
    ),
    Setting("VANTAGE_ACTOR", "local", "Default actor name recorded in the audit log (sidebar and --actor override it)."),
    Setting("VANTAGE_LANG", "en", "Default UI language: en (English) or sr (Serbian, Cyrillic)."),
    Setting("VANTAGE_DEMO", "1", "Fill a newly created workspace with the demo market on the app's first start (1 or 0)."),
    Setting("VANTAGE_DEMO_SEED", "42", "Random seed of the demo market the app creates on first start."),
    Setting("VANTAGE_READ_ONLY", "0", "Open the workspace read-only (1 or 0): browsing works, every write is refused."),
    # -- competitors and SWOT settings --
    Setting("VANTAGE_STALE_DAYS", "90", "Days after which a SWOT item without newer evidence counts as stale (to re-verify)."),
    # -- segmentation settings --
    Setting("VANTAGE_SEGMENT_SEED", "42", "Random seed of k-means clustering and of the silhouette sample."),
    Setting("VANTAGE_SEGMENT_SAMPLE", "3000", "Accounts sampled for the silhouette scan that suggests k (the fit uses every account, up to VANTAGE_SEGMENT_FIT_SAMPLE)."),
    Setting("VANTAGE_SEGMENT_K_MAX", "8", "Largest number of clusters the silhouette scan tries (from 2)."),
    Setting("VANTAGE_SEGMENT_FIT_SAMPLE", "200000", "Most accounts clustering fits on and describes clusters from; a larger market is fitted on a seeded sample of this many, then every account is assigned in chunks."),
    Setting("VANTAGE_SEGMENT_CHUNK", "200000", "Accounts assigned to their cluster per chunk when a market is larger than VANTAGE_SEGMENT_FIT_SAMPLE (bounds memory)."),
    Setting("VANTAGE_SEGMENT_ACV", "20000", "Expected annual contract value in EUR per account when a segment has no won deals."),
    # -- collection settings --
    Setting("VANTAGE_COLLECT_CONTACT", "", "Contact (e-mail or URL) added to the collector's User-Agent so site owners can reach you."),
    Setting("VANTAGE_COLLECT_ALLOW_HOSTS", "", "Comma-separated host names or IPs the collector may fetch although they are private (intranet)."),
    Setting("VANTAGE_COLLECT_MAX_BYTES", "5000000", "Largest page the collector reads, in bytes; bigger bodies are cut off and nothing is stored."),
    Setting("VANTAGE_COLLECT_HOST_INTERVAL", "2", "Seconds between two requests to the same host (robots.txt Crawl-delay may raise it)."),
    Setting("VANTAGE_COLLECT_TIMEOUT", "20", "Total seconds one page fetch may take: robots.txt, politeness waits, redirects and retries included."),
    Setting("VANTAGE_COLLECT_WORKERS", "8", "Hosts fetched at the same time during one collect run."),
    Setting("VANTAGE_COLLECT_EXTRACT_TIMEOUT", "10", "Seconds reading one fetched page may take (in a worker process that is killed at the limit)."),
    Setting("VANTAGE_COLLECT_INBOX", "data/inbox", "Folder where collect runs leave results while the app holds the workspace."),
    # -- query settings --
    Setting("VANTAGE_QUERY_TIMEOUT", "10", "Seconds a workbench query may run before it is interrupted (the worker is killed 5 s later)."),
    Setting("VANTAGE_QUERY_MAX_TIMEOUT", "300", "Largest time limit in seconds a query may ask for (CLI --timeout, VANTAGE_QUERY_TIMEOUT)."),
    Setting("VANTAGE_QUERY_MAX_STATEMENT", "100000", "Longest SQL statement in characters the workbench accepts; longer ones are refused before parsing."),
    Setting("VANTAGE_QUERY_MEMORY", "2GB", "DuckDB memory limit of each sandbox worker process (e.g. 512MB, 2GB)."),
    Setting("VANTAGE_QUERY_THREADS", "0", "DuckDB threads of each sandbox worker (0 = one per CPU core)."),
    Setting("VANTAGE_QUERY_MAX_ROWS", "10000", "Rows of a result shown on screen (and by the CLI unless --max-rows)."),
    Setting("VANTAGE_QUERY_EXPORT_ROWS", "1000000", "Rows of a result written to a CSV, Excel or Parquet export."),
    Setting("VANTAGE_QUERY_CONCURRENCY", "4", "User queries that may run at the same time in one app process; more wait, then are refused."),
    Setting("VANTAGE_QUERY_SNAPSHOT_AGE", "900", "Seconds between deep checks of the query snapshot (every table compared row by row); without the app's background thread, a snapshot this old is brought up to date before the next query (0 = only on refresh)."),
    Setting("VANTAGE_QUERY_PREPARE", "1", "Prepare the query snapshot in the background when the app opens the workspace and refresh the changed tables after writes (1 or 0; 0 = at the first query)."),
    # -- compare settings --
    Setting("VANTAGE_COMPARE_CACHE_ENTRIES", "64", "Compare charts kept in each app process's cache (any write to the workspace makes them stale)."),
    Setting("VANTAGE_COMPARE_CACHE_TTL", "600", "Seconds a cached Compare chart is kept at most (writes invalidate it sooner)."),
    # -- data entry and import settings --
    Setting("VANTAGE_DATA_MAX_UPLOAD_MB", "50", "Largest file the import wizard and entity imports accept, in MB (keep server.maxUploadSize in .streamlit/config.toml the same)."),
    Setting("VANTAGE_DATA_MAX_COLUMNS", "2000", "Most columns a file may have to be imported (entities and datasets); wider files are refused from their first line."),
    Setting("VANTAGE_DATA_PAGE_SIZE", "200", "Rows per page in the Data page's grid editor (large tables are filtered and paged)."),
    Setting("VANTAGE_DATA_FUZZY", "90", "Similarity (0-100) from which two company or account names count as possible duplicates."),
    Setting("VANTAGE_BACKUP_DIR", "", "Folder for automatic backups before migrations (default: backups/ next to the workspace)."),
    Setting("VANTAGE_BACKUP_BEFORE_MIGRATE", "1", "Export an existing workspace that holds data before schema upgrades (1 or 0)."),
)

_BY_ENV = {s.env: s for s in SETTINGS}


def get(env: str) -> str:
    """The value of a declared setting: the environment if set, else its default."""
    setting = _BY_ENV[env]
    value = os.environ.get(env, "").strip()
    return value or setting.default


def default(env: str) -> str:
    """The declared default of a setting, whatever the environment says."""
    return _BY_ENV[env].default


def get_flag(env: str) -> bool:
    return get(env).lower() in {"1", "true", "yes", "on"}


def get_int(env: str) -> int:
    value = get(env)
    try:
        return int(value)
    except ValueError:
        from research.errors import ValidationError

        raise ValidationError(f"{env} must be a whole number, not {value!r}.") from None


def database() -> str:
    """The workspace database string; relative file paths resolve against the project."""
    return resolve_database(get("VANTAGE_DB"))


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


def get_float(env: str) -> float:
    """A declared setting as a non-negative number (seconds, sizes)."""
    from research.errors import ValidationError

    value = get(env)
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(f"{env} must be a number, not {value!r}.") from None
    if not math.isfinite(number):
        raise ValidationError(f"{env} must be a finite number, not {value!r}.")
    if number < 0:
        raise ValidationError(f"{env} cannot be negative.")
    return number
