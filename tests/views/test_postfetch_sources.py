"""PostFetch queries what DRF would accept as a queryset, and names what it needs otherwise."""

import pytest

from restflow.views import PostFetch


class Rows:
    """A queryset-like source (a repository, a remote table): filter, order_by, values; iterable."""

    def __init__(self, rows):
        self.rows = list(rows)

    def filter(self, **lookups):
        def keep(row):
            return all(row[name.removesuffix("__in")] in allowed for name, allowed in lookups.items())

        return Rows(row for row in self.rows if keep(row))

    def order_by(self, *fields):
        return Rows(sorted(self.rows, key=lambda row: [row[field.lstrip("-")] for field in fields], reverse=True))

    def values(self, *fields):
        return Rows({field: row[field] for field in fields} for row in self.rows)

    def __iter__(self):
        return iter(self.rows)


REVIEWS = Rows([{"product_id": 1, "stars": 3}, {"product_id": 1, "stars": 5}, {"product_id": 2, "stars": 4}])


def test_fetch_joins_from_a_queryset_like_object():
    fetch = PostFetch(REVIEWS, to_attr="best", values=["stars"], order_by=["-stars"], product_id="id")
    items = fetch.fetch([{"id": 1}, {"id": 2}, {"id": 3}])
    assert [item["best"] for item in items] == [
        {"stars": 5, "product_id": 1},
        {"stars": 4, "product_id": 2},
        None,
    ]


async def test_afetch_reads_a_sync_only_source_in_a_thread():
    fetch = PostFetch(REVIEWS, to_attr="reviews", values=["stars"], limit=None, product_id="id")
    items = await fetch.afetch([{"id": 1}])
    assert sorted(row["stars"] for row in items[0]["reviews"]) == [3, 5]


def test_a_source_without_the_methods_postfetch_calls_is_refused_with_what_is_needed():
    with pytest.raises(TypeError, match=r"object with filter\(\), values\(\) methods; got list, which lacks filter\(\), values\(\)"):
        PostFetch([{"product_id": 1}], to_attr="x", values=["stars"], product_id="id")
    with pytest.raises(TypeError, match=r"lacks order_by\(\)"):
        PostFetch(type("NoOrder", (), {"filter": len, "values": len})(), to_attr="x", values=[], order_by=["a"], a="b")
