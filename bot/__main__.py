from bot.heap import defer_collection

defer_collection()  # before the imports: see bot.heap

from bot.cli import main  # noqa: E402

main()
