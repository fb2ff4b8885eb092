"""A minimal Django project whose cache is keycast, through django-redis, unchanged.

keycast speaks the Redis protocol on its RESP port (6380 by default, beside a real Redis's
6379). KEYCAST_HOST and KEYCAST_RESP_PORT point the cache elsewhere.
"""
import os

KEYCAST_HOST = os.environ.get("KEYCAST_HOST", "127.0.0.1")
KEYCAST_RESP_PORT = int(os.environ.get("KEYCAST_RESP_PORT", "6380"))

SECRET_KEY = "keycast-example-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
INSTALLED_APPS = ["recipes"]
DATABASES = {}
USE_TZ = True

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://%s:%d/1" % (KEYCAST_HOST, KEYCAST_RESP_PORT),
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }
}
