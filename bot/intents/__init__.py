"""User intents, one module per feature; each intent is a function of Services and the requester.

bot.routing maps typed commands and button actions onto these functions.
"""
