"""TMDb catalog adapter on httpx (see the TMDb issue)."""
