"""The text of docs/benchmarks.md around the tables that a run measures."""

from datetime import date

from bench.context import SMALL_LIST, Context

INTRO = """\
# Benchmarks

How fast dncadmin does its frequent work on a DNC list of {list_size:,}
numbers, next to what a user would otherwise reach for. `bench/run.py`
measured every figure on this page in one run and wrote the page.

## Running it

```sh
make bench                                       # full run, rewrites this page
.venv/bin/python -m bench.run --numbers 20000    # smoke run, prints the table
.venv/bin/python -m bench.run --only predial,page
```

`make bench` installs the `bench` extra (django-import-export, the import
baseline) and runs `python -m bench.run --write docs/benchmarks.md`. The run
drops and creates the database `dncadmin_bench` on the project's PostgreSQL
server (the embedded one unless DATABASE_URL is set), migrates it, loads
generated numbers with COPY and drops the database at the end
(`--keep-database` keeps it). Django runs with DEBUG off, as in production.
`python -m bench.run --help` lists the options.

## This run

`{command}` on {run_date} took {total} on this machine.
Other processes shared it, as the load average shows, so figures vary from run to
run. The two sides of the pre-dial, call, dialer and page figures are timed
in turn, so that load affects both alike. The imports run one after another.

| | |
|---|---|
"""

RESULTS = """\
## Results

Each figure is the median of many timed repetitions in this one run, except
the imports, which run once per file. The last column divides the project's
figure by the baseline's: below 1 the project is faster.

"""

TARGETS = """\
## Against the targets

| target | this run |
|---|---|
"""

METHOD = """\
## What each line measures

- **Pre-dial check**: `dnc.models.is_listed(e164)` through Django's
  connection, against `SELECT 1 FROM dnc_dncnumber WHERE phone_number = %s` as
  a prepared statement through psycopg 3 on a connection of its own. Both look
  up the same numbers, half of them listed, in random order, after 1,000
  warm-up lookups each, and the two alternate which goes first.
- **Call creation**: `Call.objects.create(phone_number=..., agent=...)`,
  whose `save()` inserts the row in a savepoint, the pre-dial trigger taking
  the number's advisory lock and checking the list, against a prepared
  `INSERT` of the same row through psycopg. The trigger checks the bare
  `INSERT` too, so the baseline is the cheapest path the database allows. A
  refused call also writes a `BlockedCall` row and a log line (sent to
  /dev/null during the run).
- **Dialer**: `campaigns.dialer.next_lead(campaign, agent)` on one campaign of
  {leads:,} leads, about 5% of which dial numbers from the first {small:,}
  listed numbers, so some picks skip leads as DNC. The same picks run on a
  list of {small:,} numbers (the baseline) and on the full list, in
  alternating blocks that each start from the same state. The small list is a
  copy of those {small:,} rows, swapped in for the full table by renaming.
- **Import**: see below.
- **DNC Numbers page**: `/dnc/` as a superuser through Django's test Client,
  against the Django admin changelist of the same model
  (`/django-admin/dnc/dncnumber/`, `search_fields = ["phone_number"]`), after
  3 warm-up requests each, the two pages requested in turn. The admin's
  search for "(202) 555-0143" compares the typed text, so it finds nothing,
  while the project's finds +12025550143.
"""

DATA = """\
## The data

The list holds {list_size:,} distinct numbers that phonenumbers validates: US
area codes from a fixed list of real ones, exchanges 200-999 and random line
numbers, from a fixed seed, so each run loads the same list. About 95% have
the source "import", the rest were added by hand, by call status or by API,
at random times over three years. The import files write the same numbers in
six formats in turn: `+12025550143`, `(202) 555-0143`, `202-555-0143`,
`1-202-555-0143`, `+1 202 555 0143` and `202.555.0143`.
"""

SECTIONS = (
    ("dialer", "## Dialer picks"),
    ("pages", "## Queries per page"),
    ("import", "## Import"),
)


def render(
    ctx: Context,
    *,
    command: str,
    machine_lines: list[str],
    results: list[str],
    total: str,
) -> str:
    text = INTRO.format(
        list_size=ctx.list_size,
        command=command,
        run_date=date.today().isoformat(),
        total=total,
    )
    text += "\n".join(machine_lines) + "\n\n"
    text += RESULTS + "\n".join(results) + "\n\n"
    if ctx.targets:
        lines = [f"| {target} | {measured} |" for target, measured in ctx.targets]
        text += TARGETS + "\n".join(lines) + "\n\n"
    text += METHOD.format(leads=ctx.leads, small=SMALL_LIST) + "\n"
    for key, heading in SECTIONS:
        if key in ctx.details:
            text += heading + "\n\n" + "\n".join(ctx.details[key]) + "\n\n"
    text += DATA.format(list_size=ctx.list_size)
    return text
