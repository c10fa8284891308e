"""F12 (security test): a certificate is never issued to an address nobody has confirmed.

An account whose address is not confirmed (one that existed before confirmation, or any
future path that creates accounts for others) completes the course: no certificate. When the
learner uses a link sent to the address (here the emailed sign-in link), it is issued.
"""
from __future__ import annotations

import sqlalchemy as sa
from quizhelp import right_answers

from support import Client, link_in, outbox_messages


def _certificates(session, user_id):
    from leadership.certificates.models import Certificate

    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(Certificate).where(Certificate.user_id == user_id))


def test_the_certificate_waits_for_the_address_to_be_confirmed(quiz_app, qsession, quiz_course, learner,
                                                               instance_path):
    from leadership.auth.models import User
    from leadership.learning.models import PageView
    from leadership.quizzes import service
    from leadership.quizzes.completion import update_completion

    qsession.execute(sa.update(User).where(User.id == learner.id).values(email_verified_at=None))
    qsession.commit()
    qsession.add_all(PageView(user_id=learner.id, course_slug=quiz_course.slug, module_slug=m.slug,
                              page_number=p.number, content_version=m.version)
                     for m in quiz_course.modules for p in m.pages)
    qsession.commit()
    for slug in ("first", "second"):
        module = quiz_course.module(slug)
        attempt = service.start_attempt(qsession, learner.id, quiz_course, module)
        service.submit_attempt(qsession, attempt.token, learner.id,
                               right_answers(module.quiz, attempt.question_ids), course=quiz_course)
    _slugs, complete = update_completion(qsession, learner.id, quiz_course)
    assert complete and _certificates(qsession, learner.id) == 0

    client = Client(quiz_app.test_client())
    client.sign_in(learner.email)
    assert "We issue certificates only to a confirmed email address" in client.get("/certificates").get_data(
        as_text=True)
    client.post("/sign-out", token_from="/account")
    client.post("/sign-in/email-link", {"email": learner.email})
    link = link_in(outbox_messages(instance_path)[-1]).replace("http://localhost", "")
    assert client.post(link, {}).status_code == 302
    assert _certificates(qsession, learner.id) == 1
    assert qsession.get(User, learner.id).email_verified_at is not None
    assert "We issue certificates only" not in client.get("/certificates").get_data(as_text=True)
