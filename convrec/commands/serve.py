"""`convrec serve`: the HTTP API (FastAPI + uvicorn), optionally with the browser app mounted.

convrec serve --db ~/redial-db                          # http://127.0.0.1:8080/docs
convrec serve --db ~/redial-db --workers 2 --ui         # two processes; the app at /ui
CONVREC_API_KEY=... convrec serve --host 0.0.0.0        # every /v1 call needs the key
convrec serve --print-openapi > service/openapi.json    # the spec, without starting anything

Workers are separate processes, each with its own agent and models; they share the index and
the session store (the SQLite file on one machine; CONVREC_SESSIONS=postgresql://... and
CONVREC_CHROMA_URL=http://... across machines). The settings reach them through CONVREC_*
environment variables, which this command sets from its flags before starting them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from convrec.commands.options import add_agent_options, add_bind_options

_FLAG_ENV = {  # flag -> the variable the workers read it from (Settings.from_env)
    "db": "CONVREC_DB",
    "llm": "CONVREC_LLM",
    "llm_url": "CONVREC_OPENAI_BASE_URL",
    "llm_model": "CONVREC_OPENAI_MODEL",
    "diversity": "CONVREC_DIVERSITY",
    "k": "CONVREC_K",
    "chroma_url": "CONVREC_CHROMA_URL",
}


def register(sub: argparse._SubParsersAction) -> None:
    """Add `convrec serve` to the `convrec` parser."""
    p = sub.add_parser("serve", help="the HTTP API (FastAPI), for programs and many users")
    add_agent_options(p)
    add_bind_options(p, port=8080, note="set CONVREC_API_KEY before binding 0.0.0.0")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--k", type=int, help="recommendations per turn")
    p.add_argument("--ui", action="store_true", help="also serve the browser app at /ui")
    p.add_argument(
        "--print-openapi", action="store_true", help="print the OpenAPI spec (JSON) and exit"
    )
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    if args.print_openapi:
        print(json.dumps(openapi(), indent=2, sort_keys=True))
        return 0
    if args.workers < 1:
        raise ValueError(f"--workers must be at least 1, not {args.workers}")
    for flag, variable in _FLAG_ENV.items():
        value = getattr(args, flag, None)
        if value is not None:
            os.environ[variable] = str(value)
    if args.ui:
        os.environ["CONVREC_SERVE_UI"] = "1"
    from service.settings import ServiceSettings

    if (
        args.host not in ("127.0.0.1", "localhost", "::1")
        and not ServiceSettings.from_env().api_key
    ):
        print(
            f"warning: serving on {args.host} without an API key (set CONVREC_API_KEY)",
            file=sys.stderr,
        )
    import uvicorn

    print(f"convrec serve on http://{args.host}:{args.port} (docs at /docs; Ctrl-C to stop)")
    uvicorn.run(
        "convrec.commands.serve:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    return 0


def app_from_env():
    """One worker's app: the agent of the CONVREC_* settings, its models loaded and warm."""
    from agent.build import build_agent
    from agent.settings import Settings
    from service.app import create_app
    from service.settings import ServiceSettings

    settings = Settings.from_env()
    agent = build_agent(settings)
    agent.warm_up()  # the first user's turn should take what a warm turn takes
    app = create_app(agent, ServiceSettings.from_env())
    if os.environ.get("CONVREC_SERVE_UI") == "1":
        from ui.app import mount

        app = mount(app, agent, "/ui", secret_file=settings.db / "ui-secret")
    return app


def openapi() -> dict:
    """The API's spec, built without an agent (no model is loaded)."""
    from service.app import create_app

    return create_app(agent=None).openapi()  # type: ignore[arg-type]
