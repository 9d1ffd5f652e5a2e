"""CacheRegister: add a rule to a cached function after the fact, inspect rules, forget them all."""

import pytest
from django.contrib.auth.models import User

from restflow.caching import (
    ArgsKeyField,
    CacheRegister,
    InvalidationRule,
    KeyConstructor,
    cache_result,
    rules,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _keep_other_rules():
    """clear() forgets the process's rules: give back those other tests' modules declared."""
    kept_targets, kept_models = dict(rules._targets), {k: list(v) for k, v in rules._by_model.items()}
    yield
    rules.forget_all()
    rules._targets.update(kept_targets)
    rules._by_model.update(kept_models)


class ByUser(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)


def counted():
    calls = []

    @cache_result(key_constructor=ByUser, ttl=300)
    def name_of(user_id):
        calls.append(user_id)
        return User.objects.get(pk=user_id).username

    return name_of, calls


def test_add_attaches_a_rule_that_a_save_then_runs():
    name_of, calls = counted()
    user = User.objects.create(username="ada")
    CacheRegister.add(User, name_of, InvalidationRule(model=User, field_mapping={"user_id": "id"}))
    assert name_of(user.pk) == "ada"
    user.username = "grace"
    user.save()
    assert name_of(user.pk) == "grace"
    assert calls == [user.pk, user.pk]


def test_add_refuses_what_is_not_a_cached_function():
    with pytest.raises(TypeError, match="@cache_result"):
        CacheRegister.add(User, lambda user_id: user_id, InvalidationRule(model=User))


def test_clear_forgets_every_rule_and_get_rule_finds_none():
    name_of, calls = counted()
    user = User.objects.create(username="ada")
    CacheRegister.add(User, name_of, InvalidationRule(model=User, field_mapping={"user_id": "id"}))
    assert CacheRegister.get_status()["rules"] >= 1
    CacheRegister.clear()
    assert CacheRegister.get_status()["rules"] == 0
    assert name_of(user.pk) == "ada"
    user.username = "grace"
    user.save()
    assert name_of(user.pk) == "ada"  # no rule left: the entry stays


def test_signal_types_compare_equal_to_their_names():
    assert CacheRegister.SignalTypes.POST_SAVE == "post_save"
    assert CacheRegister.SignalTypes.POST_DELETE == "post_delete"


def test_auto_discover_runs_no_command_line_and_skips_restflow_itself(monkeypatch):
    import sys

    monkeypatch.setattr(sys, "argv", ["not-a-restflow-command"])
    monkeypatch.delitem(sys.modules, "restflow.__main__", raising=False)
    CacheRegister.is_discovered = False
    CacheRegister.auto_discover()
    assert "restflow.__main__" not in sys.modules
