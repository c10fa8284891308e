"""The quiz through real HTTP: papers, marking, errors, replays, limits and the learner's journey."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from quizhelp import (
    COURSE, attempt_row, form_data, keys_of, quiz_url, read_pages, right_answers, start, wrong_answers,
)

from leadership.quizzes.models import ModuleCompletion, QuizAnswer, QuizAttempt


def _text(soup) -> str:
    return " ".join(soup.get_text(" ").split())


def _count(session, model, **where):
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_intro_page_shows_the_rules(qclient):
    soup = qclient.page(quiz_url("second"))
    page = _text(soup)
    assert "Pass mark 50%" in page
    assert "Questions 2" in page
    assert "2 attempts in total" in page and "Attempts left 2" in page
    assert "try again after 30 minutes" in page
    assert soup.find("button", string=re.compile("Start quiz"))


def test_quiz_page_never_contains_the_answers(qclient, qsession, quiz_course):
    token = start(qclient, "first")
    response = qclient.get(quiz_url("first", f"/paper/{token}"))
    assert response.status_code == 200
    html = response.data.decode()
    for secret in ("FEEDBACK-", "EXPLANATION-"):
        assert secret not in html
    assert not re.search(r"correct", html, re.I), "no correctness data or wording before submission"
    soup = qclient.page(quiz_url("first", f"/paper/{token}"))
    quiz = quiz_course.module("first").quiz
    attempt = attempt_row(qsession, token)
    for item in attempt.paper:
        inputs = soup.find_all("input", {"name": f"q-{item['question']}"})
        # option values are this paper's opaque values (never the authored keys), in its shuffled order
        assert [i["value"] for i in inputs] == item["values"]
        expected_type = "checkbox" if quiz.question(item["question"]).type == "multiple" else "radio"
        assert {i["type"] for i in inputs} == {expected_type}
        assert not any(k for i in inputs for k in i.attrs if k.startswith("data-"))
    assert "Select all that apply" in _text(soup)


def test_option_order_is_shuffled_per_attempt(qclient, qsession, quiz_course):
    quiz = quiz_course.module("first").quiz
    orders = set()
    for _ in range(8):
        token = start(qclient, "first")
        soup = qclient.page(quiz_url("first", f"/paper/{token}"))
        attempt = attempt_row(qsession, token)
        shown = keys_of(attempt, "phishing-sign",
                        [i["value"] for i in soup.find_all("input", {"name": "q-phishing-sign"})])
        assert sorted(shown) == ["a", "b", "c", "d"]
        orders.add(tuple(shown))
        response = qclient.post(quiz_url("first", f"/paper/{token}"),
                                form_data(wrong_answers(quiz, attempt.question_ids), attempt))
        assert response.status_code == 303
    assert len(orders) > 1
    assert _count(qsession, QuizAttempt, module_slug="first") == 8


def test_skipped_question_gets_an_error_summary(qclient, qsession, quiz_course):
    quiz = quiz_course.module("first").quiz
    token = start(qclient, "first")
    answers = right_answers(quiz, ["phishing-sign", "controller"])
    attempt = attempt_row(qsession, token)
    response = qclient.post(quiz_url("first", f"/paper/{token}"), form_data(answers, attempt))
    assert response.status_code == 400
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.title.get_text().startswith("Error:")
    summary = soup.select_one(".govuk-error-summary")
    link = summary.find("a")
    assert link["href"] == "#q-useful-backups"
    assert soup.find(id="q-useful-backups"), "the link target exists"
    assert "Select all answers that apply to question" in _text(summary)
    assert soup.select_one(".govuk-error-message")
    # answers already given are kept
    for qid, keys in answers.items():
        checked = {i["value"] for i in soup.find_all("input", {"name": f"q-{qid}"}) if i.has_attr("checked")}
        assert set(keys_of(attempt, qid, checked)) == keys
    attempt = attempt_row(qsession, token)
    assert attempt.submitted_at is None and _count(qsession, QuizAnswer) == 0


def test_passing_shows_score_answers_and_explanations(qclient, qsession, quiz_course):
    quiz = quiz_course.module("first").quiz
    token = start(qclient, "first")
    answers = right_answers(quiz, quiz.question_ids)
    answers["useful-backups"] = {"a"}  # one wrong: 2 of 3 = 67%, pass mark 60
    response = qclient.post(quiz_url("first", f"/paper/{token}"), form_data(answers, attempt_row(qsession, token)))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/quiz/results/{token}")
    soup = qclient.page(quiz_url("first", f"/results/{token}"))
    page = _text(soup)
    assert "You passed the quiz" in page
    assert "Your score: 67%. The pass mark is 60%." in page
    assert page.count("Incorrect") == 1 and page.count("Correct answer") >= 2
    assert "EXPLANATION-PHISHING" in page and "EXPLANATION-BACKUPS" in page
    assert "FEEDBACK-URGENT-REQUEST" in page  # feedback for the chosen option
    assert "FEEDBACK-EXPECTED-MESSAGE" not in page  # not for options they did not choose
    tags = [t.get_text(strip=True) for t in soup.select(".app-quiz-result .govuk-tag")]
    assert sorted(tags) == ["Correct", "Correct", "Incorrect"]  # words, not colour alone
    attempt = attempt_row(qsession, token)
    assert attempt.score == 67 and attempt.passed is True
    assert attempt.content_version == quiz_course.module("first").version
    rows = {a.question_id: a for a in attempt.answers}
    assert rows["useful-backups"].selected == "a" and rows["useful-backups"].correct is False
    assert rows["phishing-sign"].score == 1.0


def test_failing_offers_a_retake(qclient, qsession, quiz_course):
    quiz = quiz_course.module("first").quiz
    token = start(qclient, "first")
    attempt = attempt_row(qsession, token)
    qclient.post(quiz_url("first", f"/paper/{token}"), form_data(wrong_answers(quiz, attempt.question_ids), attempt))
    soup = qclient.page(quiz_url("first", f"/results/{token}"))
    page = _text(soup)
    assert "You did not pass this time" in page and "Your score: 0%." in page
    assert "FEEDBACK-EXPECTED-MESSAGE" in page
    assert soup.find("button", string=re.compile("Retake the quiz"))
    new_token = start(qclient, "first")
    assert new_token != token


def test_replayed_submission_does_not_create_a_second_attempt(qclient, qsession, quiz_course):
    quiz = quiz_course.module("first").quiz
    token = start(qclient, "first")
    url = quiz_url("first", f"/paper/{token}")
    csrf = qclient.csrf_token(url)
    attempt = attempt_row(qsession, token)
    first = form_data(right_answers(quiz, quiz.question_ids), attempt) | {"csrf_token": csrf}
    assert qclient.post(url, first).status_code == 303
    replay = form_data(wrong_answers(quiz, quiz.question_ids), attempt) | {"csrf_token": csrf}
    response = qclient.post(url, replay)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/results/{token}")
    assert _count(qsession, QuizAttempt) == 1
    assert _count(qsession, QuizAnswer) == 3
    assert attempt_row(qsession, token).score == 100  # the first submission stands


def test_service_submit_is_idempotent(qsession, quiz_course, learner):
    from leadership.quizzes import service

    module = quiz_course.module("first")
    attempt = service.start_attempt(qsession, learner.id, quiz_course, module)
    again = service.start_attempt(qsession, learner.id, quiz_course, module)
    assert again.id == attempt.id, "an open paper is resumed, not redrawn"
    right = right_answers(module.quiz, attempt.question_ids)
    one = service.submit_attempt(qsession, attempt.token, learner.id, right, course=quiz_course)
    two = service.submit_attempt(qsession, attempt.token, learner.id, {}, course=quiz_course)
    assert one.id == two.id and two.score == 100
    assert _count(qsession, QuizAttempt) == 1 and _count(qsession, QuizAnswer) == 3


def test_answers_not_on_the_paper_are_refused(qclient, qsession, quiz_course):
    quiz = quiz_course.module("second").quiz
    token = start(qclient, "second")
    attempt = attempt_row(qsession, token)
    not_drawn = next(q for q in quiz.question_ids if q not in attempt.question_ids)
    first_url = quiz_url("second", f"/paper/{token}/1")
    qid = attempt.question_ids[0]
    for bad in ({f"q-{not_drawn}": quiz.question(not_drawn).keys[0]},   # in the module, not on this paper
                {"q-made-up": "a"},                                        # not in the module
                {f"q-{qid}": "zz"},                                        # an option never offered
                {f"q-{qid}": attempt.paper[0]["options"][0]}):             # an authored key, not this paper's value
        response = qclient.post(first_url, {f"q-{qid}": attempt.paper[0]["values"][0], **bad}
                                if f"q-{qid}" not in bad else bad)
        assert response.status_code == 400, bad
        assert "could not be accepted" in response.data.decode()
    attempt = attempt_row(qsession, token)
    assert attempt.submitted_at is None and not attempt.draft
    assert _count(qsession, QuizAnswer) == 0


def test_someone_elses_paper_is_not_found(qclient, quiz_app, make_user, qsession, quiz_course):
    from support import Client

    token = start(qclient, "first")
    other = Client(quiz_app.test_client())
    other.sign_in(make_user().email)
    assert other.get(quiz_url("first", f"/paper/{token}")).status_code == 404
    response = other.post(quiz_url("first", f"/paper/{token}"),
                          form_data(right_answers(quiz_course.module("first").quiz, ["controller"]),
                                    attempt_row(qsession, token)),
                          token_from=quiz_url("first"))
    assert response.status_code == 404
    assert other.get(quiz_url("first", f"/results/{token}")).status_code == 404
    assert attempt_row(qsession, token).submitted_at is None


def test_one_question_per_page_then_check_answers(qclient, qsession, quiz_course):
    quiz = quiz_course.module("second").quiz
    token = start(qclient, "second")
    response = qclient.get(quiz_url("second", f"/paper/{token}"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/paper/{token}/1")
    attempt = attempt_row(qsession, token)
    q1, q2 = attempt.question_ids

    soup = qclient.page(quiz_url("second", f"/paper/{token}/1"))
    assert soup.find("h1").get_text(" ", strip=True).startswith("Question 1 of 2")
    assert "EXPLANATION-" not in str(soup) and "FEEDBACK-" not in str(soup)
    # skipping the question is an error
    response = qclient.post(quiz_url("second", f"/paper/{token}/1"), {})
    assert response.status_code == 400 and b"govuk-error-summary" in response.data
    assert f'href="#q-{q1}"'.encode() in response.data

    right = right_answers(quiz, [q1, q2])
    wrong = wrong_answers(quiz, [q1])
    response = qclient.post(quiz_url("second", f"/paper/{token}/1"), form_data(wrong, attempt))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/paper/{token}/2")
    attempt = attempt_row(qsession, token)
    assert attempt.draft == {q1: sorted(wrong[q1])}
    assert attempt.score is None and attempt.submitted_at is None, "nothing is marked before submission"
    assert _count(qsession, QuizAnswer) == 0

    response = qclient.post(quiz_url("second", f"/paper/{token}/2"), form_data({q2: right[q2]}, attempt))
    assert response.headers["Location"].endswith(f"/paper/{token}/check")
    soup = qclient.page(quiz_url("second", f"/paper/{token}/check"))
    assert soup.find("h1").get_text(strip=True) == "Check your answers"
    change = soup.find("a", href=re.compile(r"/paper/.*/1\?return=check"))
    assert change is not None

    # change the first answer from the check page, and come back to it
    soup = qclient.page(change["href"])
    assert soup.find("input", {"name": "return", "value": "check"})
    response = qclient.post(quiz_url("second", f"/paper/{token}/1"),
                            form_data({q1: right[q1]}, attempt) | {"return": "check"})
    assert response.headers["Location"].endswith(f"/paper/{token}/check")

    response = qclient.post(quiz_url("second", f"/paper/{token}/check"), {})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/results/{token}")
    attempt = attempt_row(qsession, token)
    assert attempt.score == 100 and attempt.passed and not attempt.draft
    assert _count(qsession, QuizAnswer, attempt_id=attempt.id) == 2
    # the paper is closed: its question pages lead to the results
    assert qclient.get(quiz_url("second", f"/paper/{token}/1")).status_code == 303


def test_check_page_refuses_to_submit_with_missing_answers(qclient, qsession, quiz_course):
    token = start(qclient, "second")
    response = qclient.post(quiz_url("second", f"/paper/{token}/check"), {})
    assert response.status_code == 400
    assert re.search(rb'href="[^"]*/paper/[^/]+/1"', response.data)
    assert attempt_row(qsession, token).submitted_at is None


def _fail(qclient, qsession, quiz, module="second"):
    token = start(qclient, module)
    attempt = attempt_row(qsession, token)
    for n, qid in enumerate(attempt.question_ids, start=1):
        qclient.post(quiz_url(module, f"/paper/{token}/{n}"), form_data(wrong_answers(quiz, [qid]), attempt))
    assert qclient.post(quiz_url(module, f"/paper/{token}/check"), {}).status_code == 303
    return attempt_row(qsession, token)


def test_cool_down_and_attempt_limit(qclient, qsession, quiz_course, learner):
    from leadership.quizzes import service

    module = quiz_course.module("second")
    first = _fail(qclient, qsession, module.quiz)
    assert first.passed is False

    allowance = service.attempt_allowed(qsession, learner.id, COURSE, module)
    assert allowance.reason == service.COOLING_DOWN and not allowance.allowed
    assert allowance.retry_at == first.submitted_at + timedelta(minutes=30)
    soup = qclient.page(quiz_url("second"))
    assert "You can try again after" in _text(soup)
    assert not soup.find("button", string=re.compile("Start quiz|Retake"))
    response = qclient.post(quiz_url("second"))
    assert response.status_code == 403
    assert _count(qsession, QuizAttempt) == 1

    # 31 minutes later (moved in the database, no sleeping)
    qsession.execute(sa.update(QuizAttempt).where(QuizAttempt.id == first.id)
                     .values(submitted_at=first.submitted_at - timedelta(minutes=31)))
    qsession.commit()
    assert service.attempt_allowed(qsession, learner.id, COURSE, module).allowed
    second = _fail(qclient, qsession, module.quiz)
    assert second.id != first.id

    for attempt in qsession.scalars(sa.select(QuizAttempt)):
        attempt.submitted_at -= timedelta(hours=2)
    qsession.commit()
    allowance = service.attempt_allowed(qsession, learner.id, COURSE, module)
    assert allowance.reason == service.LIMIT_REACHED and allowance.attempts_left == 0
    assert qclient.post(quiz_url("second")).status_code == 403
    assert "You have used all 2 attempts" in _text(qclient.page(quiz_url("second")))
    assert _count(qsession, QuizAttempt) == 2


def test_a_paper_from_a_replaced_module_version_is_not_marked(qclient, qsession, quiz_course):
    quiz = quiz_course.module("first").quiz
    token = start(qclient, "first")
    attempt = attempt_row(qsession, token)
    qsession.execute(sa.update(QuizAttempt).where(QuizAttempt.token == token).values(content_version="0" * 12))
    qsession.commit()
    response = qclient.post(quiz_url("first", f"/paper/{token}"),
                            form_data(right_answers(quiz, quiz.question_ids), attempt),
                            token_from=quiz_url("first"))
    assert response.status_code == 302 and response.headers["Location"].endswith(quiz_url("first"))
    assert _count(qsession, QuizAttempt) == 0, "the stale paper is discarded"
    assert "was updated since you started it" in _text(qclient.page(quiz_url("first")))
    assert start(qclient, "first") != token


def _pass(qclient, qsession, quiz_course, slug):
    module = quiz_course.module(slug)
    token = start(qclient, slug)
    attempt = attempt_row(qsession, token)
    answers = right_answers(module.quiz, attempt.question_ids)
    if module.quiz.settings.display == "one-per-page":
        for n, qid in enumerate(attempt.question_ids, start=1):
            qclient.post(quiz_url(slug, f"/paper/{token}/{n}"), form_data({qid: answers[qid]}, attempt))
        response = qclient.post(quiz_url(slug, f"/paper/{token}/check"), {})
    else:
        response = qclient.post(quiz_url(slug, f"/paper/{token}"), form_data(answers, attempt))
    assert response.status_code == 303
    return token


def test_full_journey_completes_modules_course_and_certificate(qclient, qsession, quiz_course, learner):
    from leadership.certificates.models import Certificate

    # a module without a quiz is complete once its pages are seen
    read_pages(qclient, quiz_course.module("welcome"))
    assert _count(qsession, ModuleCompletion, module_slug="welcome") == 1

    # passing before reading every page does not complete the module...
    token = _pass(qclient, qsession, quiz_course, "first")
    assert _count(qsession, ModuleCompletion, module_slug="first") == 0
    assert "To complete this module, see every page" in _text(qclient.page(quiz_url("first", f"/results/{token}")))
    # ...reading the last page then does
    read_pages(qclient, quiz_course.module("first"))
    completion = qsession.scalar(sa.select(ModuleCompletion).filter_by(module_slug="first"))
    assert completion.score == 100 and completion.content_version == quiz_course.module("first").version

    soup = qclient.page(f"/courses/{COURSE}")
    assert "Completed" in _text(soup.find(string=re.compile("First module")).find_parent("li"))

    read_pages(qclient, quiz_course.module("second"))
    token = _pass(qclient, qsession, quiz_course, "second")
    assert _count(qsession, ModuleCompletion) == 3
    assert _count(qsession, Certificate, user_id=learner.id, course_slug=COURSE) == 1
    page = _text(qclient.page(quiz_url("second", f"/results/{token}")))
    assert f"You have completed {quiz_course.title}" in page

    # more page views and a replayed submission issue nothing more
    read_pages(qclient, quiz_course.module("second"))
    qclient.post(quiz_url("second", f"/paper/{token}/check"), {}, token_from=quiz_url("second"))
    assert _count(qsession, ModuleCompletion) == 3
    assert _count(qsession, Certificate, user_id=learner.id) == 1

    # the transcript lists modules with dates, scores, attempts and versions
    soup = qclient.page("/courses/transcript")
    table = soup.find("table")
    assert quiz_course.title in _text(table.caption)
    rows = {_text(r.th): _text(r) for r in table.tbody.find_all("tr")}
    assert "100%" in rows["First module"] and quiz_course.module("first").version in rows["First module"]
    assert "No quiz" in rows["Welcome"]
    assert "Not yet" not in " ".join(rows.values())

    account = qclient.page("/account")
    assert account.find("a", href="/courses/transcript")


def test_transcript_when_nothing_is_done(qclient):
    assert "You have not completed any modules yet" in _text(qclient.page("/courses/transcript"))


def test_quiz_pages_need_sign_in(quiz_app):
    client = quiz_app.test_client()
    for url in (quiz_url("first"), "/courses/transcript", quiz_url("first", "/results/x")):
        assert client.get(url).status_code == 302
