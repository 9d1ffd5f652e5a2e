"""restflow._memo: per-class entries built once, dropped with their class, cleared in one call."""

import gc
import threading
import weakref

from restflow._memo import Memo, clear_all


def test_an_entry_is_built_once_per_class_and_arguments():
    memo = Memo("test.built_once")
    calls = []

    def build(cls, *args):
        calls.append((cls, args))
        return (cls.__name__, args)

    class A:
        pass

    assert memo.get(A, build) == ("A", ())
    assert memo.get(A, build) == ("A", ())
    assert memo.get(A, build, "x") == ("A", ("x",))
    assert calls == [(A, ()), (A, ("x",))]


def test_a_class_made_at_run_time_is_collected_with_its_entries(fresh_memos):
    memo = Memo("test.collected")
    cls = type("Temporary", (), {})
    memo.get(cls, lambda klass: [klass.__name__])
    memo.add(cls, "mark")
    assert cls in memo and memo.has(cls, "mark")
    collected = threading.Event()
    weakref.finalize(cls, collected.set)
    del cls
    gc.collect()
    assert collected.is_set()
    assert memo._entries == {}


def test_a_serializer_class_made_at_run_time_is_collected_after_use(fresh_memos):
    """Its fields, plans and validators are cached while it lives, and go with it."""
    from rest_framework import serializers

    from restflow._plan import prime_fields, represent
    from restflow._validation import validate

    made = type("RunTimeSerializer", (serializers.Serializer,), {"name": serializers.CharField(max_length=5)})
    rendered = made(instance=type("Row", (), {"name": "a"})())
    assert represent(rendered) == {"name": "a"}
    incoming = made(data={"name": "b"})
    prime_fields(incoming)
    assert validate(incoming, raise_exception=True)
    assert incoming.validated_data == {"name": "b"}
    collected = threading.Event()
    weakref.finalize(made, collected.set)
    del made, rendered, incoming
    gc.collect()
    assert collected.is_set()


def test_clear_all_forgets_every_memo():
    first, second = Memo("test.first"), Memo("test.second")

    class A:
        pass

    first.add(A)
    second.get(A, lambda cls: 1)
    clear_all()
    assert A not in first and A not in second


def test_racing_builds_agree_on_one_value():
    memo = Memo("test.race")

    class A:
        pass

    barrier = threading.Barrier(4)
    seen = []

    def build(cls):
        barrier.wait()
        return object()

    threads = [threading.Thread(target=lambda: seen.append(memo.get(A, build))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(value) for value in seen}) == 1


def test_settings_dependent_memos_clear_when_settings_change(settings):
    dependent, plain = Memo("test.dependent", settings_dependent=True), Memo("test.plain")

    class A:
        pass

    dependent.add(A)
    plain.add(A)
    settings.USE_TZ = not settings.USE_TZ
    assert A not in dependent and A in plain


def test_per_class_computes_once_per_object_and_arguments_and_each_time_without_weak_references():
    from restflow._memo import per_class

    calls = []

    @per_class
    def arity(func, bound):
        calls.append(func)
        return func.__name__, bound

    def plain(a, b):
        return a

    assert arity(plain, True) == arity(plain, True) == ("plain", True)
    assert arity(plain, False) == ("plain", False)
    assert calls == [plain, plain]
    assert plain in arity.memo

    @per_class
    def size(obj):
        calls.append(obj)
        return len(obj)

    assert size((1, 2)) == size((1, 2)) == 2  # a tuple has no weak references: computed each time
    assert calls[-2:] == [(1, 2), (1, 2)]
