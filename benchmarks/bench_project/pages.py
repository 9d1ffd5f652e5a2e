"""Page links as DRF's PageNumberPagination writes them, for the contenders that build pages by hand."""

from urllib.parse import urlencode


def page_link(request, page):
    """The absolute URL of ``page`` of this request's list (None for no page); page 1 drops ``page``."""
    if page is None:
        return None
    query = request.GET.copy()
    if page == 1:
        query.pop("page", None)
    else:
        query["page"] = page
    encoded = urlencode(sorted(query.items()))
    return request.build_absolute_uri(request.path + ("?" + encoded if encoded else ""))
