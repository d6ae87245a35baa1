"""`python -m research` subcommands of this area (registered in research/cli.py).

    import ENTITY FILE [--map field=column …] [--set field=value …] [--scale field=factor …]
                       [--ignore COLUMN …] [--keep COLUMN[=NAME[:KIND]] …] [--keep-all]
                       [--mode append|upsert] [--dry-run] [--encoding NAME] [--header-row N]
    import dataset NAME FILE [--replace|--append] [--encoding NAME] [--header-row N]
    undo BATCH_ID
    backup --out DIR
    restore DIR --db NEW_PATH
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

import pandas as pd

from research.data import backup, datasets, entities, fields, imports, mapping, reading, undo
from research.errors import ValidationError
from research.store import Store, open_workspace

T = TypeVar("T")


def _using(db: str | None, work: Callable[[Store], T], *, read_only: bool | None = None,
           must_exist: bool = True) -> T:
    """Run `work` on the workspace `db`, closing it afterwards (the CLI holds it only that long)."""
    store = open_workspace(db, read_only=read_only, must_exist=must_exist)
    try:
        return work(store)
    finally:
        store.close()


def _header_row(text: str) -> int:
    """--header-row: a row number from 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a row number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: rows are numbered from 1")
    return value


def _read_file(path: str) -> bytes:
    if not os.path.isfile(path):
        raise ValidationError(f"{os.path.basename(path) or path} does not exist or is not a file.")
    limit = reading.max_upload_bytes()
    if os.path.getsize(path) > limit:
        raise reading.ImportRefused(
            f"{os.path.basename(path)} is {os.path.getsize(path) / 1048576:,.1f} MB, over the import limit of "
            f"{limit // 1048576:,} MB (VANTAGE_DATA_MAX_UPLOAD_MB)."
        )
    with open(path, "rb") as handle:
        return handle.read()


def _print_report(plan: imports.ImportPlan, rejected: Sequence[mapping.Rejected] = ()) -> None:
    raw = plan.raw
    detected = [f"format {raw.kind}"]
    if raw.encoding:
        detected.append(f"encoding {raw.encoding}")
    if raw.delimiter:
        detected.append(f"delimiter {raw.delimiter!r}")
    detected.append(f"decimal mark {raw.decimal!r}")
    if raw.date_format:
        detected.append(f"dates {raw.date_format}")
    if raw.sheet:
        detected.append(f"sheet {raw.sheet!r}")
    print(f"File       {raw.file_name}: {len(raw.frame):,} rows; " + ", ".join(detected))
    for note in raw.notes:
        print(f"Note       {note}")
    print("Mapping    " + (", ".join(f"{f} <- {c!r}" for f, c in plan.mapping.items()) or "no column"))
    if plan.constants:
        print("Constants  " + ", ".join(f"{f} = {v!r}" for f, v in plan.constants.items()) + " (every row)")
    for name, factor in plan.scales.items():
        print(f"Scale      {name} × {factor:,.6g}" if not float(factor).is_integer() else
              f"Scale      {name} × {factor:,.0f}")
    for money, (currency, default) in plan.default_currencies.items():
        print(f"Currency   {money} is stored in {default or 'no currency'} ({currency} is not given); "
              f"if the file is in another, say so: --set {currency}=USD (or --map {currency}=COLUMN)")
    # Every column of the file is accounted for: mapped (above), kept as a custom field, not
    # imported, or ignored on purpose.
    for k in plan.kept:
        what = "existing field" if k.existing else "new field"
        print(f"Kept       {k.column!r} -> {what} {k.name} ({k.kind}), {plan.kept_values(k):,} values")
    if plan.unmapped_columns:
        keep = (", keep as a new field with --keep COLUMN[=NAME[:KIND]] or --keep-all"
                if plan.entity.name in fields.ENTITIES else "")
        print("Not imported " + ", ".join(map(repr, plan.unmapped_columns))
              + f" (map with --map FIELD=COLUMN{keep}, or leave out on purpose with --ignore COLUMN)")
    if plan.ignored:
        print("Ignored    " + ", ".join(map(repr, plan.ignored)) + " (on purpose)")
    for r in rejected:
        if r.column in plan.unmapped_columns:
            print(f"Not guessed {r.column!r} looks like {r.field} by its name, but only {r.valid:,} of "
                  f"{r.sampled:,} sampled values are valid for {r.field}")
    print(f"Plan       {plan.inserts:,} new rows, {plan.updates:,} updates ({plan.mode})")
    if plan.previous:
        prev = plan.previous
        print(f"Same file  already imported by {prev['actor']} at {prev['created_at']:%Y-%m-%d %H:%M} "
              f"(batch {prev['batch_id']})")
    if plan.problems:
        print(f"Problems   {len(plan.problems):,}")
        table = entities.problems_frame(plan.problems, limit=200)
        for row in table.itertuples():
            print(f"  row {row.row:>6}  {row.column:<20} {row.value!r:<30} {row.reason}")
        if len(plan.problems) > 200:
            print(f"  … and {len(plan.problems) - 200:,} more")
    else:
        print("Problems   none")
    if not plan.duplicates.empty:
        print(f"Duplicates {len(plan.duplicates):,} possible")
        for dup in plan.duplicates.head(200).to_dict("records"):
            existing = f" ~ id {dup['existing_id']} {dup['existing_name']!r}" if pd.notna(dup["existing_id"]) else ""
            print(f"  row {dup['row']:>6}  {str(dup['name'])!r}: {dup['reason']}{existing}")


