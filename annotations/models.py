"""Models for readers' notes on documents.

Empty for now: notes arrive in a later issue.
"""
