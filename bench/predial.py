"""Pre-dial check: the project's lookup against a bare prepared SELECT."""

import logging
import os
import random
from contextlib import contextmanager
from time import perf_counter

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection

from bench.context import Context
from bench.timing import Row, format_duration, format_ratio, median
from campaigns.models import Call
from dnc.models import DoNotCallError, is_listed

BARE_SELECT = "SELECT 1 FROM dnc_dncnumber WHERE phone_number = %s"

# The same row that Call.objects.create() writes for a manual call. The
# database's pre-dial trigger runs for it as for every insert.
BARE_CALL_INSERT = (
    "INSERT INTO campaigns_call (phone_number, agent_id, started_at, status) "
    "VALUES (%s, %s, now(), '')"
)

# The SQLSTATE of the pre-dial trigger's refusal.
PRE_DIAL_SQLSTATE = "DNC01"

WARM_UP_CALLS = 1_000

# Call attempts timed for each side: half to listed numbers, half not.
CALL_ATTEMPTS = 2_000


def lookup_sample(ctx: Context, size: int, seed: int) -> list[str]:
    """Return `size` numbers in random order, half of them listed."""
    rng = random.Random(seed)
    half = size // 2
    sample = rng.sample(ctx.listed, half) + rng.sample(ctx.unlisted, size - half)
    rng.shuffle(sample)
    return sample


def run(ctx: Context) -> None:
    sample = lookup_sample(ctx, ctx.lookups, ctx.seed + 1)
    connection.ensure_connection()

    with psycopg.connect(**ctx.connect, autocommit=True) as conn:
        cursor = conn.cursor()

        def bare_lookup(number: str) -> bool:
            cursor.execute(BARE_SELECT, [number], prepare=True)
            return cursor.fetchone() is not None

        for number in sample[:WARM_UP_CALLS]:
            is_listed(number)
            bare_lookup(number)

        project_times, bare_times = [], []
        project_hits = bare_hits = 0
        # Alternate which lookup goes first so neither always finds the
        # other's pages or CPU caches warm.
        for index, number in enumerate(sample):
            order = (is_listed, bare_lookup) if index % 2 else (bare_lookup, is_listed)
            for lookup in order:
                start = perf_counter()
                found = lookup(number)
                elapsed = perf_counter() - start
                if lookup is is_listed:
                    project_times.append(elapsed)
                    project_hits += found
                else:
                    bare_times.append(elapsed)
                    bare_hits += found

    expected_hits = len(sample) // 2
    if project_hits != expected_hits or bare_hits != expected_hits:
        raise AssertionError(
            f"Lookups found {project_hits} (project) and {bare_hits} (bare) "
            f"listed numbers; expected {expected_hits}."
        )
    row = Row(
        work=f"Pre-dial check of one number ({len(sample):,} lookups, half listed)",
        project=median(project_times),
        baseline=median(bare_times),
        baseline_name="bare prepared SELECT through psycopg",
    )
    ctx.rows.append(row)
    ctx.targets.append(
        (
            "pre-dial check within 2x of a bare indexed SELECT",
            f"{format_ratio(row.ratio)} ({format_duration(row.project)} against "
            f"{format_duration(row.baseline)})",
        )
    )


@contextmanager
def _blocked_call_log_discarded():
    """Send the log lines of refused calls to /dev/null while timing them.

    The project still formats and writes each line; only the terminal is
    spared a thousand warnings.
    """
    handlers = logging.getLogger("campaigns").handlers
    streams = [h for h in handlers if isinstance(h, logging.StreamHandler)]
    with open(os.devnull, "w") as devnull:
        previous = [handler.setStream(devnull) for handler in streams]
        try:
            yield
        finally:
            for handler, stream in zip(streams, previous, strict=True):
                handler.setStream(stream)


def run_calls(ctx: Context) -> None:
    """Time Call creation, with its pre-dial check, against a bare INSERT."""
    agent = get_user_model().objects.create_user("bench-caller", password=None)
    sample = lookup_sample(ctx, CALL_ATTEMPTS, ctx.seed + 3)
    listed = set(ctx.listed)

    def place_call(number: str) -> bool:
        try:
            Call.objects.create(phone_number=number, agent=agent)
        except DoNotCallError:
            return False
        return True

    with psycopg.connect(**ctx.connect, autocommit=True) as conn:
        cursor = conn.cursor()

        def bare_insert(number: str) -> bool:
            try:
                cursor.execute(BARE_CALL_INSERT, [number, agent.pk], prepare=True)
            except psycopg.Error as exc:
                if exc.sqlstate != PRE_DIAL_SQLSTATE:
                    raise
                return False
            return True

        # Durations keyed by (side, whether the call was placed).
        times = {
            (side, placed): []
            for side in ("project", "bare")
            for placed in (True, False)
        }
        with _blocked_call_log_discarded():
            for index, number in enumerate(sample):
                if index % 2:
                    order = (("project", place_call), ("bare", bare_insert))
                else:
                    order = (("bare", bare_insert), ("project", place_call))
                for side, attempt in order:
                    start = perf_counter()
                    placed = attempt(number)
                    elapsed = perf_counter() - start
                    if placed == (number in listed):
                        raise AssertionError(
                            f"The {side} call to {number} was "
                            f"{'placed' if placed else 'refused'}, wrongly."
                        )
                    times[side, placed].append(elapsed)

    for placed, label, baseline_name in (
        (True, "placed", "bare prepared INSERT through psycopg"),
        (
            False,
            "refused as DNC",
            "the same INSERT, refused by the trigger (no BlockedCall row)",
        ),
    ):
        ctx.rows.append(
            Row(
                work=f"Call creation with the pre-dial check, {label} "
                f"({len(times['project', placed]):,} calls)",
                project=median(times["project", placed]),
                baseline=median(times["bare", placed]),
                baseline_name=baseline_name,
            )
        )