def cmd_import(args: argparse.Namespace) -> int:
    if args.target == "dataset":
        if len(args.rest) != 2:
            raise ValidationError("Usage: import dataset NAME FILE [--replace|--append].")
        name, path = args.rest
        loaded = _using(args.db, lambda store: datasets.import_dataset(
            store, name, path, args.actor, mode="append" if args.append else "replace", sheet=args.sheet,
            encoding=args.encoding, header_row=args.header_row), must_exist=False)
        action = "created" if loaded.created else ("appended to" if args.append else "replaced")
        print(f"Dataset {loaded.table} {action}: {loaded.rows:,} rows, columns {', '.join(loaded.columns)} "
              f"(batch {loaded.batch_id}).")
        return 0
    if len(args.rest) != 1:
        raise ValidationError("Usage: import ENTITY FILE [--map field=column …] [--set field=value …] "
                              "[--scale field=factor …] [--ignore COLUMN …] [--keep COLUMN[=NAME[:KIND]] …] "
                              "[--keep-all] [--mode append|upsert] [--dry-run].")
    entities.get_entity(args.target)  # an unknown target is refused before the file is read
    path = args.rest[0]
    raw = reading.read_upload(_read_file(path), os.path.basename(path), sheet=args.sheet, encoding=args.encoding,
                              header_row=args.header_row)
    store = Store.open(args.db)
    try:
        entity = fields.entity_for(store, args.target)
        chosen = mapping.parse_map_options(entity, args.map or [], raw.columns)
        constants = mapping.parse_set_options(entity, args.set or [])
        ignored = mapping.parse_ignore_options(args.ignore or [], raw.columns)
        keeps = mapping.parse_keep_options(args.keep or [], raw.columns)
        if (keeps or args.keep_all) and entity.name not in fields.ENTITIES:
            flag = "--keep-all" if args.keep_all else f"--keep {keeps[0][0]}"
            raise ValidationError(f"{flag}: {entity.name} has no custom fields (only {', '.join(fields.ENTITIES)} "
                                  "do); map the column to a field or leave it out with --ignore COLUMN.")
        suggestion = mapping.suggest_for_file(entity, raw, imports.reference_lookups(store, entity))
        field_map = mapping.resolve_cli_mapping(suggestion.mapping, chosen, constants, ignored,
                                                [column for column, _, _ in keeps])
        kept = _kept_columns(store, entity, raw, keeps, args.keep_all, field_map, ignored)
        # A kept column's field takes --scale by its new name (--scale profits=1e6).
        scales = mapping.parse_scale_options(imports.kept_entity(entity, kept), args.scale or [])
        plan = imports.prepare_import(store, entity, raw, field_map, args.mode, constants=constants, scales=scales,
                                      ignored=ignored, kept=kept)
        _print_report(plan, suggestion.rejected)
        if args.dry_run:
            refused = bool(plan.problems) or (not plan.duplicates.empty and args.duplicates == "refuse")
            print("Dry run    nothing written" + ("; this import would be refused" if refused else ""))
            return 1 if refused else 0
        result = imports.apply_import(store, plan, args.actor, duplicates=args.duplicates, again=args.again)
    finally:
        store.close()
    skipped = f", {result.skipped:,} duplicates skipped" if result.skipped else ""
    print(f"Imported   {result.inserted:,} new and {result.updated:,} updated {entity.name}{skipped} "
          f"as batch {result.batch_id} (undo with: python -m research undo {result.batch_id}).")
    return 0


def _kept_columns(store: Store, entity: entities.Entity, raw: reading.RawTable,
                  keeps: Sequence[tuple[str, str | None, str | None]], keep_all: bool, field_map: dict[str, str],
                  ignored: Sequence[str]) -> list[mapping.KeptColumn]:
    """`--keep` columns with their names and kinds filled in, then (`--keep-all`) every other column
    that feeds no field and is not ignored, with the name and kind read from it."""
    columns = [column for column, _, _ in keeps]
    if keep_all:
        used = set(field_map.values()) | set(ignored) | set(columns)
        columns += [c for c in raw.columns if c not in used]
    given = {column: (name, kind) for column, name, kind in keeps}
    kept: list[mapping.KeptColumn] = []
    # Explicit names first, so an inferred name never takes one a --keep asked for.
    taken = [name for name, _ in given.values() if name]
    for column in columns:
        name, kind = given.get(column, (None, None))
        try:
            k = mapping.suggest_keep(store, entity, raw, column, name=name, kind=kind,
                                     taken=[*taken, *(k.name for k in kept)])
        except ValidationError as error:
            raise ValidationError(f"--keep {column}: {error}") from None
        kept.append(k)
    return kept


