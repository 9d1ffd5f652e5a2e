"""A sync ``client.logout()`` inside an async test of ``AsyncAPITestCase`` ends the session (SQLite included)."""

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from restflow.test import AsyncAPIClient, AsyncAPITestCase


class LogoutInAsyncTest(AsyncAPITestCase):
    async def test_sync_logout_from_an_async_test_ends_the_session(self):
        user = await User.objects.acreate(username="ada")
        client = AsyncAPIClient()
        await client.aforce_login(user)
        assert await Session.objects.acount() == 1
        client.logout()
        assert await Session.objects.acount() == 0
