"""F9 (security test): strangers cannot lock a user out with wrong passwords.

The report: 20 wrong passwords for london@example.org from 20 addresses, then the real
user's correct password from a 21st got 429 for an hour. The per-account limit stays for
unknown devices, but a browser that has fully signed in to the account before has its own
count (a signed "known device" cookie), and the emailed sign-in link always works.
"""
from __future__ import annotations

import uuid

from support import DEFAULT_PASSWORD, Client, link_in, outbox_messages


def _limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=f"t{uuid.uuid4().hex}",
                   RATELIMIT_STORAGE_URI="memory://")
    return app


def _strangers_try(app, email, n=20):
    stranger = Client(app.test_client())
    for i in range(n):
        response = stranger.post("/sign-in", {"email": email, "password": f"guess-{i}-wrong"},
                                 environ_base={"REMOTE_ADDR": f"10.9.0.{i}"})
        assert response.status_code == 400, (i, response.status_code)


def test_the_real_user_on_a_known_device_signs_in_after_20_wrong_attempts(make_app, learner):
    app = _limited(make_app)
    phone = Client(app.test_client())
    phone.sign_in(learner.email)  # an earlier, complete sign-in: the phone is now known
    assert phone.raw.get_cookie("le_known_device", path="/sign-in") is not None
    phone.post("/sign-out", token_from="/account")

    _strangers_try(app, learner.email)
    response = phone.post("/sign-in", {"email": learner.email, "password": DEFAULT_PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.9.1.21"})
    assert response.status_code == 302 and response.headers["Location"] == "/courses/"
    assert phone.get("/account").status_code == 200


def test_unknown_devices_are_still_throttled_per_account(make_app, learner):
    app = _limited(make_app)
    _strangers_try(app, learner.email)
    newcomer = Client(app.test_client())
    response = newcomer.post("/sign-in", {"email": learner.email, "password": DEFAULT_PASSWORD},
                             environ_base={"REMOTE_ADDR": "10.9.1.22"})
    assert response.status_code == 429 and response.headers.get("Retry-After")


def test_the_emailed_link_still_works_after_20_wrong_attempts(make_app, learner, instance_path):
    app = _limited(make_app)
    _strangers_try(app, learner.email)
    newcomer = Client(app.test_client())
    assert newcomer.post("/sign-in/email-link", {"email": learner.email},
                         environ_base={"REMOTE_ADDR": "10.9.1.23"}).status_code == 200
    link = link_in(outbox_messages(instance_path)[-1]).replace("http://localhost", "")
    response = newcomer.post(link, {}, environ_base={"REMOTE_ADDR": "10.9.1.23"})
    assert response.status_code == 302 and response.headers["Location"] == "/courses/"


def test_a_known_device_has_its_own_limit_and_is_known_only_for_its_accounts(make_app, learner, make_user):
    app = _limited(make_app)
    other = make_user(email="other@example.org")
    phone = Client(app.test_client())
    phone.sign_in(learner.email)
    phone.post("/sign-out", token_from="/account")
    for i in range(20):  # the phone guessing wrongly is counted on its own...
        assert phone.post("/sign-in", {"email": learner.email, "password": f"nope-{i}-nope"},
                          environ_base={"REMOTE_ADDR": f"10.8.0.{i}"}).status_code == 400
    assert phone.post("/sign-in", {"email": learner.email, "password": "nope-again"},
                      environ_base={"REMOTE_ADDR": "10.8.1.1"}).status_code == 429
    # ...and is not "known" for an account it never signed in to
    _strangers_try(app, other.email)
    assert phone.post("/sign-in", {"email": other.email, "password": DEFAULT_PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.8.1.2"}).status_code == 429


def test_a_forged_known_device_cookie_is_ignored(make_app, learner):
    app = _limited(make_app)
    _strangers_try(app, learner.email)
    forger = Client(app.test_client())
    forger.raw.set_cookie("le_known_device", "WyJhYmMiXQ.forged.signature", domain="localhost", path="/sign-in")
    assert forger.post("/sign-in", {"email": learner.email, "password": DEFAULT_PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.9.1.24"}).status_code == 429
