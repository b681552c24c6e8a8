"""`roundtwo hub ...`: run the central hub, create its first admin, issue enrolment codes."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING

from app.core.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from server.config import HubSettings

PASSWORD_ENV = "ROUNDTWO_HUB_ADMIN_PASSWORD"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    hub = sub.add_parser("hub", help="the central hub (server) laptops sync to")
    hs = hub.add_subparsers(dest="hub_command", metavar="SUBCOMMAND", required=True)

    def db_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--db",
            default=None,
            help="database URL (default: SQLite in the data directory; production: "
            "postgresql+psycopg://user@host/db)",
        )

    serve = hs.add_parser("serve", help="run the hub (migrates the database first)")
    db_arg(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.set_defaults(handler=serve_cmd)

    mig = hs.add_parser("migrate", help="bring the hub database schema up to date")
    db_arg(mig)
    mig.set_defaults(handler=migrate_cmd)

    adm = hs.add_parser("create-admin", help="create an organisation's first admin user")
    db_arg(adm)
    adm.add_argument("--org", required=True, help="organisation name")
    adm.add_argument("--unit", default="HQ", help="org unit of the admin (default: HQ)")
    adm.add_argument("--email", required=True)
    adm.add_argument("--name", default="Administrator")
    adm.set_defaults(handler=create_admin_cmd)

    code = hs.add_parser("enrolment-code", help="issue a one-time code to enrol a laptop")
    db_arg(code)
    code.add_argument("--email", required=True, help="the user the laptop will belong to")
    code.add_argument("--hours", type=float, default=24.0, help="valid for (default 24)")
    code.set_defaults(handler=enrolment_code_cmd)


def _settings(args: argparse.Namespace) -> HubSettings:
    from server.config import HubSettings

    settings = HubSettings()
    if args.db:
        settings = settings.model_copy(update={"database_url": args.db})
    return settings


def _engine(args: argparse.Namespace) -> Engine:
    from server import db

    settings = _settings(args)
    engine = db.make_engine(settings.resolved_database_url(), 2)
    db.upgrade(engine)
    return engine


def serve_cmd(args: argparse.Namespace) -> int:
    import uvicorn

    from server import db
    from server.main import create_app

    settings = _settings(args)
    print(
        f"RoundTwo hub on http://{args.host}:{args.port} "
        f"(database: {settings.resolved_database_url().split('@')[-1]})",
        file=sys.stderr,
    )
    if args.workers > 1:
        # Worker processes build the app themselves, from the environment.
        os.environ["ROUNDTWO_HUB_DATABASE_URL"] = settings.resolved_database_url()
        db.upgrade_url(settings.resolved_database_url())
        uvicorn.run(
            "server.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
        )
        return 0
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def migrate_cmd(args: argparse.Namespace) -> int:
    from server import db

    engine = _engine(args)
    print(f"hub schema at {db.current_revision(engine)}")
    engine.dispose()
    return 0


def create_admin_cmd(args: argparse.Namespace) -> int:
    from server.db import session_scope
    from server.errors import HubError
    from server.identity import create_admin

    password = os.environ.get(PASSWORD_ENV) or ""
    if not password:
        if not sys.stdin.isatty():
            raise InvalidInputError(
                f"No password given for {args.email}.",
                hint=f"Set {PASSWORD_ENV} or run in a terminal.",
            )
        password = getpass.getpass(f"Password for {args.email}: ")
    if len(password) < 8:
        raise InvalidInputError("The admin password must have at least 8 characters.")
    engine = _engine(args)
    try:
        with session_scope(engine) as s:
            user = create_admin(s, args.org, args.unit, args.email, args.name, password)
            print(f"admin {user.email} created in {args.org} / {args.unit} (user id {user.id})")
    except HubError as exc:
        raise InvalidInputError(exc.body.message) from exc
    finally:
        engine.dispose()
    return 0


def enrolment_code_cmd(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from server.db import session_scope
    from server.identity import issue_enrolment_code, principal_of
    from server.tables import User

    engine = _engine(args)
    try:
        with session_scope(engine) as s:
            user = s.exec(select(User).where(User.email == args.email.strip().lower())).first()
            if user is None:
                raise NotFoundError(f"The hub has no user with e-mail {args.email}.")
            out = issue_enrolment_code(s, principal_of(user, None), user, args.hours)
    finally:
        engine.dispose()
    print(out.code)
    print(f"valid until {out.expires_at:%Y-%m-%d %H:%M} UTC, once", file=sys.stderr)
    return 0
