from dataclasses import dataclass

PAGE_SIZE = 50

# Higher page numbers would overflow PostgreSQL's bigint OFFSET and fail the
# query. A list would need 50 billion rows to reach this page.
MAX_PAGE = 1_000_000_000


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    has_previous: bool
    has_next: bool

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def paginate(queryset, page_param: str | None, size: int = PAGE_SIZE) -> Page:
    """Return one page of rows without counting the whole result.

    A `count(*)` over a million-row list costs more than the page itself, so the
    page fetches one extra row to learn whether another page follows.
    """
    try:
        number = min(max(1, int(page_param or 1)), MAX_PAGE)
    except ValueError:
        number = 1
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return Page(
        rows=rows[:size],
        number=number,
        has_previous=number > 1,
        has_next=len(rows) > size,
    )