def cmd_undo(args: argparse.Namespace) -> int:
    result = _using(args.db, lambda store: undo.undo_batch(store, args.batch_id, args.actor))
    print(f"Batch {result.batch_id} undone: {result.reverted:,} rows reverted as batch {result.undo_batch_id}.")
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    frame = _using(args.db, lambda store: undo.list_batches(store, args.limit), read_only=True)
    for row in frame.to_dict("records"):
        state = f" undone by {row['undone_by']}" if pd.notna(row["undone_by"]) else ""
        source = f" from {row['file_name']}" if isinstance(row["file_name"], str) else ""
        print(f"{row['batch_id']:>8}  {row['changed_at']:%Y-%m-%d %H:%M}  {row['actor']:<16} {row['rows']:>9,} rows  "
              f"{row['actions']:<22} {row['tables']}{source}{state}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    result = _using(args.db, lambda store: backup.backup_workspace(store, args.out), read_only=True)
    print(f"Backup written to {result.folder}: {len(result.counts)} tables, "
          f"{sum(result.counts.values()):,} rows (schema v{result.schema_version}).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    if not args.db:
        raise ValidationError("Say where to restore with --db NEW_PATH (a new file; nothing is overwritten).")
    counts = backup.restore_workspace(args.folder, args.db)
    print(f"Restored {len(counts)} tables, {sum(counts.values()):,} rows into {os.path.basename(args.db)}; "
          "every row count matches the backup.")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this area's subcommands; each sets `handler` (args -> exit code) with set_defaults."""
    p = subparsers.add_parser(
        "import", parents=[common],
        help="import a CSV/TSV/Excel/Parquet file into an entity (accounts, companies, …) or as a dataset",
        description=f"import ENTITY FILE, entities: {', '.join(entities.ENTITIES)}; or: import dataset NAME FILE",
    )
    p.add_argument("target", help=f"entity ({', '.join(entities.ENTITIES)}) or 'dataset'")
    p.add_argument("rest", nargs="+", metavar="FILE", help="the file (for datasets: NAME FILE)")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="map a field to a file column (repeatable)")
    p.add_argument("--set", action="append", metavar="FIELD=VALUE",
                   help="one value for every row of a field the file lacks, e.g. country=US (repeatable)")
    p.add_argument("--scale", action="append", metavar="FIELD=FACTOR",
                   help="multiply a number field after parsing, e.g. annual_revenue=1e6 for millions (repeatable)")
    p.add_argument("--ignore", action="append", metavar="COLUMN",
                   help="leave a file column out on purpose; other unmapped columns are listed (repeatable)")
    p.add_argument("--keep", action="append", metavar="COLUMN[=NAME[:KIND]]",
                   help="keep a file column as a new custom field of accounts, companies or products; name and "
                        f"kind ({', '.join(fields.KINDS)}) are read from the column unless given (repeatable)")
    p.add_argument("--keep-all", action="store_true",
                   help="keep every column that feeds no field and is not ignored as a new custom field")
    p.add_argument("--mode", choices=imports.MODES, default="append", help="append new rows or upsert by id/key")
    p.add_argument("--dry-run", action="store_true", help="print the validation report; write nothing")
    p.add_argument("--duplicates", choices=imports.DUPLICATE_DECISIONS, default="refuse",
                   help="what to do with possible duplicates (default: refuse the import)")
    p.add_argument("--again", action="store_true", help="import a file that was imported before anyway")
    p.add_argument("--sheet", help="the sheet of an Excel workbook with several")
    p.add_argument("--encoding", metavar="NAME",
                   help=f"the text file's encoding when the detected one is wrong ({', '.join(reading.ENCODINGS)})")
    p.add_argument("--header-row", type=_header_row, metavar="N",
                   help="the row that holds the column names (1 = the first) when the one found is wrong; a "
                        "report's title, filters and blank lines above it are skipped")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--replace", action="store_true", help="dataset: replace the table (default)")
    group.add_argument("--append", action="store_true", help="dataset: append rows to the table")
    p.set_defaults(handler=cmd_import)

    p = subparsers.add_parser("undo", parents=[common], help="revert one batch of the change log (a save or an import)")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    p.set_defaults(handler=cmd_undo)

    p = subparsers.add_parser("batches", parents=[common], help="list the latest batches of the change log")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(handler=cmd_batches)

    p = subparsers.add_parser("backup", parents=[common], help="export the workspace as Parquet files into a folder")
    p.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder")
    p.set_defaults(handler=cmd_backup)

    p = subparsers.add_parser("restore", parents=[common], help="build a NEW workspace file from a backup folder")
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(handler=cmd_restore)
