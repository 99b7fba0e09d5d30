"""python -m mapek_subscriber: follow mapek's events as the read-only `subscriber` identity.

Connects to NATS over mutual TLS, subscribes to every event subject of the AsyncAPI document,
validates each event against its generated JSON Schema, verifies its ML-DSA-65 signature against
the CA-signed trust bundle, and prints one JSON line per event on stdout. Logs go to stderr, as
JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import nats
from nats.aio.msg import Msg

from .canonical_json import parse_body
from .contracts import Channel, load_channels
from .trust import BAD_SIGNATURE, TrustStore, load_trust_store


def log(level: str, message: str, **fields: Any) -> None:
    line = {"level": level, "msg": message, "time": datetime.now(timezone.utc).isoformat(), **fields}
    print(json.dumps(line), file=sys.stderr, flush=True)


def check(msg: Msg, channel: Channel, trust: TrustStore) -> dict[str, Any]:
    """Validates one event and verifies its signature: the line printed for it."""
    line: dict[str, Any] = {"subject": msg.subject}
    try:
        envelope = parse_body(msg.data)
    except (UnicodeDecodeError, ValueError) as error:
        return {**line, "type": None, "id": None, "incidentId": None, "valid": False, "errors": [f"body: {error}"],
                "signatureVerified": False, "signatureError": f"{BAD_SIGNATURE}: body is not JSON"}
    fields = envelope if isinstance(envelope, dict) else {}
    line.update({name: fields.get(name) for name in ("type", "version", "id", "source", "incidentId")})
    errors = channel.validate(envelope)
    line["valid"] = not errors
    if errors:
        line["errors"] = errors
    headers = msg.headers or {}
    signer, problem = trust.verify_event(msg.subject, envelope, headers.get, datetime.now(timezone.utc))
    line["signatureVerified"] = problem is None
    if signer:
        line["signer"] = signer
    if problem:
        line["signatureError"] = problem
    return line


def client_tls(certs_dir: Path, identity: str) -> ssl.SSLContext:
    """Mutual TLS as the identity, trusting only the development CA, TLS 1.3."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(certs_dir / "ca.crt"))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(str(certs_dir / identity / "tls.crt"), str(certs_dir / identity / "tls.key"))
    return context


async def run(args: argparse.Namespace) -> int:
    certs_dir = Path(args.certs)
    only = {name.strip() for name in args.types.split(",") if name.strip()}
    channels = load_channels(Path(args.contracts), args.prefix, only)
    trust = load_trust_store(certs_dir, datetime.now(timezone.utc))

    refused: asyncio.Queue[Exception] = asyncio.Queue()

    async def on_error(error: Exception) -> None:
        if "permissions violation" in str(error).lower():
            refused.put_nowait(error)
        else:
            log("warn", str(error))

    nc = await nats.connect(
        servers=[server.strip() for server in args.nats_url.split(",") if server.strip()],
        name="mapek-subscriber-python",
        tls=client_tls(certs_dir, args.identity),
        inbox_prefix=f"_INBOX_{args.identity}",  # the only inbox the identity may read
        error_cb=on_error,
        max_reconnect_attempts=-1,
    )

    def handler(channel: Channel):
        async def on_message(msg: Msg) -> None:
            # No await between check and print: one whole line per event, whatever the other subscriptions do.
            print(json.dumps(check(msg, channel, trust), separators=(",", ":")), flush=True)

        return on_message

    for channel in channels:
        await nc.subscribe(channel.subject, cb=handler(channel))
    # The server answers the flush after it processed the subscriptions, and reports a refused one first.
    await nc.flush()
    if not refused.empty():
        log("error", str(await refused.get()))
        await nc.close()
        return 1
    log("info", "subscribed", subjects=[channel.subject for channel in channels], identity=args.identity, trustDomain=trust.trust_domain)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    stopped = asyncio.ensure_future(stop.wait())
    violation = asyncio.ensure_future(refused.get())
    done, _ = await asyncio.wait({stopped, violation}, return_when=asyncio.FIRST_COMPLETED)
    for task in (stopped, violation):
        task.cancel()
    if violation in done:
        log("error", str(violation.result()))
        await nc.close()
        return 1
    await nc.drain()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m mapek_subscriber", description=__doc__.splitlines()[0])
    parser.add_argument("--nats-url", default=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"), help="NATS server URL(s), comma-separated (env NATS_URL)")
    parser.add_argument("--certs", default=os.environ.get("MAPEK_CERTS_DIR", "data/certs"), help="directory written by `mapek pki init` (env MAPEK_CERTS_DIR)")
    parser.add_argument("--identity", default="subscriber", help="identity whose certificate and key to connect with")
    parser.add_argument("--contracts", default=os.environ.get("MAPEK_CONTRACTS_DIR", "docs/contracts"), help="generated contract documents (env MAPEK_CONTRACTS_DIR)")
    parser.add_argument("--prefix", default=os.environ.get("MAPEK_SUBJECT_PREFIX", "mapek"), help="subject prefix (env MAPEK_SUBJECT_PREFIX)")
    parser.add_argument("--types", default="", help="comma-separated event types to follow (default: every event type)")
    args = parser.parse_args()
    try:
        return asyncio.run(run(args))
    except Exception as error:  # a readable line instead of a traceback, and a non-zero exit
        log("error", f"{type(error).__name__}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
