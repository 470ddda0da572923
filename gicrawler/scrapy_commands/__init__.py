"""Scrapy commands of the project (COMMANDS_MODULE): they override Scrapy's own by name."""
