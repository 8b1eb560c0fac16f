"""The dialer's next-number pick with a small and with the full DNC list.

One campaign of `ctx.leads` leads, about 5% of which dial numbers from the
first 1,000 listed numbers (several contacts share each), so the dialer skips
some leads on every list size. The small list is a copy of those 1,000 rows
in a table of its own. The run swaps it in for the full list by renaming the
two tables, and alternates blocks of picks between the two sizes, each block
from the same starting state, so that a change in the machine's load between
blocks affects both sizes alike.
"""

import random
import time
from dataclasses import dataclass, field

import psycopg
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bench.context import SMALL_LIST, Context
from bench.database import checkpoint, vacuum_analyze
from bench.timing import Row, format_duration, format_ratio, median
from campaigns.models import Campaign, Contact, Lead, PhoneNumber
from dnc.roles import AGENTS

# Share of leads whose number is on the small list.
LISTED_LEAD_SHARE = 0.05

BATCH_SIZE = 5_000

WARM_UP_PICKS = 20

# Blocks of picks per list size; the sizes alternate block by block.
ROUNDS = 4

SMALL_TABLE = "bench_small_list"


@dataclass
class DialerBench:
    """The campaign and agent of the runs, and each list size's results."""

    campaign: Campaign
    agent: object
    results: dict[int, dict] = field(default_factory=dict)
    # The number of rows in dnc_dncnumber at the moment.
    active_size: int = 0


def prepare(ctx: Context, conn: psycopg.Connection) -> DialerBench:
    """Create the agent, the campaign, its contacts and leads."""
    agent = get_user_model().objects.create_user("bench-agent", password=None)
    agent.groups.add(Group.objects.get(name=AGENTS))
    campaign = Campaign.objects.create(
        name="Benchmark campaign", status=Campaign.Status.ACTIVE
    )

    rng = random.Random(ctx.seed + 2)
    numbers = []
    for index in range(ctx.leads):
        if rng.random() < LISTED_LEAD_SHARE:
            numbers.append(ctx.listed[rng.randrange(SMALL_LIST)])
        else:
            numbers.append(ctx.unlisted[index])

    contacts = Contact.objects.bulk_create(
        [Contact(name=f"Lead {index}") for index in range(ctx.leads)],
        batch_size=BATCH_SIZE,
    )
    phones = PhoneNumber.objects.bulk_create(
        [
            PhoneNumber(contact=contact, number=number, label="mobile")
            for contact, number in zip(contacts, numbers, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    Lead.objects.bulk_create(
        [Lead(campaign=campaign, phone_number=phone) for phone in phones],
        batch_size=BATCH_SIZE,
    )
    for table in ("campaigns_contact", "campaigns_phonenumber", "campaigns_lead"):
        vacuum_analyze(conn, table)

    conn.execute(f"CREATE TABLE {SMALL_TABLE} (LIKE dnc_dncnumber INCLUDING ALL)")
    conn.execute(
        f"INSERT INTO {SMALL_TABLE} SELECT * FROM dnc_dncnumber "  # noqa: S608
        "WHERE phone_number = ANY(%s)",
        [ctx.listed[:SMALL_LIST]],
    )
    vacuum_analyze(conn, SMALL_TABLE)
    return DialerBench(campaign=campaign, agent=agent, active_size=ctx.list_size)


def _use_list(bench: DialerBench, conn: psycopg.Connection, size: int) -> None:
    """Make dnc_dncnumber the table of `size` numbers, by swapping table names."""
    if bench.active_size == size:
        return
    with conn.transaction():
        conn.execute("ALTER TABLE dnc_dncnumber RENAME TO bench_swapped_list")
        conn.execute(f"ALTER TABLE {SMALL_TABLE} RENAME TO dnc_dncnumber")
        conn.execute(f"ALTER TABLE bench_swapped_list RENAME TO {SMALL_TABLE}")
    bench.active_size = size


def _reset_campaign(bench: DialerBench, conn: psycopg.Connection) -> None:
    """Put every lead back to pending and delete the calls the picks placed."""
    campaign_id = bench.campaign.pk
    conn.execute("DELETE FROM campaigns_call WHERE campaign_id = %s", [campaign_id])
    conn.execute(
        "UPDATE campaigns_lead SET status = 'pending', agent_id = NULL "
        "WHERE campaign_id = %s AND (status <> 'pending' OR agent_id IS NOT NULL)",
        [campaign_id],
    )
    vacuum_analyze(conn, "campaigns_call")
    vacuum_analyze(conn, "campaigns_lead")
    checkpoint(conn)


def _time_picks(bench: DialerBench, picks: int) -> list[float]:
    from campaigns.dialer import next_lead

    durations = []
    for pick in range(WARM_UP_PICKS + picks):
        start = time.perf_counter()
        lead = next_lead(bench.campaign, bench.agent)
        elapsed = time.perf_counter() - start
        if lead is None:
            raise AssertionError(f"The dialer ran out of leads after {pick} picks.")
        if pick >= WARM_UP_PICKS:
            durations.append(elapsed)
    return durations


def run(bench: DialerBench, ctx: Context, conn: psycopg.Connection) -> None:
    """Time the picks on both list sizes, then put the full list back."""
    sizes = (SMALL_LIST, ctx.list_size)
    durations = {size: [] for size in sizes}
    picks_per_block = max(1, ctx.picks // ROUNDS)
    try:
        for round_number in range(ROUNDS):
            # Each size goes first in every other round.
            for size in sizes if round_number % 2 == 0 else reversed(sizes):
                _use_list(bench, conn, size)
                _reset_campaign(bench, conn)
                durations[size] += _time_picks(bench, picks_per_block)
                skipped = Lead.objects.filter(
                    campaign=bench.campaign, status=Lead.Status.SKIPPED_DNC
                ).count()
                bench.results[size] = {
                    "median": median(durations[size]),
                    "picks": len(durations[size]),
                    "skipped": skipped,
                }
    finally:
        _use_list(bench, conn, ctx.list_size)
        conn.execute(f"DROP TABLE {SMALL_TABLE}")
        _reset_campaign(bench, conn)


def report(bench: DialerBench, ctx: Context) -> None:
    small, full = bench.results[SMALL_LIST], bench.results[ctx.list_size]
    row = Row(
        work=f"Dialer's next-number pick, {ctx.leads:,} leads, "
        f"{ctx.list_size:,} DNC numbers",
        project=full["median"],
        baseline=small["median"],
        baseline_name=f"the same pick with {SMALL_LIST:,} DNC numbers",
    )
    ctx.rows.append(row)
    ctx.targets.append(
        (
            "dialer's next-number pick constant in the size of the DNC list",
            f"{format_ratio(row.ratio)} from {SMALL_LIST:,} to "
            f"{ctx.list_size:,} numbers",
        )
    )
    ctx.details["dialer"] = [
        f"{ROUNDS} blocks of picks per list size, alternating between the sizes.",
        "",
        "| DNC numbers | picks timed | median pick | leads skipped as DNC per block |",
        "|---:|---:|---:|---:|",
        *(
            f"| {size:,} | {result['picks']:,} | {format_duration(result['median'])} "
            f"| {result['skipped']:,} |"
            for size, result in sorted(bench.results.items())
        ),
    ]
