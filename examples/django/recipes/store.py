"""The cache-aside recipe: read from the cache, and on a miss load from the database and
cache the result with a timeout, so the next read is a hit.

The "database" is a dict with a load counter, so the example can show which reads hit it.
"""
from django.core.cache import cache

RECIPE_TIMEOUT = 300  # seconds

FAKE_DB = {
    42: {"id": 42, "title": "Soupe \u00e0 l'oignon", "minutes": 45, "tags": ["french", "soup"]},
    7: {"id": 7, "title": "Pancakes", "minutes": 20, "tags": ["breakfast"]},
}
db_loads = 0


class RecipeNotFound(Exception):
    pass


def load_recipe_from_db(recipe_id):
    global db_loads
    db_loads += 1
    try:
        return dict(FAKE_DB[recipe_id])
    except KeyError:
        raise RecipeNotFound(recipe_id) from None


def recipe_key(recipe_id):
    return "recipe:%d" % recipe_id


def get_recipe(recipe_id):
    recipe = cache.get(recipe_key(recipe_id))
    if recipe is None:
        recipe = load_recipe_from_db(recipe_id)
        cache.set(recipe_key(recipe_id), recipe, timeout=RECIPE_TIMEOUT)
    return recipe


def update_recipe(recipe_id, **changes):
    """Writes go to the database first, then drop the cached copy so the next read reloads."""
    FAKE_DB[recipe_id].update(changes)
    cache.delete(recipe_key(recipe_id))
