"""A UniqueValidator's query for a new row, compiled once and run with the value as its parameter.

The validation plan (``restflow._validation``) asks it before running DRF's
UniqueValidator: only a value found in the table goes through DRF's validator (which
asks again and words the error), so a new value costs one prepared query.
"""

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, DataError, connections
from django.db.models import Manager, QuerySet
from django.db.models.sql.compiler import SQLCompiler

__all__ = ["UniqueProbe"]


class _Sentinel(str):
    """The value the probe's query is compiled with, found again among its parameters by identity."""


class UniqueProbe:
    """DRF's UniqueValidator query for a new row (``filter(<field>__exact=value).exists()`` on the
    model's plain default manager), compiled once per database and run with the value as parameter.

    ``taken(value)``: True or False as DRF's ``qs_exists`` would answer, or None when the probe
    cannot tell (DRF's validator runs then).
    """

    __slots__ = ("validator", "field_name", "compiled")

    def __init__(self, validator, field_name):
        self.validator = validator
        self.field_name = field_name
        self.compiled = {}  # database alias -> (sql, params, position of the value), or None

    @classmethod
    def of(cls, validator, source):
        manager = validator.queryset
        if (
            validator.lookup != "exact"
            or "." in source
            or type(manager) is not Manager
            or manager._queryset_class is not QuerySet
        ):
            return None
        return cls(validator, source)

    def _compile(self, using):
        sentinel = _Sentinel("restflow-unique-probe")
        validator = self.validator
        queryset = validator.exclude_current_instance(
            validator.filter_queryset(sentinel, validator.queryset, self.field_name), None
        )
        compiler = queryset.query.exists().get_compiler(using=using)
        if type(compiler).has_results is not SQLCompiler.has_results or (
            type(compiler).execute_sql is not SQLCompiler.execute_sql
        ):
            return None
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        positions = [index for index, param in enumerate(params) if param is sentinel]
        if not sql or len(positions) != 1:
            return None
        return sql, tuple(params), positions[0]

    def taken(self, value):
        if type(value) is not str:
            return None
        using = self.validator.queryset.db
        try:
            compiled = self.compiled[using]
        except KeyError:
            compiled = self.compiled[using] = self._compile(using)
        if compiled is None:
            return None
        sql, params, position = compiled
        params = (*params[:position], value, *params[position + 1 :])
        try:
            return _has_row(connections[using], sql, params)
        except (TypeError, ValueError, DataError):  # DRF's qs_exists answers False for these
            return False


def _has_row(connection, sql, params):
    """Django's ``SQLCompiler.execute_sql(SINGLE)`` made truthy, as ``has_results`` does."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
    except Exception as exc:
        try:
            cursor.close()
        except DatabaseError:
            raise exc from None
        raise
    try:
        return bool(cursor.fetchone())
    finally:
        cursor.close()
