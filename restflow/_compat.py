"""Compatibility import paths: module paths of restflow's earlier layout, answered by today's modules.

Code written against restflow's earlier documentation imports from paths such as
``restflow.views.viewsets``, ``restflow.filters.filters`` or ``restflow.pagination.pagination``.
Every such path is listed here, once (this is the one place compatibility paths are kept), with the
module of today that answers it. A public module calls ``register_compat_paths(__name__)`` as its
last line; the old paths under it then resolve, through ``sys.modules``, to today's module object
itself, so ``from restflow.views.viewsets import AsyncModelViewSet`` hands over the very class
``restflow.views`` exports (no copy, no second definition).
"""

import sys
from importlib import import_module

# parent module -> {old submodule name: module of today}
COMPAT_PATHS = {
    "restflow.views": {
        "viewsets": "restflow.viewsets",
        "mixins": "restflow.mixins",
        "generics": "restflow.generics",
        "views": "restflow.apiview",
        "post_fetch": "restflow._postfetch",
    },
    "restflow.pagination": {"pagination": "restflow.pagination"},
    "restflow.permissions": {"permissions": "restflow.permissions"},
    "restflow.throttling": {"throttling": "restflow.throttling"},
    "restflow.responses": {"response": "restflow.responses", "streaming": "restflow.responses"},
    "restflow.test": {"client": "restflow.test", "testcases": "restflow.test"},
    "restflow.filters": {"filters": "restflow.filters.filterset", "backends": "restflow.filters.backend"},
    "restflow.serializers": {"fields": "restflow.serializers._fields", "serializers": "restflow.serializers._classes"},
    "restflow.caching": {
        "constants": "restflow.caching.store",
        "key_constructor": "restflow.caching.keys",
        "key_fields": "restflow.caching.fields",
        "wrapper": "restflow.caching.wrappers",
    },
}

# Names a module of the earlier layout held that live elsewhere today:
# parent module -> {module users import from: {name: "module of today:its name there"}}
COMPAT_NAMES = {
    "restflow.filters": {
        "restflow.filters.fields": {
            "OrderField": "restflow.filters.ordering:OrderField",
            "RelatedField": "restflow.filters.from_model:RelatedField",
            "Email": "restflow._string_types:Email",
            "IPAddress": "restflow._string_types:IPAddress",
            "LOOKUP_CATEGORIES": "restflow.filters.lookups:LOOKUP_GROUPS",
        },
        "restflow.filters.filterset": {"InlineFilterSet": "restflow.filters.inline:InlineFilterSet"},
        "restflow.filters.backend": {"field_to_schema": "restflow.filters.schema:field_to_schema"},
    },
}


def register_compat_paths(parent):
    """Make each old path under ``parent`` import as today's module, and each old name as today's
    object (called at the end of ``parent``)."""
    for module_name, names in COMPAT_NAMES.get(parent, {}).items():
        module = import_module(module_name)
        for name, source in names.items():
            source_module, _, attribute = source.partition(":")
            if not hasattr(module, name):
                setattr(module, name, getattr(import_module(source_module), attribute))
    parent_module = sys.modules[parent]
    for name, target in COMPAT_PATHS.get(parent, {}).items():
        module = sys.modules.get(target) or import_module(target)
        sys.modules[f"{parent}.{name}"] = module
        # `import a.b.c; a.b.c.X` needs the attribute; a public name of the same spelling wins.
        if not hasattr(parent_module, name):
            setattr(parent_module, name, module)
