"""Development tools shared by the tests (tests/) and the benchmarks (bench/), so neither imports
the other: local stand-ins for Microsoft's cloud on 127.0.0.1 (the fake Bot Connector) and
generators of fictional data (no real people, no child details).

For tests, benchmarks and local demos only; the bot never imports anything from here.
"""
