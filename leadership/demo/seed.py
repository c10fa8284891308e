"""Deterministic, realistic demo data at national scale, written with bulk inserts.

``seed(session, learners=N, seed=S)`` spreads N learners over every current
council (weighted by the usual size of that kind of council, with varied uptake),
and gives them page views (and the ``course_start`` each first page view writes),
quiz attempts (with answers), module completions (with the learner's council) and
certificates consistent with the real course in the catalogue. Engagement is tuned
to the national picture of issue 9: at 20,000 learners about 700,000 page views
(most starters read all ~39 pages; a page view is one row per learner per page),
about 200,000 quiz attempts with 8 answers each, and ~2.5M progress rows in all. Everything comes
from ``random.Random(seed)`` and a fixed anchor date, so the same seed on the
same day gives the same data.

Rows are built as tuples with explicit ids and written in chunks: PostgreSQL
uses ``COPY`` (psycopg 3), SQLite ``executemany`` on the raw connection.
Demo learners carry the password hash ``!demo-seed`` (never valid), which is how
``--reset`` finds them again.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

DEMO_HASH = "!demo-seed"
CHUNK = 20000
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # the format SQLAlchemy stores, so comparisons agree

FIRST_NAMES = (
    "Aaron Abigail Adam Aisha Alan Alice Amir Amy Andrew Angela Anwen Arthur Barbara Ben Bethan Bilal Carol "
    "Catherine Charlotte Chris Claire Colin Daniel David Deborah Dafydd Eleri Elizabeth Emma Emyr Fatima "
    "Fiona Gareth Gemma Geraint Graham Gwen Hannah Harriet Helen Huw Ian Imran James Jane Janet Jasmine "
    "Jennifer John Jonathan Joseph Julie Karen Kate Kevin Laura Lee Linda Lowri Lucy Mair Margaret Mark "
    "Martin Mary Matthew Megan Michael Mohammed Nadia Neil Nia Nicola Nigel Oliver Owain Patricia Paul "
    "Peter Priya Rachel Rajesh Rebecca Rhian Rhys Richard Robert Ruth Sally Samuel Sarah Sian Simon Sophie "
    "Stephen Susan Tariq Thomas Tom Tracey Victoria William Yasmin Zoe"
).split()
LAST_NAMES = (
    "Ahmed Ali Allen Bailey Baker Bell Bennett Brown Campbell Carter Chapman Clarke Cooper Cox Davies Davis "
    "Edwards Ellis Evans Fisher Fletcher Foster Green Griffiths Hall Harris Harrison Hill Hopkins Howells "
    "Hughes Hussain Jackson James Jenkins Johnson Jones Kaur Khan King Lewis Lloyd Marshall Martin Mason "
    "Matthews Mitchell Moore Morgan Morris Murphy Owen Parry Patel Phillips Powell Price Pritchard Pugh "
    "Rees Richards Roberts Robinson Rogers Russell Scott Shah Shaw Singh Smith Stevens Taylor Thomas "
    "Thompson Turner Walker Ward Watkins Watson White Williams Wilson Wood Wright Young"
).split()

# Typical number of elected members by council type: the weight of each council in the spread.
TYPE_WEIGHTS = {
    "County": 70, "London borough": 55, "Metropolitan district": 60, "Non-metropolitan district": 38,
    "Unitary authority": 55, "Welsh unitary authority": 50, "City corporation": 25,
    "Combined authority": 12, "Strategic Regional Authority": 12,
}

DEMO_TABLES = ("quiz_answer", "quiz_attempt", "module_completion", "page_view", "course_start", "certificate")


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    first_learner: tuple | None = None


def _months_ago(anchor: datetime, days: float) -> datetime:
    return anchor - timedelta(days=days)


def _next_id(conn, table: str) -> int:
    return (conn.execute(sa.text(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')).scalar() or 0) + 1


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_TEXT = {
    type(None): lambda v: "\\N",
    bool: lambda v: "t" if v else "f",
    int: str,
    float: repr,
    str: lambda v: v.translate(_COPY_ESCAPES),
    datetime: lambda v: v.isoformat(sep=" "),
}


def _copy_value(v) -> str:
    """One value in PostgreSQL's COPY text format (dispatch on the exact type: millions of calls)."""
    conv = _COPY_TEXT.get(type(v))
    return conv(v) if conv else str(v).translate(_COPY_ESCAPES)


