"""`smearwatch serve [--host H] [--port P]`: the review app and JSON API (uvicorn)."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from smearwatch.settings import get_settings

    get_settings()  # refuse a placeholder secret before listening
    print(f"smearwatch: review app on http://{args.host}:{args.port}/ (health: /api/v1/health)", flush=True)
    uvicorn.run("api.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="warning", access_log=False, proxy_headers=False)
    return 0
