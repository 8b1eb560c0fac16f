"""django-import-export resources for DncNumber: the import a user would write.

Both resources are keyed on the phone number, so that importing a file twice
does not add a number twice. The file has a phone_number column only, and
every row gets the source "import", as in the project's import.

django-import-export parses no phone numbers: each value is stored as the
file writes it, "(202) 555-0143" as well as "+12025550143".
"""

import time

import tablib
from import_export import resources
from import_export.instance_loaders import CachedInstanceLoader

from dnc.models import DncNumber


class DncNumberResource(resources.ModelResource):
    """The resource with django-import-export's default options."""

    class Meta:
        model = DncNumber
        fields = ("phone_number", "source")
        import_id_fields = ("phone_number",)

    def before_import(self, dataset, **kwargs):
        if "source" not in dataset.headers:
            dataset.append_col(["import"] * len(dataset), header="source")


class FastDncNumberResource(DncNumberResource):
    """The resource with the options that the library documents for speed.

    Bulk inserts in batches, no before/after comparison of each row, and one
    query that loads the existing rows of the whole file.
    """

    class Meta:
        model = DncNumber
        fields = ("phone_number", "source")
        import_id_fields = ("phone_number",)
        use_bulk = True
        skip_diff = True
        instance_loader_class = CachedInstanceLoader
        batch_size = 10_000


def import_file(resource: resources.ModelResource, path) -> dict:
    """Import a CSV file with a resource; return its duration and row counts.

    Raises the first row error: the benchmark's files have none.
    """
    start = time.perf_counter()
    with open(path, newline="") as csv_file:
        dataset = tablib.Dataset().load(csv_file.read(), format="csv")
    result = resource.import_data(dataset, raise_errors=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(dataset), "totals": dict(result.totals)}
