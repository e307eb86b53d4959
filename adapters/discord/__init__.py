"""Discord adapter on discord.py (see the Discord issue)."""
