"""python3 manage.py cache_demo: Django's cache API against keycast, checking every answer.

Exits with an error at the first answer that is not what Django with a real Redis gives.
"""
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from recipes import store


class Command(BaseCommand):
    help = "Runs the cache example (set/get/ttl/delete/get_many/set_many/incr/keys, cache-aside) against the configured cache."

    def handle(self, *args, **options):
        self.checks = 0

        # Start clean: only this project's cache keys (db 1, Django's ":1:" key prefix).
        cache.delete_pattern("*")

        self.step("set with a timeout", cache.set("foo", "value", timeout=25), True)
        self.step("get", cache.get("foo"), "value")
        self.step("ttl", cache.ttl("foo"), 25)
        self.step("ttl of a missing key", cache.ttl("not-existent"), 0)
        self.step("get of a missing key", cache.get("not-existent"), None)
        self.step("get with a default", cache.get("not-existent", "fallback"), "fallback")
        self.step("set without a timeout", cache.set("forever", {"any": ["picklable", 1]}, timeout=None), True)
        self.step("ttl of a key without a timeout", cache.ttl("forever"), None)
        self.step("get a pickled value", cache.get("forever"), {"any": ["picklable", 1]})

        self.step("set_many", cache.set_many({"fruit": "apple", "fig": 3, "bar": [1, 2]}, timeout=60), None)
        self.step(
            "get_many",
            cache.get_many(["fruit", "fig", "bar", "not-existent"]),
            {"fruit": "apple", "fig": 3, "bar": [1, 2]},
        )
        self.step("incr", cache.incr("fig"), 4)
        self.step("incr by 10", cache.incr("fig", 10), 14)
        self.step("decr", cache.decr("fig", 4), 10)
        self.step("incr keeps the timeout", 50 <= cache.ttl("fig") <= 60, True)
        self.step("keys", sorted(cache.keys("f*")), ["fig", "foo", "forever", "fruit"])
        self.step("iter_keys", sorted(cache.iter_keys("f*")), ["fig", "foo", "forever", "fruit"])
        self.step("has_key", cache.has_key("fruit"), True)
        self.step("add of an existing key", cache.add("fruit", "pear"), False)
        self.step("add of a new key", cache.add("pear", "pear", timeout=60), True)
        self.step("get_or_set", cache.get_or_set("grape", lambda: "green", timeout=60), "green")
        self.step("touch", cache.touch("fruit", 100) and cache.ttl("fruit"), 100)
        self.step("persist", cache.persist("fruit") and cache.ttl("fruit"), None)
        self.step("expire", cache.expire("fruit", 30) and cache.ttl("fruit"), 30)
        self.step("text round trip", cache.set("greeting", "h\u00e9llo \u2603") and cache.get("greeting"), "h\u00e9llo \u2603")
        self.step("delete", cache.delete("foo"), True)
        self.step("deleted", cache.get("foo"), None)
        self.step("delete of a missing key", cache.delete("foo"), False)
        self.step("delete_many", cache.delete_many(["fruit", "bar", "not-existent"]), 2)

        cache.set("blink", "soon gone", timeout=0.05)
        time.sleep(0.2)
        self.step("a short timeout expires", cache.get("blink"), None)

        # Cache-aside: a miss loads from the database and caches; then reads are hits.
        loads = store.db_loads
        recipe = store.get_recipe(42)
        self.step("cache-aside miss loads from the database", (recipe["title"], store.db_loads - loads), ("Soupe \u00e0 l'oignon", 1))
        self.step("cache-aside sets a timeout", cache.ttl(store.recipe_key(42)), store.RECIPE_TIMEOUT)
        self.step("cache-aside hit", (store.get_recipe(42), store.db_loads - loads), (recipe, 1))
        self.step("cache-aside hit again", (store.get_recipe(42)["minutes"], store.db_loads - loads), (45, 1))
        store.update_recipe(42, minutes=50)
        self.step("an update drops the cached copy", cache.get(store.recipe_key(42)), None)
        self.step("the next read reloads", (store.get_recipe(42)["minutes"], store.db_loads - loads), (50, 2))
        self.step("and is cached again", (store.get_recipe(42)["minutes"], store.db_loads - loads), (50, 2))
        self.step("a missing recipe", self.raises(store.RecipeNotFound, lambda: store.get_recipe(404)), True)

        cache.delete_pattern("*")
        self.stdout.write("cache example: all %d checks passed" % self.checks)

    def step(self, what, got, expected):
        if got != expected:
            raise CommandError("%s: got %r, expected %r" % (what, got, expected))
        self.checks += 1
        self.stdout.write("ok   %s" % what)

    @staticmethod
    def raises(exc_type, fn):
        try:
            fn()
        except exc_type:
            return True
        return False
