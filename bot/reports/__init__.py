"""The bilan's files — its image (matplotlib) and spreadsheets (openpyxl) — made in a child process.

Kept out of ``bot.services`` so that the child's fork server imports only this (about 70 MB with matplotlib)
and the bot's own process never loads matplotlib at all: the bot names the work it hands over
(``child.in_child``), it does not import it.
"""
