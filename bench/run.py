"""Measure dncadmin on a one-million-number DNC list against common baselines.

    python -m bench.run                      # the full run, several minutes
    python -m bench.run --numbers 20000      # a quick smoke run
    python -m bench.run --only predial,page  # some parts only

The run drops and creates its own database (dncadmin_bench by default) on the
project's PostgreSQL server, loads the generated list with COPY and prints a
Markdown table of medians. `--write docs/benchmarks.md` also writes the page.
"""

import argparse
import importlib.util
import os
import secrets
import shlex
import sys
import time
from pathlib import Path

import psycopg

from bench import database
from bench.context import SMALL_LIST, Context
from bench.numbers import generate_numbers, list_rows
from bench.timing import format_duration

PARTS = ("dialer", "predial", "page", "import")

DNC_COLUMNS = ["phone_number", "source", "added_at", "note"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--numbers",
        type=int,
        default=1_000_000,
        help="size of the DNC list (default: 1,000,000)",
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default: {','.join(PARTS)})",
    )
    parser.add_argument(
        "--leads",
        type=int,
        default=100_000,
        help="leads in the dialer's campaign (default: 100,000)",
    )
    parser.add_argument(
        "--lookups",
        type=int,
        default=20_000,
        help="pre-dial lookups timed for each side (default: 20,000)",
    )
    parser.add_argument(
        "--picks",
        type=int,
        default=2_000,
        help="next-number picks timed at each list size (default: 2,000)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=30,
        help="timed requests per page, after warm-up (default: 30)",
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the generated data (default: 1)"
    )
    parser.add_argument(
        "--database",
        default=database.DEFAULT_NAME,
        help="database to drop and create for the run (default: %(default)s)",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="leave the benchmark database in place after the run",
    )
    parser.add_argument(
        "--write", type=Path, metavar="PATH", help="write the Markdown page to PATH"
    )
    args = parser.parse_args(argv)

    args.parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(args.parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}: choose from {', '.join(PARTS)}")
    if args.numbers < SMALL_LIST:
        parser.error(f"--numbers must be at least {SMALL_LIST:,}")
    if "dialer" in args.parts and args.numbers == SMALL_LIST:
        parser.error(f"--numbers must exceed {SMALL_LIST:,} for the dialer part")
    if not 2 <= args.lookups <= 2 * args.numbers:
        parser.error("--lookups must be between 2 and twice --numbers")
    if args.leads < 1 or args.requests < 1 or args.picks < 1:
        parser.error("--leads, --requests and --picks must be positive")
    return args


def set_up_django(server: dict, name: str) -> None:
    """Point Django at the benchmark database and migrate it.

    DEBUG is off, as in production: with DEBUG on, Django records every query
    and the lookups would measure that bookkeeping too.
    """
    os.environ["DATABASE_URL"] = database.database_url(server, name)
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dncadmin.settings")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def missing_parts(parts: list[str]) -> dict[str, str]:
    """Return the parts whose project code is not there yet, with the reason."""
    missing = {}
    if "dialer" in parts and importlib.util.find_spec("campaigns.dialer") is None:
        missing["dialer"] = "campaigns/dialer.py does not exist"
    if "import" in parts and importlib.util.find_spec("dnc.importer") is None:
        missing["import"] = "dnc/importer.py does not exist"
    return missing


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def log_new_rows(ctx: Context, first: int) -> None:
    """Log the results from row `first` on, so a failing later part loses none."""
    for row in ctx.rows[first:]:
        baseline = "" if row.baseline is None else format_duration(row.baseline)
        log(f"  {row.work}: {format_duration(row.project)} against {baseline}")


def load_list(args, ctx: Context, conn: psycopg.Connection) -> None:
    log(f"Loading the DNC list of {args.numbers:,} numbers with COPY")
    load_started = time.perf_counter()
    rows = list_rows(ctx.listed, args.seed)
    database.copy_rows(conn, "dnc_dncnumber", DNC_COLUMNS, rows)
    log(f"Loaded in {format_duration(time.perf_counter() - load_started)}")


def time_dialer(args, ctx: Context, conn: psycopg.Connection) -> None:
    from bench import dialer

    log(f"Dialer with {SMALL_LIST:,} and with {args.numbers:,} DNC numbers")
    dialer_bench = dialer.prepare(ctx, conn)
    dialer.run(dialer_bench, ctx, conn)
    dialer.report(dialer_bench, ctx)
    log_new_rows(ctx, len(ctx.rows) - 1)


def run_other_parts(args, ctx: Context) -> None:
    """Run the parts after the dialer's; the import, last, empties the list."""
    if "predial" in args.parts:
        from bench import predial

        log(f"Pre-dial check: {args.lookups:,} lookups each")
        first = len(ctx.rows)
        predial.run(ctx)
        log("Call creation through the pre-dial check")
        predial.run_calls(ctx)
        log_new_rows(ctx, first)
    if "page" in args.parts:
        from bench import pages

        log("DNC Numbers page against the admin changelist")
        first = len(ctx.rows)
        pages.run(ctx)
        log_new_rows(ctx, first)
    if "import" in args.parts:
        from bench import importing

        log("Import of a file against django-import-export")
        first = len(ctx.rows)
        importing.run(ctx)
        log_new_rows(ctx, first)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started = time.perf_counter()
    load_average = os.getloadavg()[0]

    server = database.server_settings()
    log(f"Creating database {args.database} and migrating it")
    database.recreate_database(server, args.database)
    set_up_django(server, args.database)
    for part, reason in missing_parts(args.parts).items():
        log(f"Skipping the {part} part: {reason}")
        args.parts.remove(part)

    log(f"Generating {args.numbers:,} listed and {args.leads:,} other numbers")
    numbers = generate_numbers(args.numbers + args.leads + args.lookups, args.seed)
    ctx = Context(
        list_size=args.numbers,
        leads=args.leads,
        lookups=args.lookups,
        requests=args.requests,
        picks=args.picks,
        seed=args.seed,
        connect=database.connection_kwargs(server, args.database),
        listed=numbers[: args.numbers],
        unlisted=numbers[args.numbers :],
    )
    with psycopg.connect(**ctx.connect, autocommit=True) as conn:
        postgres_version = database.server_version(conn)
        load_list(args, ctx, conn)
        if "dialer" in args.parts:
            time_dialer(args, ctx, conn)
    run_other_parts(args, ctx)

    from bench import report

    print("\n".join(report.results_table(ctx.rows)))
    for lines in ctx.details.values():
        print()
        print("\n".join(lines))

    total = time.perf_counter() - started
    if args.write:
        facts = report.machine(postgres_version)
        facts.append(
            (
                "load average (1 minute) at the start and the end",
                f"{load_average:.2f} and {os.getloadavg()[0]:.2f}",
            )
        )
        report.write_page(
            args.write,
            ctx,
            command=shlex.join(["python", "-m", "bench.run", *argv]),
            machine_facts=facts,
            total_seconds=total,
        )
        log(f"Wrote {args.write}")
    if not args.keep_database:
        from django.db import connections

        connections.close_all()
        database.drop_database(server, args.database)
    log(f"Done in {format_duration(total)}")


if __name__ == "__main__":
    main()