def bulk_insert(conn, table: str, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """Insert many rows fast: COPY on PostgreSQL, executemany on SQLite. Returns the row count."""
    if not rows:
        return 0
    raw = conn.connection.driver_connection
    cols = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for start in range(0, len(rows), CHUNK):
                    copy.write("".join(["\t".join([_copy_value(v) for v in row]) + "\n"
                                        for row in rows[start:start + CHUNK]]))
    else:
        marks = ", ".join("?" for _ in columns)
        cur = raw.cursor()
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'
        for start in range(0, len(rows), CHUNK):
            cur.executemany(sql, [tuple(v.strftime(SQLITE_DATETIME) if isinstance(v, datetime) else v for v in row)
                                  for row in rows[start:start + CHUNK]])
        cur.close()
    return len(rows)


def _fix_sequences(conn, tables: tuple[str, ...]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"))


def reset(session: Session) -> dict[str, int]:
    """Delete the learners (and everything of theirs) that a previous seed created."""
    from ..auth.models import User

    demo_ids = sa.select(User.id).where(User.password_hash == DEMO_HASH).scalar_subquery()
    counts = {}
    conn = session.connection()
    counts["quiz_answer"] = conn.execute(sa.text(
        "DELETE FROM quiz_answer WHERE attempt_id IN (SELECT a.id FROM quiz_attempt a JOIN user_account u "
        "ON u.id = a.user_id WHERE u.password_hash = :h)"), {"h": DEMO_HASH}).rowcount
    from ..certificates.models import Certificate
    from ..learning.models import CourseStart, PageView
    from ..quizzes.models import ModuleCompletion, QuizAttempt

    for model in (QuizAttempt, ModuleCompletion, PageView, CourseStart, Certificate):
        counts[model.__tablename__] = session.execute(
            sa.delete(model).where(model.user_id.in_(demo_ids))).rowcount
    counts["user_account"] = session.execute(sa.delete(User).where(User.password_hash == DEMO_HASH)).rowcount
    session.commit()
    return counts


def _allocate(rng: random.Random, councils: list, n: int) -> list[int]:
    """How many learners each council gets: weighted by type and a varied uptake; every council ≥1."""
    weights = [TYPE_WEIGHTS.get(c[2], 40) * rng.choice((0.3, 0.6, 0.8, 1.0, 1.0, 1.2, 1.5)) for c in councils]
    if n < len(councils):
        order = sorted(range(len(councils)), key=lambda i: -weights[i] * rng.random())
        alloc = [0] * len(councils)
        for i in order[:n]:
            alloc[i] = 1
        return alloc
    base = [1] * len(councils)
    spare = n - len(councils)
    total = sum(weights)
    alloc = [b + int(spare * w / total) for b, w in zip(base, weights)]
    short = n - sum(alloc)
    for i in sorted(range(len(councils)), key=lambda i: -weights[i])[:short]:
        alloc[i] += 1
    return alloc


def seed(session: Session, *, learners: int, seed: int = 1, course=None, today: date | None = None,
         answers: bool = True, echo=lambda msg: None) -> SeedResult:
    """Create ``learners`` demo learners with their progress. Commits."""
    from ..catalogue import catalogue_service
    from ..certificates.codes import ALPHABET, LENGTH
    from ..certificates.service import add_months
    from ..councils.models import Council
    from ..db import utcnow

    started_clock = time.perf_counter()
    rng = random.Random(seed)
    course = course or catalogue_service.get().course("digital-leadership")
    if course is None:
        raise ValueError("the digital-leadership course is not in the catalogue")
    anchor = datetime.combine(today or utcnow().date(), dtime(9, 0))
    councils = session.execute(sa.select(Council.id, Council.name, Council.type).where(Council.current.is_(True))
                               .order_by(Council.code)).all()
    if not councils:
        raise ValueError("no councils loaded: run `flask councils load` first")
    conn = session.connection()
    ids = {t: _next_id(conn, t) for t in ("user_account", *DEMO_TABLES)}
    first_user_id = ids["user_account"]

    users, views, starts, attempts, answer_rows, completions, certs = [], [], [], [], [], [], []
    papers = {}
    for m in course.modules:
        if m.has_quiz:
            qs = m.quiz.questions[: m.quiz.pool_size]
            papers[m.slug] = (json.dumps([{"question": q.id, "options": list(q.keys)} for q in qs]), qs)
    required = [m for m in course.modules if m.required]
    valid_months = course.certificate.valid_for_months if course.certificate else None
    codes_seen: set[str] = set()
    alloc = _allocate(rng, councils, learners)
    n = 0
    for (council_id, council_name, _type), count in zip(councils, alloc):
        uptake = rng.uniform(0.93, 0.995)  # share of this council's learners who start
        diligence = rng.uniform(0.9, 0.995)  # how many starters read the whole course
        for _ in range(count):
            uid = ids["user_account"] + n
            n += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"Cllr {first} {last}"
            email = f"{first}.{last}.{uid}@example.org".lower()
            registered = _months_ago(anchor, rng.uniform(0, 547)).replace(microsecond=0)
            clock = registered
            last_active = None
            if rng.random() < uptake:
                # Modules reached, in course order; most starters read the whole course.
                reach = len(course.modules) if rng.random() < diligence else rng.randint(1, len(course.modules))
                patience = rng.choice((1, 2, 2, 3, 3, 3, 4, 5))  # quiz attempts before moving on for now
                done_required = 0
                for index, module in enumerate(course.modules[:reach]):
                    partial = index == reach - 1 and reach < len(course.modules) and rng.random() < 0.6
                    pages = len(module.pages) if not partial else rng.randint(1, len(module.pages))
                    for page in range(1, pages + 1):
                        clock += timedelta(minutes=rng.uniform(1, 6))
                        if clock > anchor:
                            clock = anchor
                        views.append((ids["page_view"], uid, course.slug, module.slug, page, module.version,
                                      clock, clock))
                        ids["page_view"] += 1
                        if not starts or starts[-1][1] != uid:  # the first page view starts the course
                            starts.append((ids["course_start"], uid, council_id, course.slug, clock))
                            ids["course_start"] += 1
                    completed, best = pages == len(module.pages) and not module.has_quiz, None
                    if pages == len(module.pages) and module.has_quiz:
                        paper, questions = papers[module.slug]
                        skill = rng.uniform(0.6, 0.97)
                        for _try in range(patience):
                            clock += timedelta(minutes=rng.uniform(3, 15))
                            if clock > anchor:
                                clock = anchor
                            aid = ids["quiz_attempt"]
                            ids["quiz_attempt"] += 1
                            right = [rng.random() < skill for _q in questions]
                            score = round(100 * sum(right) / len(right))
                            passed = score >= (module.quiz.settings.pass_mark or course.pass_mark)
                            attempts.append((aid, uid, course.slug, module.slug, module.version, "en", paper,
                                             f"demo-{seed}-{aid}", clock, clock, score, passed))
                            if answers:
                                for q, ok in zip(questions, right):
                                    keys = sorted(q.correct_keys) if ok else [
                                        k for k in q.keys if k not in q.correct_keys][:1]
                                    answer_rows.append((ids["quiz_answer"], aid, q.id, ",".join(keys),
                                                        1.0 if ok else 0.0, ok))
                                    ids["quiz_answer"] += 1
                            best = max(best or 0, score)
                            skill = min(0.99, skill + 0.06)  # they read the feedback
                            if passed:
                                completed = True
                                break
                    if completed:
                        completions.append((ids["module_completion"], uid, council_id, course.slug, module.slug,
                                            module.version, best, clock))
                        ids["module_completion"] += 1
                        done_required += module.required
                    elif module.required and rng.random() < 0.1:
                        break  # stuck on this module's quiz for now; most read on regardless
                last_active = clock
                if required and done_required == len(required):
                    code = "".join(rng.choice(ALPHABET) for _c in range(LENGTH))
                    while code in codes_seen:
                        code = "".join(rng.choice(ALPHABET) for _c in range(LENGTH))
                    codes_seen.add(code)
                    revoked = clock + timedelta(days=30) if rng.random() < 0.005 else None
                    if revoked and revoked > anchor:
                        revoked = None
                    certs.append((ids["certificate"], code, uid, course.slug, 1,
                                  course.certificate.title if course.certificate else course.title,
                                  str(course.edition or ""), course.content_version, name, council_id,
                                  council_name, "en", clock,
                                  add_months(clock, valid_months) if valid_months else None, revoked,
                                  "Issued in error (demo data)" if revoked else None, None, None, 1))
                    ids["certificate"] += 1
            users.append((uid, email, name, DEMO_HASH, "learner", council_id, "en", registered, last_active, 1,
                          registered))

    counts = {}
    counts["user_account"] = bulk_insert(conn, "user_account", (
        "id", "email", "name", "password_hash", "role", "council_id", "locale", "created_at", "last_active_at",
        "session_version", "email_verified_at"), users)
    counts["page_view"] = bulk_insert(conn, "page_view", (
        "id", "user_id", "course_slug", "module_slug", "page_number", "content_version", "first_seen_at",
        "last_seen_at"), views)
    counts["course_start"] = bulk_insert(conn, "course_start", (
        "id", "user_id", "council_id", "course_slug", "started_at"), starts)
    counts["quiz_attempt"] = bulk_insert(conn, "quiz_attempt", (
        "id", "user_id", "course_slug", "module_slug", "content_version", "language", "paper", "token",
        "started_at", "submitted_at", "score", "passed"), attempts)
    counts["quiz_answer"] = bulk_insert(conn, "quiz_answer", (
        "id", "attempt_id", "question_id", "selected", "score", "correct"), answer_rows)
    counts["module_completion"] = bulk_insert(conn, "module_completion", (
        "id", "user_id", "council_id", "course_slug", "module_slug", "content_version", "score", "completed_at"),
        completions)
    counts["certificate"] = bulk_insert(conn, "certificate", (
        "id", "code", "user_id", "course_slug", "cycle", "course_title", "course_edition", "content_version",
        "holder_name", "council_id", "council_name", "language", "issued_at", "expires_at", "revoked_at",
        "revoked_reason", "revoked_by_id", "withdrawn_at", "revision"), certs)
    _fix_sequences(conn, ("user_account", *DEMO_TABLES))
    session.commit()
    from ..certificates.service import backfill_credential_records

    backfill_credential_records(session)  # subject ids, status list slots, module versions studied
    first = users[0] if users else None
    return SeedResult(counts=counts, seconds=time.perf_counter() - started_clock,
                      first_learner=(first[0], first[1], first[2], first[5]) if first else None)
