"""The public site: map and project pages, search, the embed, feeds and sitemaps."""
