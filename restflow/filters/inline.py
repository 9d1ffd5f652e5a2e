"""``InlineFilterSet``: a FilterSet class built in one call."""

from restflow.filters.fields import Field
from restflow.filters.filterset import FilterSet
from restflow.filters.options import OPTION_DEFAULTS

__all__ = ["InlineFilterSet"]


def InlineFilterSet(
    name=None,
    fields=None,
    extra_kwargs=None,
    model=None,
    **meta_options,
):
    """A FilterSet class built from arguments instead of a class body. ``fields`` is a list of
    model field names, or a dict of name -> Field instance or Python type (as an annotation would
    be); the other keywords are Meta options (``order_fields``, ``operator``...)."""
    if model is None and not fields:
        raise ValueError("InlineFilterSet needs model or fields.")
    if model is None and not isinstance(fields, dict):
        raise ValueError("InlineFilterSet: a list of field names needs model=; give a dict of name -> field or type.")
    unknown = set(meta_options) - set(OPTION_DEFAULTS)
    if unknown:
        raise TypeError(f"InlineFilterSet() got unexpected arguments: {', '.join(sorted(unknown))}.")
    # The factory's signature gives every option a blank default: only the ones given count.
    meta = {key: value for key, value in meta_options.items() if value not in (None, "", (), [])}
    if not meta.get("order_fields"):
        meta.pop("order_param", None)
    attrs, annotations = {}, {}
    if model is not None:
        meta["model"] = model
        meta["fields"] = list(fields) if isinstance(fields, (list, tuple)) else [] if fields else "__all__"
    if extra_kwargs:
        meta["extra_kwargs"] = extra_kwargs
    if isinstance(fields, dict):
        for field_name, spec in fields.items():
            if isinstance(spec, Field):
                attrs[field_name] = spec
            else:
                annotations[field_name] = spec
    attrs.update(Meta=type("Meta", (), meta), __annotations__=annotations, __module__=__name__)
    class_name = name or (f"{model.__name__}FilterSet" if model is not None else "InlineFilterSet")
    return type(class_name, (FilterSet,), attrs)
