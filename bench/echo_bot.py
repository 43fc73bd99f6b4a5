"""The stock Bot Framework echo bot, the baseline of ``bench/throughput.py``.

This is BotBuilder-Samples ``samples/python/02.echo-bot`` in its CloudAdapter form, kept as
close to the sample as a single file allows: an ``ActivityHandler`` that echoes the text, an
unmodified ``CloudAdapter(ConfigurationBotFrameworkAuthentication(CONFIG))``, the sample's
``on_error`` handler and ``aiohttp_error_middleware``, ``POST /api/messages`` served by
``ADAPTER.process(req, BOT)``. Nothing is tuned: the point is to measure the framework as a
Bot Framework developer gets it.

Differences from the sample, none of which touch a turn:
- one file instead of ``app.py`` + ``bots/echo_bot.py`` + ``config.py``;
- ``--host``/``--port`` on the command line (the sample reads ``PORT`` from ``DefaultConfig``);
- ``MicrosoftAppId``/``MicrosoftAppPassword`` are read from the environment as in the sample's
  ``config.py``; the bench leaves them empty, i.e. local-development mode (no authentication,
  anonymous outgoing calls), the same mode our bot runs in during the bench;
- ``on_error`` logs through ``logging`` (the sample prints) so a failure is visible in the
  bench's captured stderr.

    python bench/echo_bot.py --port 3979
"""

from __future__ import annotations

import argparse
import logging
import os
import traceback
from datetime import datetime, timezone

from aiohttp import web
from aiohttp.web import Request, Response
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

logger = logging.getLogger("echo_bot")


class DefaultConfig:
    """The sample's ``config.py``."""

    PORT = 3978
    APP_ID = os.environ.get("MicrosoftAppId", "")
    APP_PASSWORD = os.environ.get("MicrosoftAppPassword", "")
    APP_TYPE = os.environ.get("MicrosoftAppType", "MultiTenant")
    APP_TENANTID = os.environ.get("MicrosoftAppTenantId", "")


class EchoBot(ActivityHandler):
    """The sample's ``bots/echo_bot.py``."""

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ):
        for member in members_added:
            if member.id != turn_context.activity.recipient.id:
                await turn_context.send_activity("Hello and welcome!")

    async def on_message_activity(self, turn_context: TurnContext):
        return await turn_context.send_activity(
            MessageFactory.text(f"Echo: {turn_context.activity.text}")
        )


CONFIG = DefaultConfig()
ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(CONFIG))


async def on_error(context: TurnContext, error: Exception):
    """The sample's catch-all (logging instead of print)."""
    logger.error("[on_turn_error] unhandled error: %s\n%s", error,
                 "".join(traceback.format_exception(error)))
    await context.send_activity("The bot encountered an error or bug.")
    await context.send_activity("To continue to run this bot, please fix the bot source code.")
    if context.activity.channel_id == "emulator":
        trace_activity = Activity(
            label="TurnError",
            name="on_turn_error Trace",
            timestamp=datetime.now(timezone.utc),
            type=ActivityTypes.trace,
            value=f"{error}",
            value_type="https://www.botframework.com/schemas/error",
        )
        await context.send_activity(trace_activity)


ADAPTER.on_turn_error = on_error
BOT = EchoBot()


async def messages(req: Request) -> Response:
    return await ADAPTER.process(req, BOT)


def create_app() -> web.Application:
    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    return app


APP = create_app()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=CONFIG.PORT)
    parser.add_argument("--profile", metavar="FILE",
                        help="run under cProfile and write the stats to FILE on exit (SIGINT "
                             "or SIGTERM); see bench/README.md for how the turn was profiled")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        # aiohttp's default access logger, as in the sample (it writes nothing at WARNING).
        web.run_app(APP, host=args.host, port=args.port, print=None)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
