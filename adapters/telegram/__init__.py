"""Telegram adapter on python-telegram-bot (see the Telegram issue)."""
