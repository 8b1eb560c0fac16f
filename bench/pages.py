"""The DNC Numbers page and its search against the Django admin changelist."""

import time
import warnings

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.context import Context
from bench.timing import Row, format_duration, median

ADMIN_CHANGELIST = "/django-admin/dnc/dncnumber/"

# (label, project query string, admin changelist query string)
PAGES = (
    ("first page", {}, {}),
    ("search for the digits 867530", {"q": "867530"}, {"q": "867530"}),
    (
        "search for (202) 555-0143",
        {"q": "(202) 555-0143"},
        {"q": "(202) 555-0143"},
    ),
    (
        "filter by source: added by hand",
        {"source": "manual"},
        {"source__exact": "manual"},
    ),
)

WARM_UP_REQUESTS = 3

# The test Client's host, and plain static file URLs: with DEBUG off the
# project's manifest storage needs `collectstatic`, which the benchmark skips.
PAGE_SETTINGS = {
    "ALLOWED_HOSTS": ["testserver"],
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    },
}


def _superuser():
    User = get_user_model()
    user = User.objects.filter(username="bench-admin").first()
    if user is None:
        user = User.objects.create_superuser("bench-admin", password=None)
    return user


def measure_pair(client: Client, project: tuple, admin: tuple, requests: int):
    """Time a project page and an admin page, request by request in turn.

    Each of `project` and `admin` is (path, query). Returns one dict per page
    with the median time, the query count and the body of a last request.
    """
    pages = [project, admin]
    for path, query in pages:
        for _ in range(WARM_UP_REQUESTS):
            _get(client, path, query)
    durations = ([], [])
    for index in range(requests):
        # Each page goes first in every other round.
        order = (0, 1) if index % 2 == 0 else (1, 0)
        for page in order:
            path, query = pages[page]
            start = time.perf_counter()
            _get(client, path, query)
            durations[page].append(time.perf_counter() - start)
    results = []
    for page, (path, query) in enumerate(pages):
        with CaptureQueriesContext(connection) as queries:
            body = _get(client, path, query)
        results.append(
            {"median": median(durations[page]), "queries": len(queries), "body": body}
        )
    return results


def _get(client: Client, path: str, query: dict) -> str:
    response = client.get(path, query)
    if response.status_code != 200:
        raise AssertionError(f"GET {path} {query} returned {response.status_code}.")
    return response.content.decode()


def run(ctx: Context) -> None:
    client = Client()
    client.force_login(_superuser())
    lines = [
        "| page | project queries | admin changelist queries |",
        "|---|---:|---:|",
    ]
    slowest = 0.0
    query_counts = set()
    with override_settings(**PAGE_SETTINGS), warnings.catch_warnings():
        # WhiteNoise warns that STATIC_ROOT is missing, as collectstatic never ran.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        for label, project_query, admin_query in PAGES:
            project, admin = measure_pair(
                client,
                ("/dnc/", project_query),
                (ADMIN_CHANGELIST, admin_query),
                ctx.requests,
            )
            if project_query.get("q") == "(202) 555-0143" and (
                "+12025550143" not in project["body"]
            ):
                raise AssertionError("The project's search missed +12025550143.")
            ctx.rows.append(
                Row(
                    work=f"DNC Numbers page, {label}",
                    project=project["median"],
                    baseline=admin["median"],
                    baseline_name="Django admin changelist, search_fields",
                )
            )
            lines.append(f"| {label} | {project['queries']} | {admin['queries']} |")
            slowest = max(slowest, project["median"])
            query_counts.add(project["queries"])
    ctx.details["pages"] = lines
    ctx.targets.append(
        (
            "DNC Numbers page and its search in tens of milliseconds",
            f"slowest median {format_duration(slowest)}",
        )
    )
    ctx.targets.append(
        (
            "a fixed number of queries however many rows a page shows",
            f"{', '.join(map(str, sorted(query_counts)))} queries per page",
        )
    )
