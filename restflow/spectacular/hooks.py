"""drf-spectacular postprocessing hooks.

``add_filterset_parameters`` documents restflow FilterSet query parameters on every operation of
a view that has one, whatever schema class the view uses::

    SPECTACULAR_SETTINGS = {
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "restflow.spectacular.hooks.add_filterset_parameters",
        ],
    }
"""

from restflow.spectacular.parameters import build_filterset_parameters, resolve_filterset_class


def add_filterset_parameters(result, generator, request=None, public=None, **kwargs):
    """Add each view's FilterSet parameters to its operations; parameters already there are kept.

    Reads the generator's endpoints through drf-spectacular's ``_get_paths_and_endpoints`` (the
    views as the generator built them; pinned by tests/schema/test_filterset_hooks.py).
    """
    paths = result.get("paths") or {}
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        operation = paths.get(path, {}).get(method.lower())
        if operation is None:
            continue
        parameters = operation.setdefault("parameters", [])
        present = {(parameter.get("name"), parameter.get("in")) for parameter in parameters}
        for parameter in build_filterset_parameters(resolve_filterset_class(view)):
            if (parameter["name"], parameter["in"]) not in present:
                parameters.append(parameter)
                present.add((parameter["name"], parameter["in"]))
        if not parameters:
            del operation["parameters"]
    return result
