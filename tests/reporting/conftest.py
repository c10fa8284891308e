"""A small hand-built dataset whose numbers are worked out by hand below.

Councils: CRF (Cardiff, Wales), MAN (Manchester, England / North West), KEN (Kent, England / South East).

CRF  registered 3 (ann, ben, cat; dan is deleted)   started 2 (ann, ben)   completed 2 (ann's
     certificate + an erased holder's certificate with user_id NULL)      rate 2/3
MAN  registered 2 (eve, fay)                        started 2              completed 0 (fay's certificate is revoked)
KEN  registered 1 (gus)                             started 0              completed 0
Programme: registered 6, started 4, completed 2, rate 1/3.
Module completions: ann all 9 modules; ben "introduction"; eve "digitalisation"; dan (deleted) "introduction".
  introduction: CRF 3 (ann, ben, dan) · digitalisation: CRF 1, MAN 1 · other modules: CRF 1.
Staff (council_admin at CRF and MAN, lga_admin, trainer) are not learners and never counted (the
trainer at CRF has viewed and completed "introduction" to prove it).
"""
from __future__ import annotations

import time
from datetime import datetime

import pytest
import sqlalchemy as sa

COURSE = "digital-leadership"
MODULES = ["introduction", "digitalisation", "leading-change", "cyber-security", "information-governance",
           "data-and-ai-ethics", "inclusion-and-accessibility", "open-data-and-transparency", "summary"]


@pytest.fixture
def dataset(app, make_user):
    from leadership.auth.models import User
    from leadership.certificates.models import Certificate
    from leadership.councils.models import Council
    from leadership.extensions import db
    from leadership.learning.models import PageView
    from leadership.learning.progress import record_course_start
    from leadership.quizzes.models import ModuleCompletion

    def plain(council_code, email, name, role="learner"):
        """A user without a password (fast: no password hashing); only signing-in users need one."""
        with app.app_context():
            cid = db.session.scalar(sa.select(Council.id).where(Council.code == council_code))
            user = User(email=email, name=name, council_id=cid, role=role)
            db.session.add(user)
            db.session.commit()
            db.session.expunge(user)
            db.session.remove()
            return user

    people = {
        "ann": make_user("learner", "CRF", email="ann@example.org", name="Ann Atkins"),
        "ben": plain("CRF", "ben@example.org", "Ben Bowen"),
        "cat": plain("CRF", "cat@example.org", "=HYPERLINK(\"http://evil\")"),
        "dan": plain("CRF", "dan@example.org", "Dan Deleted"),
        "eve": plain("MAN", "eve@example.org", "Eve Evans"),
        "fay": plain("MAN", "fay@example.org", "Fay Fox"),
        "gus": plain("KEN", "gus@example.org", "Gus Green"),
        "crf_admin": make_user("council_admin", "CRF", email="crf-admin@example.org"),
        "man_admin": make_user("council_admin", "MAN", email="man-admin@example.org"),
        "lga": make_user("lga_admin", "LND", email="lga@example.org"),
        "trainer": plain("CRF", "trainer@example.org", "Tess Trainer", role="trainer"),
    }
    with app.app_context():
        s = db.session
        council = {c.code: c for c in s.scalars(sa.select(Council).where(Council.code.in_(["CRF", "MAN", "KEN"])))}
        s.execute(sa.update(User).where(User.id == people["dan"].id).values(deleted_at=datetime(2026, 5, 1)))
        created = {"ann": datetime(2026, 1, 10), "ben": datetime(2026, 2, 10), "cat": datetime(2026, 3, 10),
                   "dan": datetime(2026, 1, 5), "eve": datetime(2026, 4, 10), "fay": datetime(2026, 5, 10),
                   "gus": datetime(2026, 6, 10)}
        for key, when in created.items():
            s.execute(sa.update(User).where(User.id == people[key].id).values(created_at=when))

        def view(key, module, page=1, when=datetime(2026, 6, 1)):
            s.add(PageView(user_id=people[key].id, course_slug=COURSE, module_slug=module, page_number=page,
                           content_version="v1", first_seen_at=when, last_seen_at=when))
            # What record_page_view does on a learner's first page view of the course.
            record_course_start(s, user_id=people[key].id, course_slug=COURSE, when=when)

        def done(key, module, when=datetime(2026, 6, 2)):
            s.add(ModuleCompletion(user_id=people[key].id, council_id=people[key].council_id, course_slug=COURSE,
                                   module_slug=module, content_version="v1", score=90, completed_at=when))

        for m in MODULES:
            view("ann", m)
            done("ann", m, datetime(2026, 6, 3))
        view("ben", "introduction")
        view("ben", "introduction", 2)
        view("ben", "digitalisation")
        done("ben", "introduction")
        view("dan", "introduction")
        done("dan", "introduction")
        view("eve", "digitalisation")
        done("eve", "digitalisation", datetime(2026, 7, 1))
        view("fay", "introduction")
        view("trainer", "introduction")  # staff progress is never counted
        done("trainer", "introduction")

        def cert(code, user, council_code, issued, revoked=None, name="Holder"):
            s.add(Certificate(code=code, user_id=user.id if user else None, course_slug=COURSE, cycle=1,
                              course_title="Digital leadership", content_version="v1", holder_name=name,
                              council_id=council[council_code].id, council_name=council[council_code].name,
                              issued_at=issued, revoked_at=revoked))

        cert("AAAAABBBBBCCCCC", people["ann"], "CRF", datetime(2026, 6, 3), name="Ann Atkins")
        cert("DDDDDEEEEEFFFFF", None, "CRF", datetime(2026, 4, 20), name="Erased Person")
        cert("GGGGGHHHHHJJJJJ", people["fay"], "MAN", datetime(2026, 6, 15),
             revoked=datetime(2026, 6, 20), name="Fay Fox")
        s.commit()
    db.session.remove()
    return people


def sign_in_as(client, user):
    """Sign a user in through the session (staff would otherwise need a TOTP second factor,
    which the auth tests cover); learners sign in with their password as usual."""
    if user.role == "learner":
        client.sign_in(user.email)
        return client
    from support import open_server_session

    with client.raw.session_transaction() as s:
        s["_user_id"] = open_server_session(user)
        s["_fresh"] = True
        s["mfa"] = True
        s["auth_at"] = s["seen_at"] = int(time.time())
    return client
