"""Self-service password reset by e-mail with a one-time link (issue 13)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from hazardloop.accounts.tests.test_tokens import ENTERPRISES, api, get_token

pytestmark = pytest.mark.django_db

NEW = "Reset-Passw0rd!x"


def ask(client, email):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR="10.7.7.7")


def test_a_reset_link_sets_a_new_password_once(client, personas):
    user = personas.township
    user.email = "clerk@longan.gov.cn"
    user.save()
    key = get_token()

    assert ask(client, "clerk@longan.gov.cn").status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "隐患闭环管理系统：重置密码"
    assert "只能使用一次" in body
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", body).group(1)

    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")

    signed_in = client.post(reverse("login"), {"username": "township", "password": NEW})
    assert signed_in.status_code == 302
    client.logout()
    again = client.get(link, follow=True)
    assert "链接已失效" in again.content.decode()
    # The API token issued with the old password died with it.
    assert api(key).get(ENTERPRISES).status_code == 401


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, personas):
    answer = ask(client, "nobody@example.com")
    assert answer.status_code == 302 and answer.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_reset_requests_are_limited_per_address(client, personas, settings):
    settings.LOGIN_IP_MAX_ATTEMPTS = 2
    ask(client, "a@example.com")
    ask(client, "b@example.com")
    refused = ask(client, "c@example.com")
    assert refused.status_code == 429


def test_the_login_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page and "忘记密码" in page
