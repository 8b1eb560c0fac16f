"""Run the project's import of one file in a process of its own.

    python -m bench.import_child FILE

The benchmark starts this module so that the peak memory it reads for the
child is the import's alone. Django's settings come from the environment that
bench/run.py prepared. The last line of output is the import's report as JSON:
its duration in seconds, its time per stage and its counts.
"""

import json
import sys
import time
from pathlib import Path


def main() -> None:
    import django

    django.setup()
    from dnc.importer import import_file

    path = Path(sys.argv[1])
    start = time.perf_counter()
    report = import_file(path, by=None, file_name=path.name)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"seconds": seconds, "timings": report.timings, "counts": report.counts()}
        )
    )


if __name__ == "__main__":
    main()
